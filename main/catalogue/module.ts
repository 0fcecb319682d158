/** The catalogue's part of the core: handlers for preload/contract/catalogue.ts. */
import type { CallName } from '../../preload/api.js';
import type { catalogueCalls } from '../../preload/contract/catalogue.js';
import type { CapabilityModule, CoreServices, HandlersFor } from '../core/handler.js';
import { appliedCommandResult } from '../core/commands.js';
import { CoreError } from '../core/errors.js';
import { uploadsFor } from '../imports/module.js';
import { readTraceConfig } from '../trace/config.js';
import { PROVIDER_NAMES } from '../trace/providers.js';
import type { ProviderResult, TracePackage } from '../trace/provider.js';
import { CatalogueService } from './csv.js';
import { ADJUST_ACTION } from './stock.js';

type CatalogueCallName = keyof typeof catalogueCalls;

export interface CatalogueModuleOptions {
  /** The trace module: the store's packages come from its provider. */
  trace?: () => { listPackages(): Promise<{ provider: string; result: ProviderResult<TracePackage[]> }> } | null;
}

export function createCatalogueModule(services: CoreServices, options: CatalogueModuleOptions = {}): CapabilityModule & { service: CatalogueService } {
  const service = new CatalogueService({ sqlite: () => services.sqlite(), clock: () => services.clock(), resourcesDir: services.resourcesDir });
  const uploads = uploadsFor(services);
  const changed = (productId: string | null) => services.broadcast('catalogue.changed', { productId });

  async function packages(): Promise<{ provider: string; packages: TracePackage[] }> {
    const trace = options.trace?.();
    if (!trace) throw new CoreError('unavailable', 'No track-and-trace system is set up: a manager sets it up in Settings › Track & Trace.');
    const { provider, result } = await trace.listPackages();
    if (!result.ok) {
      services.logger.log('warn', 'could not list the packages at the state system', { provider, kind: result.kind, message: result.message });
      const what =
        result.kind === 'auth_failed'
          ? `${provider} refused the register's credentials: a manager checks Settings › Track & Trace.`
          : result.kind === 'rejected'
            ? `${provider} refused to list the packages (${result.message}).`
            : `${provider} did not answer (${result.message}). Try again in a minute; stock already received is not affected.`;
      throw new CoreError(result.kind === 'rejected' ? 'conflict' : 'unavailable', what);
    }
    return { provider, packages: result.value };
  }

  const handlers: HandlersFor<CatalogueCallName> = {
    'catalogue.config': {
      access: 'logged_in',
      run() {
        const config = readTraceConfig(services.sqlite());
        const provider = config && config.provider !== 'none' ? PROVIDER_NAMES[config.provider] : null;
        return { ...service.config(), provider };
      },
    },
    'catalogue.list': { access: 'logged_in', run: (_ctx, request) => service.list(request.query, request.includeArchived, request.limit) },
    'catalogue.get': { access: 'logged_in', run: (_ctx, request) => service.get(request.productId) },
    'catalogue.save': {
      access: 'manage_products',
      run(ctx, request) {
        const product = service.save(ctx.actor, request.commandId, request.productId, request.product);
        changed(product.id);
        return product;
      },
    },
    'catalogue.archive': {
      access: 'manage_products',
      run(ctx, request) {
        const product = service.archive(ctx.actor, request.commandId, request.productId, request.archived);
        changed(product.id);
        return product;
      },
    },
    'catalogue.packages': {
      access: 'manage_products',
      async run() {
        const { provider, packages: list } = await packages();
        return { provider, packages: service.packagesView(list) };
      },
    },
    'catalogue.receive': {
      access: 'manage_products',
      async run(ctx, request) {
        if (appliedCommandResult(services.sqlite(), request.commandId)) return service.get(request.productId);
        // What the state says the package holds now, read before the write.
        const { provider, packages: list } = await packages();
        const pkg = list.find((candidate) => candidate.label === request.label);
        if (!pkg) throw new CoreError('not_found', `${provider} does not list package ${request.label} at this store: refresh the list, or check the package with ${provider}.`);
        const product = service.receive(ctx.actor, request.commandId, pkg, provider, request.productId, request.quantity);
        changed(product.id);
        return product;
      },
    },
    'catalogue.adjust': {
      // Whoever is logged in (a manager too) needs a manager's PIN for this one change.
      access: 'manage_products',
      run(ctx, request) {
        const replay = appliedCommandResult<{ quantityDelta: number }>(services.sqlite(), request.commandId);
        if (replay) return { product: service.get(request.productId), quantityDelta: replay.result.quantityDelta };
        const grant = services.staff().consumeGrant(request.grantId, 'manager_override', ADJUST_ACTION);
        const result = service.adjust(ctx.actor, request.commandId, grant.approverId, request);
        changed(request.productId);
        return result;
      },
    },
    'catalogue.stockHistory': { access: 'manage_products', run: (_ctx, request) => service.history(request.productId, request.limit) },
    'catalogue.exportCsv': { access: 'manage_products', run: () => service.exportCsv() },
    'catalogue.importCsv.preview': { access: 'manage_products', run: (_ctx, request) => service.previewCsv(uploads.read(request.uploadId)) },
    'catalogue.importCsv.commit': {
      access: 'manage_products',
      run(ctx, request) {
        const replay = appliedCommandResult<{ created: number; updated: number }>(services.sqlite(), request.commandId);
        if (replay) return replay.result;
        const result = service.importCsv(ctx.actor, request.commandId, uploads.read(request.uploadId));
        uploads.discard(request.uploadId);
        changed(null);
        return result;
      },
    },
  };
  return { handlers: handlers as unknown as HandlersFor<CallName>, service };
}
