/** Track-and-trace: settings, the sync outbox (Sync screen), patient lookup. */
import { z } from 'zod';
import { commandIdSchema } from './common.js';

const empty = z.object({}).strict();

export const traceProviderSchema = z.enum(['none', 'biotrack_v1', 'metrc_v2']);

/** Settings › Track & Trace › Advanced (admin only): how this store's BioTrack behaves. */
export const traceAdvancedSettingsSchema = z.object({
  /** `fresh`: a new nonce on every request; `kept`: the same nonce on every resend of a sale. */
  noncePolicy: z.enum(['fresh', 'kept']),
  /** How a sale names the patient: the card id, the card key card_lookup gives, or both. */
  patientLink: z.enum(['card_id', 'card_key', 'both']),
  /** How long after an unanswered request the register checks with BioTrack what came of it. */
  reconcileDelaySeconds: z.number().int().min(5).max(3600),
});
export type TraceAdvancedSettings = z.infer<typeof traceAdvancedSettingsSchema>;

export const traceSettingsViewSchema = z.object({
  provider: traceProviderSchema,
  useDemoSandbox: z.boolean(),
  /** Only the demo store runs the embedded sandbox; null elsewhere. */
  demoSandboxUrl: z.string().nullable(),
  endpoint: z.string(),
  licenseNumber: z.string(),
  username: z.string(),
  /** The password itself never leaves the core. */
  hasPassword: z.boolean(),
  location: z.string(),
  terminalId: z.string(),
  training: z.boolean(),
  nosession: z.boolean(),
  secretStorage: z.enum(['safeStorage', 'keyFile']),
  advanced: traceAdvancedSettingsSchema,
  /** Only an admin may change the advanced settings. */
  canEditAdvanced: z.boolean(),
  /** The providers the register can report to (main/trace/providers.ts: the one list). */
  choices: z.array(z.object({ id: traceProviderSchema, label: z.string() })),
  /** Metrc: the keys themselves never leave the core. */
  hasVendorKey: z.boolean(),
  hasUserKey: z.boolean(),
  /** The demo store's embedded Metrc sandbox; null elsewhere. */
  demoMetrcSandboxUrl: z.string().nullable(),
});
export type TraceSettingsView = z.infer<typeof traceSettingsViewSchema>;

const settingsFields = {
  provider: traceProviderSchema,
  useDemoSandbox: z.boolean(),
  endpoint: z.string().trim().max(300),
  licenseNumber: z.string().trim().max(60),
  username: z.string().trim().max(120),
  /** Omit or leave empty to keep the saved password. */
  password: z.string().max(200).optional(),
  location: z.string().trim().max(20),
  terminalId: z.string().trim().max(40),
  training: z.boolean(),
  nosession: z.boolean(),
  /** Metrc: omit or leave empty to keep the saved keys. */
  vendorKey: z.string().max(200).optional(),
  userKey: z.string().max(200).optional(),
};

export const syncStateSchema = z.enum(['pending', 'in_flight', 'acknowledged', 'rejected', 'unknown', 'needs_person', 'dismissed']);
export type SyncState = z.infer<typeof syncStateSchema>;

export const syncStatusSchema = z.object({
  provider: z.string(),
  configured: z.boolean(),
  /** The demo store's embedded sandbox is in use (test sales can be queued). */
  demo: z.boolean(),
  online: z.boolean().nullable(),
  lastContactAt: z.number().int().nullable(),
  /** A setting a person must fix (refused credentials, missing address), or null. */
  problem: z.string().nullable(),
  counts: z.object({
    pending: z.number().int(),
    inFlight: z.number().int(),
    unknown: z.number().int(),
    rejected: z.number().int(),
    needsPerson: z.number().int(),
    acknowledged: z.number().int(),
    dismissed: z.number().int(),
  }),
  backlog: z.number().int(),
  /** When the oldest sale still waiting to be reported was made, or null. */
  oldestPendingAt: z.number().int().nullable(),
});
export type SyncStatus = z.infer<typeof syncStatusSchema>;

