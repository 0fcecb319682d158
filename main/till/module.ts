/** The till's part of the core: handlers for preload/contract/till.ts, the print worker, the sale hook. */
import type Database from 'better-sqlite3';
import { readdir } from 'node:fs/promises';
import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import { SerialPort } from 'serialport';
import type { CallName, Employee } from '../../preload/api.js';
import { tillReportSchema, type DrawerSessionView, type TillReport, type tillCalls } from '../../preload/contract/till.js';
import { applyCommand } from '../core/commands.js';
import type { CapabilityModule, CoreServices, HandlersFor } from '../core/handler.js';
import { CoreError } from '../core/errors.js';
import { newId } from '../store/ids.js';
import { businessDateOf, businessDayBounds } from './business-day.js';
import { drawerIdOf, readTillConfig, receiptPrinter, writeTillConfig, type PrinterConfig, type TillConfig } from './config.js';
import { docLines } from './doc.js';
import { linesToPdf } from './pdf.js';
import { buildReport, reportCsv, reportDoc } from './reports.js';
import { DrawerLedger, NO_SALE_ACTION, recordRefundCash, recordSaleCash, type SessionRow } from './drawer.js';
import { storeHeader, storeTimeZone } from './receipt.js';
import { enqueueJob, enqueueSaleJobs, PrintQueue } from './print-queue.js';
import type { PrinterLink } from './transports/index.js';

type TillCallName = keyof typeof tillCalls;

/** What checkout calls inside its transactions, and after its commit. */
export interface TillLink {
  saleWritten(sqlite: Database.Database, sale: { saleId: string; cashCents: number; actorId: string; at: number }): void;
  refundWritten(sqlite: Database.Database, refund: { returnId: string; cashCents: number; actorId: string; at: number }): void;
  wake(): void;
}

/** The hook checkout calls: the sale's cash into the open session and its receipt (and kick) queued, in the sale's transaction. */
export function tillHook(wake: () => void): TillLink {
  return {
    saleWritten(sqlite, sale) {
      recordSaleCash(sqlite, drawerIdOf(sqlite), sale);
      enqueueSaleJobs(sqlite, sale.saleId, sale.cashCents > 0, sale.actorId, sale.at);
    },
    refundWritten(sqlite, refund) {
      recordRefundCash(sqlite, drawerIdOf(sqlite), refund);
    },
    wake,
  };
}

export interface TillModuleOptions {
  /** Replace how printers are reached (tests). */
  link?: (printer: PrinterConfig) => PrinterLink;
  retryMinMs?: number;
  retryMaxMs?: number;
  idlePollMs?: number;
  drawerPollMs?: number;
  /** Where the USB printer-class devices are listed (tests; default /dev/usb). */
  usbDeviceDir?: string;
}

export type TillModule = CapabilityModule & { queue: PrintQueue; drawer: DrawerLedger; link: TillLink; config(): TillConfig };

