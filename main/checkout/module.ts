/** Checkout in the core: handlers for preload/contract/checkout.ts, wired to trace, queue and staff. */
import type { DemoSandboxUrls } from '../trace/config.js';
import type Database from 'better-sqlite3';
import type { CallName } from '../../preload/api.js';
import type { checkoutCalls } from '../../preload/contract/checkout.js';
import type { CapabilityModule, CoreServices, HandlersFor } from '../core/handler.js';
import { CoreError } from '../core/errors.js';
import { readTraceConfig } from '../trace/config.js';
import { enqueueDispense, enqueueRefund, enqueueVoid } from '../trace/outbox.js';
import { settingsAllotmentSource, DEFAULT_LOOKUP_TIMEOUT_MS } from '../queue/allotment-source.js';
import { QueueService } from '../queue/service.js';
import { CheckoutService, type AllotmentSource, type QueueLink, type TraceOutbox } from './service.js';
import type { TillHook } from './types.js';

type CheckoutCallName = keyof typeof checkoutCalls;

export interface CheckoutModuleOptions {
  /** The trace module (for wake after commit and the demo sandbox's address). */
  trace?: () => { wake(): void; demoUrls(): DemoSandboxUrls } | null;
  /** Replace the state-system allotment lookups (tests). */
  allotments?: AllotmentSource | null;
  /** The store hub's claims and grants (issue 15). */
  hub?: () => {
    prepareSale(customerId: string, entryId: string | null): Promise<void>;
    decide(sqlite: Database.Database, customerId: string, customerName: string, outageAllowed: boolean): 'none' | 'allow-and-flag';
    /** A ticket closed without a sale: the claim (and grant) on its customer go back to the hub. */
    ticketClosed(): void;
  } | null;
  /** Replace the queue link (tests). */
  queue?: QueueLink | null;
  /** The till module (drawer cash and receipts in the sale's transaction). */
  till?: () => TillHook | null;
}

export type CheckoutModule = CapabilityModule & { service: CheckoutService };

/** The real outbox (main/trace/outbox.ts), reporting under the location in Settings › Track & Trace. */
export function traceOutbox(wake: () => void): TraceOutbox {
  return {
    target(sqlite) {
      const config = readTraceConfig(sqlite);
      if (!config || config.provider === 'none' || !config.location) return null;
      // Metrc records every sale (Illinois: CRTA §15-85(a)(4); the Consumer customer type); BioTrack v1 medical sales only.
      return { location: config.location, terminalId: config.terminalId || '1', timeZone: config.timeZone || null, reportsAdultUse: config.provider === 'metrc_v2' };
    },
    enqueueDispense: (sqlite, input, now) => enqueueDispense(sqlite, input, now),
    enqueueVoid: (sqlite, input, now) => enqueueVoid(sqlite, input, now),
    enqueueRefund: (sqlite, input, now) => enqueueRefund(sqlite, input, now),
    wake,
    stateOf(sqlite: Database.Database, outboxId: string) {
      const row = sqlite.prepare('SELECT state, remote_txn_id AS remoteTxnId FROM trace_outbox WHERE id = ?').get(outboxId) as
        | { state: string; remoteTxnId: string | null }
        | undefined;
      return row ?? null;
    },
  };
}

