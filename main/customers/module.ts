/** Customers' part of the core: handlers for preload/contract/customers.ts. */
import type { CallName } from '../../preload/api.js';
import type { customersCalls } from '../../preload/contract/customers.js';
import type { CapabilityModule, CoreServices, HandlersFor } from '../core/handler.js';
import { CustomerService } from './service.js';

type CustomersCallName = keyof typeof customersCalls;

export function createCustomersModule(services: CoreServices): CapabilityModule & { service: CustomerService } {
  const service = new CustomerService({
    sqlite: () => services.sqlite(),
    clock: () => services.clock(),
    resourcesDir: services.resourcesDir,
    dataDir: services.dataDir,
  });
  const changed = (customerId: string | null, draftsChanged: boolean) =>
    services.broadcast('customers.changed', { customerId, draftsChanged });

  const handlers: HandlersFor<CustomersCallName> = {
    'customers.config': { access: 'logged_in', run: () => service.config() },
    'customers.settings.get': { access: 'manage_settings', run: () => service.profileSettings() },
    'customers.settings.save': {
      access: 'manage_settings',
      run(ctx, request) {
        const saved = service.saveProfileSettings(ctx.actor, request.commandId, request.settings);
        services.broadcast('customers.changed', { customerId: null, draftsChanged: false });
        return saved;
      },
    },
    'customers.lookupByLicence': { access: 'logged_in', run: (_ctx, request) => service.lookupByLicence(request.raw) },
    'customers.search': { access: 'logged_in', run: (_ctx, request) => service.search(request.field, request.query, request.limit, request.tagId) },
    'customers.recent': { access: 'logged_in', run: (_ctx, request) => service.recent(request.limit) },
    'customers.recentCheckIns': { access: 'logged_in', run: (_ctx, request) => service.recentCheckIns(request.limit) },
    'customers.get': { access: 'logged_in', run: (_ctx, request) => service.get(request.id) },
    'customers.history': { access: 'logged_in', run: (_ctx, request) => service.history(request.id, request.limit) },
    'customers.create': {
      access: 'manage_customers',
      run(ctx, request) {
        const detail = service.create(ctx.actor, request.commandId, request.form, request.draftId, request.duplicateReason);
        changed(detail.id, request.draftId !== null);
        return detail;
      },
    },
    'customers.update': {
      access: 'manage_customers',
      run(ctx, request) {
        const detail = service.update(ctx.actor, request.commandId, request.id, request.form, request.draftId);
        changed(detail.id, request.draftId !== null);
        return detail;
      },
    },
    'customers.duplicates': { access: 'logged_in', run: (_ctx, request) => service.duplicates(request.customerId, request) },
    'customers.updateFromScan': {
      access: 'manage_customers',
      run(ctx, request) {
        const updated = service.updateFromScan(ctx.actor, request.commandId, request.customerId, request.raw);
        if (updated.changes.length > 0) changed(request.customerId, false);
        return updated;
      },
    },
    'customers.caregivers': { access: 'logged_in', run: (_ctx, request) => service.caregivers(request.query) },
    'customers.addPatient': {
      access: 'manage_customers',
      run(ctx, request) {
        const patient = service.addPatient(ctx.actor, request.commandId, request.caregiverId, request.patient);
        changed(request.caregiverId, false);
        return patient;
      },
    },
    'customers.updatePatient': {
      access: 'manage_customers',
      run(ctx, request) {
        const patient = service.updatePatient(ctx.actor, request.commandId, request.id, request.patient);
        changed(patient.caregiverId, false);
        return patient;
      },
    },
    'customers.removePatient': {
      access: 'manage_customers',
      run(ctx, request) {
        const result = service.removePatient(ctx.actor, request.commandId, request.id);
        changed(null, false);
        return result;
      },
    },
    'customers.drafts': { access: 'logged_in', run: () => service.drafts() },
    'customers.getDraft': { access: 'logged_in', run: (_ctx, request) => service.getDraft(request.id) },
    'customers.saveDraft': {
      access: 'manage_customers',
      run(ctx, request) {
        const draft = service.saveDraft(ctx.actor, request.commandId, request);
        changed(request.customerId, true);
        return draft;
      },
    },
    'customers.discardDraft': {
      access: 'manage_customers',
      run(ctx, request) {
        const result = service.discardDraft(ctx.actor, request.commandId, request.id);
        changed(null, true);
        return result;
      },
    },
    'customers.uploadPart': {
      access: 'manage_customers',
      run: (_ctx, request) => ({ receivedBytes: service.documents.receivePart(request.uploadId, request.index, request.dataBase64) }),
    },
    'customers.addDocument': {
      access: 'manage_customers',
      run(ctx, request) {
        const document = service.addDocument(ctx.actor, request.commandId, request);
        changed(request.customerId ?? null, request.draftId !== undefined);
        return document;
      },
    },
    'customers.draftDocuments': { access: 'logged_in', run: (_ctx, request) => service.draftDocuments(request.draftId) },
    'customers.document': { access: 'logged_in', run: (_ctx, request) => service.readDocument(request.id, request.draftId) },
  };
  // The core merges every module's handlers; this module owns only the customers.* calls.
  return { handlers: handlers as unknown as HandlersFor<CallName>, service };
}