export function createTillModule(services: CoreServices, options: TillModuleOptions = {}): TillModule {
  const config = () => readTillConfig(services.sqlite(), (message) => services.logger.log('warn', message));
  const queue = new PrintQueue({
    sqlite: () => services.sqlite(),
    clock: () => services.clock(),
    config,
    logger: services.logger,
    ...(options.link ? { link: options.link } : {}),
    ...(options.retryMinMs !== undefined ? { retryMinMs: options.retryMinMs } : {}),
    ...(options.retryMaxMs !== undefined ? { retryMaxMs: options.retryMaxMs } : {}),
    ...(options.idlePollMs !== undefined ? { idlePollMs: options.idlePollMs } : {}),
    ...(options.drawerPollMs !== undefined ? { drawerPollMs: options.drawerPollMs } : {}),
    onChange: (status) => services.broadcast('till.printerChanged', status),
  });
  const drawer = new DrawerLedger({
    sqlite: () => services.sqlite(),
    clock: () => services.clock(),
    config,
    consumeGrant: (grantId, action) => services.staff().consumeGrant(grantId, 'manager_override', action),
  });

  const link = tillHook(() => queue.wake());

  const sessionView = (row: SessionRow | null, actor: Employee): DrawerSessionView | null => {
    if (!row) return null;
    const blind = row.status === 'open' && config().blindClose && !actor.permissions.includes('manager_override');
    return {
      id: row.id,
      drawerId: row.drawerId,
      status: row.status,
      openedByName: row.openedByName,
      openedAt: row.openedAt,
      floatCents: row.floatCents,
      closedAt: row.closedAt,
      countedCents: row.countedCents,
      overShortCents: row.overShortCents,
      totals: blind ? null : drawer.totals(row.id),
    };
  };

  /** An X report is made fresh; a Z is read back as it was made. */
  const reportView = (kind: 'x' | 'z', businessDate?: string): { report: TillReport; lines: string[] } => {
    const db = services.sqlite();
    const now = services.clock();
    const date = businessDate ?? businessDateOf(now, storeTimeZone(db), config().dayEndHour);
    let report: TillReport;
    if (kind === 'z') {
      const row = db.prepare('SELECT body FROM z_reports WHERE business_date = ?').get(date) as { body: string } | undefined;
      if (!row) throw new CoreError('not_found', `No Z report was made for ${date}: make it once every drawer is closed.`);
      report = tillReportSchema.parse(JSON.parse(row.body));
    } else report = buildReport(db, 'x', date, config().dayEndHour, now);
    const printer = receiptPrinter(config());
    return { report, lines: docLines(reportDoc(db, report), printer?.columns ?? 42) };
  };

  const saveConfig = (actor: Employee, commandId: string, change: (config: TillConfig) => TillConfig): TillConfig => {
    const db = services.sqlite();
    const next = change(config());
    applyCommand(
      db,
      { commandId, name: 'till.config.save', actorId: actor.id },
      () => {
        writeTillConfig(db, next, services.clock());
        return { result: null, audit: { action: 'till.config.save', details: { receiptPrinterId: next.receiptPrinterId, printers: next.printers.map((p) => p.id) } } };
      },
      services.clock(),
    );
    queue.wake();
    services.broadcast('till.printerChanged', queue.status());
    return next;
  };
  const handlers: HandlersFor<TillCallName> = {
    'till.status': { access: 'logged_in', run: () => queue.status() },
    'till.config.get': {
      access: 'logged_in',
      run: () => ({ config: config(), models: ReceiptPrinterEncoder.printerModels.map((model) => ({ id: model.id, name: model.name })) }),
    },
    'till.printers.save': {
      access: 'manage_settings',
      run: (ctx, request) =>
        saveConfig(ctx.actor, newCommand(), (current) => {
          const printers = current.printers.filter((p) => p.id !== request.printer.id).concat(request.printer);
          return { ...current, printers, receiptPrinterId: current.receiptPrinterId ?? request.printer.id };
        }),
    },
    'till.printers.remove': {
      access: 'manage_settings',
      run: (ctx, request) =>
        saveConfig(ctx.actor, newCommand(), (current) => ({
          ...current,
          printers: current.printers.filter((p) => p.id !== request.printerId),
          receiptPrinterId: current.receiptPrinterId === request.printerId ? null : current.receiptPrinterId,
        })),
    },
    'till.printers.choose': {
      access: 'manage_settings',
      run(ctx, request) {
        if (request.printerId && !config().printers.some((p) => p.id === request.printerId)) throw new CoreError('not_found', 'That printer is not set up on this register: add it first.');
        return saveConfig(ctx.actor, newCommand(), (current) => ({ ...current, receiptPrinterId: request.printerId }));
      },
    },
    'till.printers.find': { access: 'manage_settings', run: () => findPrinters(services, options.usbDeviceDir ?? '/dev/usb') },
    'till.printers.test': {
      access: 'manage_settings',
      run(ctx, request) {
        const printer = config().printers.find((p) => p.id === request.printerId);
        if (!printer) throw new CoreError('not_found', 'That printer is not set up on this register: add it first.');
        const doc = {
          blocks: [
            ...storeHeader(services.sqlite()),
            { kind: 'rule' as const },
            { kind: 'center' as const, text: 'Test page', bold: true },
            { kind: 'text' as const, text: `Printer: ${printer.name}` },
            { kind: 'pair' as const, left: 'Left', right: 'Right' },
            { kind: 'barcode' as const, value: 'TEST' },
          ],
        };
        const jobId = enqueueJob(services.sqlite(), { kind: 'test', printerId: printer.id, doc, actorId: ctx.actor.id }, services.clock());
        queue.wake();
        return { jobId };
      },
    },
    'till.printers.check': {
      access: 'manage_settings',
      async run(_ctx, request) {
        const printer = config().printers.find((p) => p.id === request.printerId);
        if (!printer) throw new CoreError('not_found', 'That printer is not set up on this register: add it first.');
        return queue.check(printer);
      },
    },
    'till.receipt.reprint': {
      access: 'sell',
      run(ctx, request) {
        const db = services.sqlite();
        if (!db.prepare('SELECT 1 FROM sales WHERE id = ?').get(request.saleId)) throw new CoreError('not_found', 'No such sale on this register: check the receipt number.');
        const { result } = applyCommand(
          db,
          { commandId: newCommand(), name: 'till.receipt.reprint', actorId: ctx.actor.id },
          () => ({ result: enqueueJob(db, { kind: 'reprint', saleId: request.saleId, actorId: ctx.actor.id }, services.clock()), audit: { action: 'till.reprint', saleId: request.saleId } }),
          services.clock(),
        );
        queue.wake();
        return { jobId: result };
      },
    },
    'till.jobs.resolve': {
      access: 'sell',
      run(ctx, request) {
        queue.resolveUncertain(request.jobId, request.choice, ctx.actor.id);
        return queue.status();
      },
    },
    'till.drawer.noSale': {
      access: 'logged_in',
      run(ctx, request) {
        drawer.noSale(ctx.actor, request, (db) => enqueueJob(db, { kind: 'kick', actorId: ctx.actor.id }, services.clock()));
        queue.wake();
        return { queued: true as const };
      },
    },
    'till.session.get': { access: 'sell', run: (ctx) => sessionView(drawer.current(), ctx.actor) },
    'till.session.open': { access: 'sell', run: (ctx, request) => sessionView(drawer.open(ctx.actor, request), ctx.actor)! },
    'till.session.move': {
      access: 'sell',
      run(ctx, request) {
        drawer.move(ctx.actor, request);
        return sessionView(drawer.current(), ctx.actor)!;
      },
    },
    'till.report.get': { access: 'sell', run: (_ctx, request) => reportView(request.kind, request.businessDate) },
    'till.report.makeZ': {
      access: 'manager_override',
      run(ctx, request) {
        const db = services.sqlite();
        const now = services.clock();
        const date = request.businessDate ?? businessDateOf(now, storeTimeZone(db), config().dayEndHour);
        const open = drawer.current();
        if (open && open.openedAt < businessDayBounds(date, storeTimeZone(db), config().dayEndHour).end) {
          throw new CoreError('conflict', 'A drawer is still open: close it with a count before the Z report.');
        }
        applyCommand(
          db,
          { commandId: request.commandId, name: 'till.report.makeZ', actorId: ctx.actor.id },
          () => {
            if (db.prepare('SELECT 1 FROM z_reports WHERE business_date = ?').get(date)) throw new CoreError('conflict', `The Z report for ${date} was made already: reprint it instead.`);
            const zNo = ((db.prepare('SELECT MAX(z_no) AS n FROM z_reports').get() as { n: number | null }).n ?? 0) + 1;
            const report = { ...buildReport(db, 'z', date, config().dayEndHour, now), zNo };
            db.prepare('INSERT INTO z_reports (business_date, z_no, made_by, made_at, body) VALUES (?, ?, ?, ?, ?)').run(date, zNo, ctx.actor.id, now, JSON.stringify(report));
            return { result: null, audit: { action: 'till.z_report', details: { businessDate: date, zNo, totalCents: report.sales.totalCents } } };
          },
          now,
        );
        return reportView('z', date);
      },
    },
    'till.report.print': {
      access: 'sell',
      run(ctx, request) {
        const { report } = reportView(request.kind, request.businessDate);
        const jobId = enqueueJob(services.sqlite(), { kind: 'report', doc: reportDoc(services.sqlite(), report), actorId: ctx.actor.id }, services.clock());
        queue.wake();
        return { jobId };
      },
    },
    'till.report.pdf': {
      access: 'sell',
      async run(_ctx, request) {
        const { report, lines } = reportView(request.kind, request.businessDate);
        const bytes = await linesToPdf(`${report.kind.toUpperCase()} report ${report.businessDate}`, lines, report.madeAt);
        return { fileName: `${report.kind}-report-${report.businessDate}.pdf`, base64: Buffer.from(bytes).toString('base64') };
      },
    },
    'till.report.csv': {
      access: 'sell',
      run(_ctx, request) {
        const { report } = reportView(request.kind, request.businessDate);
        return { fileName: `${report.kind}-report-${report.businessDate}.csv`, text: reportCsv(report) };
      },
    },
    'till.session.close': {
      access: 'sell',
      run(ctx, request) {
        const closed = drawer.close(ctx.actor, request);
        // Closed: the figures are no longer blind.
        return { ...sessionView(closed, ctx.actor)!, totals: drawer.totals(closed.id) };
      },
    },
  };

  return {
    handlers: handlers as unknown as HandlersFor<CallName>,
    queue,
    drawer,
    link,
    config,
    onOpen() {
      queue.start();
    },
    onClose() {
      queue.stop();
    },
  };
}

export { NO_SALE_ACTION };

/** Settings changes and reprints are not retried by the screen: a fresh id each time. */
function newCommand(): string {
  return newId();
}

/** /dev/usb/lp* (Linux USB printer class) and serial ports present now. */
async function findPrinters(services: CoreServices, usbDir: string): Promise<Array<{ label: string; transport: PrinterConfig['transport'] }>> {
  const found: Array<{ label: string; transport: PrinterConfig['transport'] }> = [];
  if (process.platform === 'linux') {
    const names = await readdir(usbDir).catch(() => [] as string[]);
    for (const name of names.filter((n) => /^lp\d+$/.test(n)).sort()) found.push({ label: `USB printer /dev/usb/${name}`, transport: { kind: 'usb_linux', path: `/dev/usb/${name}` } });
  }
  const ports = await SerialPort.list().catch((error: unknown) => {
    services.logger.log('warn', `serial ports could not be listed: ${error instanceof Error ? error.message : String(error)}`);
    return [];
  });
  for (const port of ports) {
    found.push({ label: `Serial ${port.path}${port.manufacturer ? ` (${port.manufacturer})` : ''}`, transport: { kind: 'serial', path: port.path, baudRate: 9600 } });
  }
  return found;
}
