/**
 * The register's one contract: every call the renderer can make and every event it can
 * subscribe to. Main validates every incoming message against these schemas (zod) before it
 * reaches the core; the renderer imports only the types and the names from this file.
 *
 * Both hosts carry the same envelope:
 *   request  { id, call, payload }
 *   response { id, ok: true, value } | { id, ok: false, error: { code, message } }
 *   event    { event, payload }
 */
import { coreCalls, coreEvents } from './contract/core.js';
import { traceCalls, traceEvents } from './contract/trace.js';
import { devicesCalls, devicesEvents } from './contract/devices.js';
import { customersCalls, customersEvents } from './contract/customers.js';
import { queueCalls, queueEvents } from './contract/queue.js';
import { checkoutCalls, checkoutEvents } from './contract/checkout.js';
import { rewardsCalls, rewardsEvents } from './contract/rewards.js';
import { tillCalls, tillEvents } from './contract/till.js';
import { catalogueCalls, catalogueEvents } from './contract/catalogue.js';
import { importsCalls, importsEvents } from './contract/imports.js';
import { complianceCalls, complianceEvents } from './contract/compliance.js';
import { setupCalls, setupEvents } from './contract/setup.js';
import { staffCalls, staffEvents } from './contract/staff.js';
import { tabletCalls, tabletEvents } from './contract/tablet.js';
import { hubCalls, hubEvents } from './contract/hub.js';
import type { z } from 'zod';
import type { ApiError, CallOptions } from './contract/common.js';

export * from './contract/common.js';
export { ipcChannels } from './channels.js';
export { emptyForm, parseDateEntry } from './contract/customers.js';
export { IMPORT_PART_BYTES, MAX_IMPORT_BYTES, CUSTOMER_IMPORT_FIELDS, REQUIRED_CUSTOMER_FIELDS } from './contract/imports.js';
export { ADJUST_REASON_WORDS } from './contract/catalogue.js';
export type { ProductView, ProductInput, CategoryInfo, TracePackageView, StockEntry, ImportProblem } from './contract/catalogue.js';
export type { CustomerImportPreview, CustomerImportField } from './contract/imports.js';
export type { EmployeeDetail } from './contract/staff.js';
export type { HubStatus, FoundHub, HubConflict, HubMerge } from './contract/hub.js';
export {
  AGREEMENT_MAX_CHARS,
  MAX_SIGNATURE_PNG_BYTES,
  TABLET_CLOSE_NOT_PAIRED,
  tabletPairResponseSchema,
  tabletServerMessageSchema,
} from './contract/tablet.js';
export type {
  ContactChange,
  MailOutboxRow,
  MailSettingsInput,
  MailSettingsView,
  SignatureRequestView,
  TabletAgreement,
  TabletClientMessage,
  TabletDevice,
  TabletPairing,
  TabletServerMessage,
  TabletStatus,
} from './contract/tablet.js';
export { formatRatePercent, parseRatePercent } from './contract/rates.js';
export type { JurisdictionChoice, StoreRate, StoreSettingsView, StoreTax, TaxRateEntry } from './contract/setup.js';

/**
 * Every call, merged from each capability's part of the contract (preload/contract/*.ts).
 * A capability adds its calls in its own file and spreads them in here.
 */
export const calls = {
  ...coreCalls,
  ...traceCalls,
  ...devicesCalls,
  ...customersCalls,
  ...queueCalls,
  ...checkoutCalls,
  ...rewardsCalls,
  ...tillCalls,
  ...catalogueCalls,
  ...importsCalls,
  ...complianceCalls,
  ...setupCalls,
  ...staffCalls,
  ...tabletCalls,
  ...hubCalls,
} as const;

export const events = {
  ...coreEvents,
  ...traceEvents,
  ...devicesEvents,
  ...customersEvents,
  ...queueEvents,
  ...checkoutEvents,
  ...rewardsEvents,
  ...tillEvents,
  ...catalogueEvents,
  ...importsEvents,
  ...complianceEvents,
  ...setupEvents,
  ...staffEvents,
  ...tabletEvents,
  ...hubEvents,
} as const;

export type CallName = keyof typeof calls;
export type CallRequest<N extends CallName> = z.input<(typeof calls)[N]['request']>;
export type CallRequestParsed<N extends CallName> = z.output<(typeof calls)[N]['request']>;
export type CallResponse<N extends CallName> = z.output<(typeof calls)[N]['response']>;

export type EventName = keyof typeof events;
export type EventPayload<N extends EventName> = z.output<(typeof events)[N]>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };
export type ResponseEnvelope = { id: number | null } & Result<unknown>;
export type EventEnvelope = { event: EventName; payload: unknown };

/** What the renderer calls: the same in Electron (window.register) and in the browser host. */
export interface RegisterApi {
  call<N extends CallName>(name: N, payload: CallRequest<N>, options?: CallOptions): Promise<Result<CallResponse<N>>>;
  on<N extends EventName>(event: N, listener: (payload: EventPayload<N>) => void): () => void;
}

export function isCallName(name: string): name is CallName {
  return Object.prototype.hasOwnProperty.call(calls, name);
}

