/** Imports' part of the core: file uploads, and customers brought over from another POS (preload/contract/imports.ts). */
import type { CallName } from '../../preload/api.js';
import type { importsCalls } from '../../preload/contract/imports.js';
import type { CapabilityModule, CoreServices, HandlersFor } from '../core/handler.js';
import { appliedCommandResult } from '../core/commands.js';
import { CustomerService } from '../customers/service.js';
import { UploadStore } from './uploads.js';

type ImportsCallName = keyof typeof importsCalls;

const stores = new WeakMap<CoreServices, UploadStore>();

/** The one upload store of a core (the catalogue's CSV import reads from it too). */
export function uploadsFor(services: CoreServices): UploadStore {
  let store = stores.get(services);
  if (!store) {
    store = new UploadStore(services.dataDir);
    stores.set(services, store);
  }
  return store;
}

export function createImportsModule(services: CoreServices): CapabilityModule {
  const uploads = uploadsFor(services);
  const customers = new CustomerService({
    sqlite: () => services.sqlite(),
    clock: () => services.clock(),
    resourcesDir: services.resourcesDir,
    dataDir: services.dataDir,
  });

  const handlers: HandlersFor<ImportsCallName> = {
    'imports.uploadPart': {
      access: 'logged_in',
      run: (_ctx, request) => ({ receivedBytes: uploads.receivePart(request.uploadId, request.index, request.dataBase64, services.clock()) }),
    },
    'customers.import.preview': {
      access: 'manage_customers',
      run: (_ctx, request) => customers.previewImport(uploads.read(request.uploadId), request.mapping),
    },
    'customers.import.commit': {
      access: 'manage_customers',
      run(ctx, request) {
        const replay = appliedCommandResult<{ imported: number; skippedDuplicates: number }>(services.sqlite(), request.commandId);
        if (replay) return replay.result;
        const result = customers.commitImport(ctx.actor, request.commandId, uploads.read(request.uploadId), request.mapping);
        uploads.discard(request.uploadId);
        services.logger.log('info', 'customers imported from a file', result);
        services.broadcast('customers.changed', { customerId: null, draftsChanged: false });
        return result;
      },
    },
    'customers.exportCsv': { access: 'manage_customers', run: () => customers.exportCsv() },
  };
  return { handlers: handlers as unknown as HandlersFor<CallName> };
}