export const syncRowSchema = z.object({
  id: z.string(),
  kind: z.enum(['dispense', 'void', 'refund']),
  saleId: z.string(),
  customerId: z.string().nullable(),
  customerName: z.string().nullable(),
  cardId: z.string().nullable(),
  state: syncStateSchema,
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  lastErrorCode: z.string().nullable(),
  remoteTxnId: z.string().nullable(),
  saleTime: z.number().int(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  totalCents: z.number().int(),
  itemCount: z.number(),
  dismissedReason: z.string().nullable(),
  dismissedByName: z.string().nullable(),
  /** Why a pending row is not being sent yet (a void waiting for its sale), or null. */
  waitingFor: z.string().nullable(),
});

/** A sale BioTrack lists that matches an outbox row as well as another one does. */
export const syncCandidateSchema = z.object({
  remoteTxnId: z.string(),
  time: z.number().nullable(),
  terminalId: z.string().nullable(),
  cardId: z.string().nullable(),
  lines: z.array(z.object({ barcode: z.string(), quantity: z.number(), unitPriceCents: z.number() })),
});
export type SyncCandidate = z.infer<typeof syncCandidateSchema>;
export type SyncRow = z.infer<typeof syncRowSchema>;

export const syncAttemptSchema = z.object({
  at: z.number().int(),
  step: z.string(),
  outcome: z.string(),
  detail: z.string().nullable(),
  durationMs: z.number().int().nullable(),
});

export const syncFilterSchema = z.enum(['all', 'attention', 'waiting', 'pending', 'in_flight', 'unknown', 'rejected', 'needs_person', 'acknowledged', 'dismissed']);
export type SyncFilter = z.infer<typeof syncFilterSchema>;

export const patientLookupSchema = z.object({
  cardId: z.string(),
  /** unreadable: BioTrack answered, but not in a form the register understands (see `raw`). */
  status: z.enum(['active', 'inactive', 'expired', 'not_found', 'unreadable']),
  expiresOn: z.string().nullable(),
  allotment: z.object({ amount: z.string(), unit: z.string() }).nullable(),
  /** unreadable: the answer's fields as BioTrack sent them, for a manager. */
  raw: z.record(z.string(), z.string()).nullable(),
  fetchedAt: z.number().int(),
});

export const traceCalls = {
  'trace.settings.get': { request: empty, response: traceSettingsViewSchema },
  'trace.settings.save': {
    request: z.object({ commandId: commandIdSchema, ...settingsFields }).strict(),
    response: traceSettingsViewSchema,
  },
  /** Admin only: the advanced client settings (nonce policy, patient link, reconcile delay). */
  'trace.settings.advanced.save': {
    request: z.object({ commandId: commandIdSchema, ...traceAdvancedSettingsSchema.shape }).strict(),
    response: traceSettingsViewSchema,
  },
  /** Log in and ping with the given settings (unsaved ones too); nothing is sent or stored. */
  'trace.testConnection': {
    request: z.object(settingsFields).strict(),
    response: z.object({ ok: z.boolean(), message: z.string(), latencyMs: z.number().int().nullable() }),
  },
  'trace.sync.status': { request: empty, response: syncStatusSchema },
  'trace.sync.list': {
    request: z
      .object({
        filter: syncFilterSchema.default('all'),
        kind: z.enum(['dispense', 'void', 'refund']).optional(),
        search: z.string().trim().max(80).optional(),
        limit: z.number().int().min(1).max(1000).default(200),
      })
      .strict(),
    response: z.object({ rows: z.array(syncRowSchema), total: z.number().int(), status: syncStatusSchema }),
  },
  'trace.sync.detail': {
    request: z.object({ outboxId: z.string().min(1) }).strict(),
    response: z.object({ row: syncRowSchema, attempts: z.array(syncAttemptSchema), candidates: z.array(syncCandidateSchema) }),
  },
  /**
   * A sale two BioTrack sales match equally: say which one it is (it is then reported), or ask the
   * register to check again. Never sends it again. Needs manager_override (or a grant).
   */
  'trace.sync.resolve': {
    request: z
      .object({ commandId: commandIdSchema, outboxId: z.string().min(1), remoteTxnId: z.string().min(1).nullable(), grantId: z.string().optional() })
      .strict(),
    response: syncRowSchema,
  },
  /** Send a rejected sale again after its cause was fixed. Needs manager_override (or a grant). */
  'trace.sync.resend': {
    request: z.object({ commandId: commandIdSchema, outboxId: z.string().min(1), grantId: z.string().optional() }).strict(),
    response: syncRowSchema,
  },
  /** Stop trying to report a sale, with the reason. Needs manager_override (or a grant). */
  'trace.sync.dismiss': {
    request: z
      .object({
        commandId: commandIdSchema,
        outboxId: z.string().min(1),
        reason: z.string().trim().min(5, 'Say why in a few words.').max(300),
        grantId: z.string().optional(),
      })
      .strict(),
    response: syncRowSchema,
  },
  'trace.lookupPatient': {
    request: z.object({ cardId: z.string().trim().min(1).max(40), caregiverCardId: z.string().trim().max(40).optional() }).strict(),
    response: patientLookupSchema,
  },
  /** Demo store only (the embedded sandbox): queue a medical sale so the Sync screen has something to show. */
  'trace.demo.enqueueSale': {
    request: z.object({ commandId: commandIdSchema, cardId: z.string().trim().min(1).max(40).optional() }).strict(),
    response: z.object({ outboxId: z.string() }),
  },
} as const;

export const traceEvents = {
  'trace.syncChanged': syncStatusSchema,
} as const;