export function createCheckoutModule(services: CoreServices, options: CheckoutModuleOptions = {}): CheckoutModule {
  const trace = options.trace ?? (() => null);
  const allotments =
    options.allotments === undefined
      ? settingsAllotmentSource(
          { sqlite: () => services.sqlite(), secretBox: services.secretBox, demoSandboxUrl: () => trace()?.demoUrls() ?? null },
          DEFAULT_LOOKUP_TIMEOUT_MS,
        )
      : options.allotments;
  // The queue's own service methods (markServed, view) over the same database.
  const queueService = new QueueService({ sqlite: () => services.sqlite(), clock: () => services.clock(), resourcesDir: services.resourcesDir, allotments: { lookup: async () => ({ kind: 'offline', message: 'not used by checkout' }) } });
  const queue: QueueLink | null =
    options.queue === undefined
      ? {
          markServed: (actorId, entryId) => queueService.markServed(actorId, entryId),
          changed: () => {
            queueService.bump();
            services.broadcast('queue.changed', queueService.view());
          },
        }
      : options.queue;
  const service = new CheckoutService({
    sqlite: () => services.sqlite(),
    clock: () => services.clock(),
    resourcesDir: services.resourcesDir,
    allotments,
    trace: traceOutbox(() => trace()?.wake()),
    queue,
    consumeGrant: (grantId, action) => services.staff().consumeGrant(grantId, 'manager_override', action),
    logger: services.logger,
    hub: options.hub ? { decide: (sqlite, customerId, name, allowed) => options.hub?.()?.decide(sqlite, customerId, name, allowed) ?? 'none' } : null,
    till: options.till
      ? {
          saleWritten: (db, sale) => options.till?.()?.saleWritten(db, sale),
          refundWritten: (db, refund) => options.till?.()?.refundWritten(db, refund),
          wake: () => options.till?.()?.wake(),
        }
      : null,
  });

  const salesChanged = (saleId: string) => services.broadcast('checkout.salesChanged', { saleId });
  const productFor = (code: string) => {
    const product = service.findByBarcode(code);
    if (!product) throw new CoreError('not_found', `No product with barcode ${code}: check the label, or find the product by name.`);
    return product;
  };

  const handlers: HandlersFor<CheckoutCallName> = {
    'checkout.products.search': { access: 'sell', run: (_ctx, request) => service.searchProducts(request.query, request.limit) },
    'checkout.products.byBarcode': { access: 'sell', run: (_ctx, request) => productFor(request.code) },
    'checkout.ticket.open': {
      access: 'sell',
      async run(ctx, request) {
        const ticket = service.openTicket(ctx.actor, request);
        // The store hub (issue 15): serving a queued patient claims them, and their allotment, for this register.
        const target = options.hub ? service.hubClaimTarget(ticket.id) : null;
        if (target) await options.hub?.()?.prepareSale(target.customerId, target.queueEntryId);
        // A medical patient's allotment is looked up again in the state system each time a ticket opens.
        if (ticket.allotment.state === 'checking') await service.refreshAllotment(ticket.id);
        return service.view(ticket);
      },
    },
    'checkout.ticket.get': { access: 'sell', run: (_ctx, request) => service.getTicket(request.ticketId) },
    'checkout.ticket.list': { access: 'sell', run: () => service.listTickets() },
    'checkout.ticket.setPatient': {
      access: 'sell',
      async run(_ctx, request) {
        const ticket = service.setPatient(request.ticketId, request.patient);
        if (ticket.allotment.state === 'checking') await service.refreshAllotment(ticket.id);
        return service.view(ticket);
      },
    },
    'checkout.ticket.refreshAllotment': {
      access: 'sell',
      async run(_ctx, request) {
        return service.view(await service.refreshAllotment(request.ticketId));
      },
    },
    'checkout.ticket.manualAllotment': {
      access: 'sell',
      run: (ctx, request) => service.view(service.enterManualAllotment(ctx.actor, request.ticketId, request)),
    },
    'checkout.ticket.scan': {
      access: 'sell',
      run(ctx, request) {
        const { ticket, refusal } = service.addProduct(ctx.actor, request.ticketId, productFor(request.code), request.quantity, request.limitOverrideGrantId, request.approvalReason);
        return { ticket: service.view(ticket), refusal };
      },
    },
    'checkout.ticket.addProduct': {
      access: 'sell',
      run(ctx, request) {
        const product = service.productById(request.productId);
        if (!product) throw new CoreError('not_found', 'That product is no longer in the catalog: search again.');
        const { ticket, refusal } = service.addProduct(ctx.actor, request.ticketId, product, request.quantity, request.limitOverrideGrantId, request.approvalReason);
        return { ticket: service.view(ticket), refusal };
      },
    },
    'checkout.ticket.setQuantity': {
      access: 'sell',
      run(ctx, request) {
        const { ticket, refusal } = service.setQuantity(ctx.actor, request.ticketId, request.lineId, request.quantity, request.limitOverrideGrantId, request.approvalReason);
        return { ticket: service.view(ticket), refusal };
      },
    },
    'checkout.ticket.removeLine': { access: 'sell', run: (_ctx, request) => service.view(service.removeLine(request.ticketId, request.lineId)) },
    'checkout.ticket.redeemPoints': {
      access: 'sell',
      run: (_ctx, request) => service.view(service.redeemRewards(request.ticketId, request.points)),
    },
    'checkout.ticket.discountLine': {
      access: 'sell',
      run: (ctx, request) =>
        service.view(service.discountLine(ctx.actor, request.ticketId, request.lineId, request.discount, request.reason, request.grantId)),
    },
    'checkout.ticket.discard': {
      access: 'sell',
      run(_ctx, request) {
        service.discard(request.ticketId);
        // Closed without a sale: the customer waits in the queue again, free for any register to call.
        options.hub?.()?.ticketClosed();
        return { discarded: true as const };
      },
    },
    'checkout.ticket.unrestored': { access: 'sell', run: () => service.unrestoredTickets() },
    'checkout.ticket.dismissUnrestored': {
      access: 'sell',
      run(ctx, request) {
        service.dismissUnrestored(ctx.actor, request.ticketId);
        options.hub?.()?.ticketClosed();
        return { dismissed: true as const };
      },
    },
    'checkout.sale.complete': {
      access: 'sell',
      async run(ctx, request) {
        // The store hub (issue 15): claim the patient (and their allotment) before a medical sale.
        const target = options.hub ? service.hubClaimTarget(request.ticketId) : null;
        if (target) await options.hub?.()?.prepareSale(target.customerId, target.queueEntryId);
        const { saleId, replayed } = service.complete(ctx.actor, request);
        if (!replayed) salesChanged(saleId);
        return service.receipt(saleId);
      },
    },
    'checkout.sale.get': { access: 'sell', run: (_ctx, request) => service.receipt(request.saleId) },
    'checkout.sale.recent': { access: 'sell', run: (_ctx, request) => service.recentSales(request.limit) },
    'checkout.sale.void': {
      access: 'sell',
      run(ctx, request) {
        const saleId = service.voidSale(ctx.actor, request);
        salesChanged(saleId);
        return service.receipt(saleId);
      },
    },
    'checkout.sale.return': {
      access: 'sell',
      run(ctx, request) {
        const saleId = service.returnLines(ctx.actor, request);
        salesChanged(saleId);
        return service.receipt(saleId);
      },
    },
  };

  return {
    handlers: handlers as unknown as HandlersFor<CallName>,
    service,
    // Open tickets saved on disk come back when the database opens (start-up, a restored backup).
    onOpen() {
      try {
        service.restoreTickets();
        // A ticket saved while its allotment lookup was under way asks the state system again.
        for (const ticket of service.listTickets()) {
          if (ticket.allotment.state !== 'checking') continue;
          service.refreshAllotment(ticket.ticketId).catch((error: unknown) => {
            services.logger.log('warn', `the allotment of a ticket brought back could not be looked up: ${error instanceof Error ? error.message : String(error)}`);
          });
        }
      } catch (error) {
        // Never stops the register: the tickets stay on disk for the next start.
        services.logger.log('error', `open tickets could not be read back: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
    onClose() {
      service.forgetTickets();
    },
  };
}
