/**
 * The register–hub protocol (v1): the one file both the hub (hub/) and the register's side
 * (main/hub-sync/) import. Every message that crosses between them is parsed with these schemas.
 *
 * Flow (research/hub.md §5, §6.3):
 *  1. Pairing (once per station), HTTPS `POST /v1/pair` with a PairRequest. The hub prints a
 *     one-time code (8 digits, 10 minutes, single use) and its certificate's SHA-256 fingerprint.
 *     The register connects with TLS verification off for this one call, reads the certificate's
 *     fingerprint, and sends `codeProof = HMAC-SHA256(key = code, message = fingerprint)` rather than
 *     the code, so a relay in the middle (which shows another certificate) cannot pair. The answer
 *     gives the device id and its token (shown once; the hub stores only a hash), the hub's id, epoch
 *     and fingerprint; from then on the register pins that fingerprint on every connection.
 *  2. Session: a WebSocket to `wss://<hub>/v1/ws`. The first message is `hello` with the token; the
 *     answer gives the hub's id and epoch, the last command sequence number the hub holds for this
 *     device, the latest change version and the hub's clock. Every request carries a `rid` chosen by
 *     the register; the hub answers with a `reply` or an `error` carrying the same `rid`. The same
 *     requests also work as HTTPS `POST /v1/rpc` (header `Authorization: Device <token>`, body one
 *     request), for a register that prefers plain requests.
 *  3. Push: the register sends its hub outbox in order as commands (its own ULID `commandId`, a
 *     per-device `deviceSeq` starting at 1 with no gaps, a `kind` and its payload). Each command is
 *     applied in its own transaction, once: a command sent again gets its first answer back
 *     ('duplicate'). A sequence gap stops the batch with `expectedSeq` (resend from there). A
 *     rejection is stored, so a retry gets the same answer; it goes to a person, never to a retry.
 *  4. Pull: `pull(since)` returns change rows with `version > since` in version order; version order
 *     is commit order on the hub, so a register that advances to the last version it saw never skips
 *     a row. Apply a page, advance, pull again while `more`.
 *  5. Doorbell: after a commit the hub sends `{type:'doorbell', version}` on every open socket; a
 *     register behind that version pulls. A doorbell can be lost: pull every 10 s anyway.
 *  6. Epoch: a new or restored hub has a new `hubEpoch`. A register that sees another epoch than the
 *     one it synced with forgets its version, pulls from 0 and pushes again every command after the
 *     hub's `lastSeq` for it (kept outbox rows: prune only what a hub backup holds). Requests that
 *     carry a stale epoch are refused with `wrong_epoch`.
 *  7. Queue claims and allotment grants (research §4.2, §4.4) are synchronous calls: `claim` leases
 *     a queue entry to the device for 90 s on the hub's clock (renew every 30 s) and, for a medical
 *     patient, grants the device the patient's whole remaining allotment (escrow). Only the holder
 *     sells medical to the patient. `grant_return` closes the grant with what was used; the hub frees
 *     the rest. A grant never lapses: only its holder returns it, or a manager revokes it
 *     (`grant_revoke`, audited and flagged for reconciliation).
 *
 * Conventions: ids ULIDs, money integer cents, weights mg, times UTC epoch ms. Command kinds are a
 * discriminated union on `kind`: add a kind by adding a schema to `commandSchemas`.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;
/** mDNS service type the hub advertises (`_registerhub._tcp`): a hint only, never trusted. */
export const HUB_SERVICE_TYPE = 'registerhub';
/** Most commands in one push. */
export const MAX_PUSH_BATCH = 100;
/** Most change rows in one pull page. */
export const MAX_PULL_LIMIT = 1000;
/** A queue lease's length on the hub's clock; registers renew every LEASE_RENEW_MS. */
export const LEASE_MS = 90_000;
export const LEASE_RENEW_MS = 30_000;

export const ulid = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'a ULID');
const epochMs = z.number().int().nonnegative();
const cents = z.number().int();
const nonEmpty = z.string().min(1).max(500);

export const deviceRole = z.enum(['register', 'intake']);
export type DeviceRole = z.infer<typeof deviceRole>;

/** sha256 of the hub certificate (DER), as Node's `cert.fingerprint256`: "AB:CD:…". */
export const fingerprint256 = z.string().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'a SHA-256 fingerprint');

// ---------------------------------------------------------------------------------------------
// Pairing (HTTPS POST /v1/pair)

export const pairRequest = z.object({
  protocolVersion: z.number().int().positive(),
  deviceName: z.string().trim().min(1).max(80),
  role: deviceRole,
  /** The fingerprint of the certificate the register saw. */
  fingerprint256,
  /** hex HMAC-SHA256(key = the one-time code, message = fingerprint256). */
  codeProof: z.string().regex(/^[0-9a-f]{64}$/),
});
export type PairRequest = z.infer<typeof pairRequest>;

export const pairAnswer = z.object({
  hubId: ulid,
  hubEpoch: ulid,
  storeName: z.string(),
  deviceId: ulid,
  /** `<deviceId>.<secret>`: shown once; keep it encrypted (Electron safeStorage). */
  deviceToken: z.string().min(40).max(200),
  fingerprint256,
  hubTimeMs: epochMs,
});
export type PairAnswer = z.infer<typeof pairAnswer>;

// ---------------------------------------------------------------------------------------------
// Commands (push)

export const customerType = z.enum(['adult_use', 'medical', 'medical_recommendation', 'caregiver']);
export const limitUnit = z.enum(['mg', 'mg_thc', 'plants']);
export const allotmentAmount = z.object({
  limitId: nonEmpty,
  unit: limitUnit,
  amount: z.number().int(),
});
export type AllotmentAmount = z.infer<typeof allotmentAmount>;

/** Customer fields merged per field: a later edit (by `at`) wins; an older differing one is listed as a conflict. */
export const customerFields = z
  .object({
    customerType,
    firstName: z.string().max(200),
    middleName: z.string().max(200).nullable(),
    lastName: z.string().max(200),
    dateOfBirth: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    identificationExpires: z.string().nullable(),
    medicalId: z.string().max(100).nullable(),
    medicalIdExpires: z.string().nullable(),
    caregiverId: z.string().max(100).nullable(),
    caregiverIdExpires: z.string().nullable(),
    phone: z.string().max(100).nullable(),
    email: z.string().max(320).nullable(),
    licenceNumber: z.string().max(100).nullable(),
    licenceState: z.string().max(10).nullable(),
    nickname: z.string().max(200).nullable(),
    notes: z.string().max(10_000).nullable(),
    /** Address, physician, caregiver link and the rest of the profile. */
    profile: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  })
  .partial();
export type CustomerFields = z.infer<typeof customerFields>;

const customerUpsert = z.object({
  kind: z.literal('customer.upsert'),
  payload: z.object({
    customerId: ulid,
    /** A keyed hash of the ID number (licence or medical id): two sign-ups of one person merge on it. */
    identityKey: z.string().max(128).nullable(),
    createdAt: epochMs,
    fields: customerFields,
  }),
});

const caregiverPatientUpsert = z.object({
  kind: z.literal('caregiver_patient.upsert'),
  payload: z.object({
    id: ulid,
    caregiverId: ulid,
    firstName: z.string().max(200),
    lastName: z.string().max(200),
    medicalLicence: z.string().max(100),
    licenceExpires: z.string(),
    dateOfBirth: z.string().nullable(),
    updatedAt: epochMs,
  }),
});

/** A patient kept on a caregiver's profile taken off it: its own kind, so the removal reaches every station. */
const caregiverPatientRemove = z.object({
  kind: z.literal('caregiver_patient.remove'),
  payload: z.object({
    id: ulid,
    caregiverId: ulid,
    removedAt: epochMs,
  }),
});

const customerDocumentAdd = z.object({
  kind: z.literal('customer.document.add'),
  payload: z.object({
    id: ulid,
    customerId: ulid,
    docKind: z.enum(['full_licence', 'doctors_permit', 'medical_card', 'profile_photo', 'membership_agreement', 'other']),
    title: z.string().max(200),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    mime: z.string().max(100),
    sizeBytes: z.number().int().nonnegative(),
    addedAt: epochMs,
    addedBy: ulid.nullable(),
  }),
});

const queueCheckin = z.object({
  kind: z.literal('queue.checkin'),
  payload: z.object({
    entryId: ulid,
    customerId: ulid,
    checkedInAs: customerType,
    parentEntryId: ulid.nullable(),
    checkedInAt: epochMs,
    checkedInBy: ulid.nullable(),
    allotmentSource: z.enum(['state_system', 'manual', 'legal_limits', 'not_required']),
    cardId: z.string().max(100).nullable(),
    caregiverCardId: z.string().max(100).nullable(),
    /** A caregiver checked in for a patient kept on their profile: the allotment below is that patient's. */
    caregiverPatientId: ulid.nullish(),
    /** What the customer may still buy (the state system's figure at check-in, or the legal limit). */
    allotments: z.array(allotmentAmount.extend({ label: z.string().max(100), ceiling: z.number().int() })).max(20),
  }),
});

const queueRemove = z.object({
  kind: z.literal('queue.remove'),
  payload: z.object({
    entryId: ulid,
    reason: z.enum(['removed', 'cleared', 'served']),
    removedAt: epochMs,
    removedBy: ulid.nullable(),
  }),
});

const employeeUpsert = z.object({
  kind: z.literal('employee.upsert'),
  payload: z.object({
    id: ulid,
    name: z.string().max(200),
    role: z.enum(['budtender', 'manager', 'admin']),
    pinHash: z.string().max(500),
    active: z.boolean(),
    permissions: z.array(z.string()).nullable(),
    pinMustChange: z.boolean(),
    createdAt: epochMs,
    updatedAt: epochMs,
  }),
});

const productUpsert = z.object({
  kind: z.literal('product.upsert'),
  payload: z.object({
    id: ulid,
    traceBarcode: z.string().max(100),
    upc: z.string().max(100).nullable(),
    name: z.string().max(300),
    category: z.string().max(100),
    unitWeightMg: z.number().int(),
    usableWeightMg: z.number().int(),
    thcValue: z.number().int(),
    thcUnit: z.enum(['mg', 'pct_x100']),
    priceCents: cents,
    soldMedical: z.boolean(),
    soldAdultUse: z.boolean(),
    createdAt: epochMs,
    archivedAt: epochMs.nullable(),
    updatedAt: epochMs,
  }),
});

const stockMovement = z.object({
  kind: z.literal('stock.movement'),
  payload: z.object({
    /** The movement's ULID (ledger rows are unioned by it). */
    id: ulid,
    productId: ulid,
    quantityDelta: z.number().int(),
    reason: z.enum(['receive', 'adjust', 'count']),
    referenceId: z.string().max(100).nullable(),
    employeeId: ulid.nullable(),
    at: epochMs,
  }),
});

const rewardsEntry = z.object({
  kind: z.literal('rewards.entry'),
  payload: z.object({
    id: ulid,
    customerId: ulid,
    entryKind: z.enum(['earn', 'redeem', 'adjust', 'reverse', 'return']),
    points: z.number().int(),
    saleId: ulid.nullable(),
    at: epochMs,
  }),
});

const rewardsCard = z.object({
  kind: z.literal('rewards.card'),
  payload: z.object({
    id: ulid,
    cardNumber: z.string().regex(/^\d{8,19}$/),
    customerId: ulid,
    connectedAt: epochMs,
    replacedAt: epochMs.nullable(),
  }),
});

export const saleLine = z.object({
  lineNo: z.number().int().positive(),
  productId: ulid,
  name: z.string().max(300),
  category: z.string().max(100),
  quantity: z.number().int(),
  netCents: cents,
  taxCents: cents,
  /** What the line counted against each limit, {limitId: amount}. */
  allotmentCounts: z.record(z.string(), z.number().int()).nullable(),
});

const saleRecord = z.object({
  kind: z.literal('sale.record'),
  payload: z.object({
    saleId: ulid,
    receiptNumber: z.number().int().positive(),
    customerId: ulid.nullable(),
    patientCustomerId: ulid.nullable(),
    /** A caregiver's sale for a patient kept on their profile: the allotment used is that patient's. */
    caregiverPatientId: ulid.nullish(),
    channel: z.enum(['medical', 'adult_use']),
    employeeId: ulid,
    totalCents: cents,
    taxCents: cents,
    completedAt: epochMs,
    businessDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    queueEntryId: ulid.nullable(),
    /** The allotment grant this medical sale was made under (null: adult use, or the outage policy). */
    grantId: ulid.nullable(),
    /** Sold under the store's outage policy without a grant: flagged for a manager. */
    outagePolicy: z.enum(['none', 'escrow-only', 'allow-and-flag']).default('none'),
    allotmentUsed: z.array(allotmentAmount).max(20),
    lines: z.array(saleLine).min(1).max(500),
  }),
});

const saleVoid = z.object({
  kind: z.literal('sale.void'),
  payload: z.object({
    saleId: ulid,
    /** The return or void's own ULID. */
    returnId: ulid,
    lines: z.array(z.object({ lineNo: z.number().int().positive(), quantity: z.number().int() })).max(500),
    allotmentReturned: z.array(allotmentAmount).max(20),
    employeeId: ulid,
    at: epochMs,
  }),
});

const traceStatus = z.object({
  kind: z.literal('trace.status'),
  payload: z.object({
    saleId: ulid,
    state: z.enum(['pending', 'in_flight', 'acknowledged', 'rejected', 'unknown']),
    at: epochMs,
  }),
});

/** Every command kind, keyed by name. Grow the union here (the hub answers `rejected: unknown kind` to a kind it does not know). */
export const commandBody = z.discriminatedUnion('kind', [
  customerUpsert,
  caregiverPatientUpsert,
  caregiverPatientRemove,
  customerDocumentAdd,
  queueCheckin,
  queueRemove,
  employeeUpsert,
  productUpsert,
  stockMovement,
  rewardsEntry,
  rewardsCard,
  saleRecord,
  saleVoid,
  traceStatus,
]);
export type CommandBody = z.infer<typeof commandBody>;
export type CommandKind = CommandBody['kind'];
export type CommandPayload<K extends CommandKind> = Extract<CommandBody, { kind: K }>['payload'];

/** The envelope of one pushed command (its body is parsed by the hub against commandBody). */
export const commandEnvelope = z.object({
  /** The register's ULID for this command: the idempotency key with deviceId. */
  commandId: ulid,
  deviceId: ulid,
  deviceSeq: z.number().int().positive(),
  /** The register's clock when the command was made (its own ms plus its known offset to the hub). */
  at: epochMs,
  kind: z.string().min(1).max(100),
  payload: z.unknown(),
});
export type CommandEnvelope = z.infer<typeof commandEnvelope>;

export const commandAck = z.object({
  commandId: ulid,
  deviceSeq: z.number().int().positive(),
  status: z.enum(['applied', 'duplicate', 'rejected', 'gap']),
  /** What the command produced (applied/duplicate), or the stored reason (rejected). */
  result: z.unknown().optional(),
  reason: z.string().optional(),
  /** status 'gap': the sequence number the hub expects next; resend from there. */
  expectedSeq: z.number().int().positive().optional(),
});
export type CommandAck = z.infer<typeof commandAck>;

// ---------------------------------------------------------------------------------------------
// Change rows (pull)

export const changeEntity = z.enum([
  'customer',
  'customer_merge',
  'customer_conflict',
  'caregiver_patient',
  'customer_document',
  'queue_entry',
  'employee',
  'product',
  'stock_movement',
  'stock_level',
  'rewards_entry',
  'rewards_balance',
  'rewards_card',
  'sale',
  'allotment_grant',
  'allotment_balance',
  'device',
]);
export type ChangeEntity = z.infer<typeof changeEntity>;

export const changeRow = z.object({
  version: z.number().int().positive(),
  entity: changeEntity,
  id: z.string().min(1),
  op: z.enum(['upsert', 'delete']),
  /** The row as the hub holds it after the change (null on delete). */
  data: z.record(z.string(), z.unknown()).nullable(),
  /** The command that made the change (null: made by the hub itself, e.g. a lease expiry or an admin). */
  commandId: ulid.nullable(),
  deviceId: ulid.nullable(),
  at: epochMs,
});
export type ChangeRow = z.infer<typeof changeRow>;

/** Shape of `data` for the queue entries the hub sends (the live queue every station shows). */
export const queueEntryData = z.object({
  id: ulid,
  customerId: ulid,
  checkedInAs: customerType,
  parentEntryId: ulid.nullable(),
  position: z.number().int(),
  checkedInAt: epochMs,
  checkedInBy: ulid.nullable(),
  allotmentSource: z.string(),
  cardId: z.string().nullable(),
  caregiverCardId: z.string().nullable(),
  caregiverPatientId: ulid.nullish(),
  allotments: z.array(allotmentAmount.extend({ label: z.string(), ceiling: z.number().int() })),
  claimedBy: ulid.nullable(),
  claimedByName: z.string().nullable(),
  leaseUntil: epochMs.nullable(),
  leaseEpoch: z.number().int(),
  removedAt: epochMs.nullable(),
  removedReason: z.string().nullable(),
});
export type QueueEntryData = z.infer<typeof queueEntryData>;

export const grantData = z.object({
  grantId: ulid,
  customerId: ulid,
  entryId: ulid.nullable(),
  deviceId: ulid,
  deviceName: z.string(),
  status: z.enum(['open', 'returned', 'revoked']),
  granted: z.array(allotmentAmount),
  used: z.array(allotmentAmount),
  grantedAt: epochMs,
  closedAt: epochMs.nullable(),
  flagged: z.boolean(),
});
export type GrantData = z.infer<typeof grantData>;

// ---------------------------------------------------------------------------------------------
// Requests (register → hub) and their replies

export const helloRequest = z.object({
  type: z.literal('hello'),
  token: z.string().min(40).max(200),
  protocolVersion: z.number().int().positive(),
  /** The epoch the register last synced with (null: never). */
  knownEpoch: ulid.nullable(),
  /** The register's clock, for the hub's view of its skew. */
  clockMs: epochMs,
  appVersion: z.string().max(50).optional(),
});
export const helloReply = z.object({
  hubId: ulid,
  hubEpoch: ulid,
  deviceId: ulid,
  deviceName: z.string(),
  role: deviceRole,
  /** The highest deviceSeq the hub holds for this device (0: none): push from lastSeq + 1. */
  lastSeq: z.number().int().nonnegative(),
  /** The highest deviceSeq of this device that the hub's latest backup holds: outbox rows up to it may be pruned. */
  backedUpSeq: z.number().int().nonnegative(),
  latestVersion: z.number().int().nonnegative(),
  hubTimeMs: epochMs,
  /** true when knownEpoch differs: forget the version, pull from 0, push again after lastSeq. */
  resync: z.boolean(),
});

export const pushRequest = z.object({
  type: z.literal('push'),
  hubEpoch: ulid,
  commands: z.array(commandEnvelope).min(1).max(MAX_PUSH_BATCH),
});
export const pushReply = z.object({ acks: z.array(commandAck), hubTimeMs: epochMs });

export const pullRequest = z.object({
  type: z.literal('pull'),
  hubEpoch: ulid,
  since: z.number().int().nonnegative(),
  limit: z.number().int().positive().max(MAX_PULL_LIMIT).optional(),
});
export const pullReply = z.object({
  hubEpoch: ulid,
  changes: z.array(changeRow),
  latestVersion: z.number().int().nonnegative(),
  /** More rows wait after the last one returned. */
  more: z.boolean(),
  hubTimeMs: epochMs,
});

export const claimRequest = z.object({
  type: z.literal('claim'),
  hubEpoch: ulid,
  entryId: ulid,
  employeeId: ulid.nullable(),
  /**
   * Whose allotment the sale will use when it is not the entry's customer: the patient a caregiver
   * on this entry buys for (a patient customer, or one kept on the caregiver's profile).
   */
  holderId: ulid.nullish(),
});
export const claimReply = z.object({
  entryId: ulid,
  leaseEpoch: z.number().int().positive(),
  leaseUntil: epochMs,
  /** The allotment grant for a medical patient (null: nothing to grant, e.g. adult use). */
  grant: grantData.nullable(),
  /** Another device holds this patient's allotment: this device may not sell medical to them. */
  grantHeldBy: z.string().nullable(),
  hubTimeMs: epochMs,
});

export const renewRequest = z.object({
  type: z.literal('renew'),
  hubEpoch: ulid,
  entryId: ulid,
  leaseEpoch: z.number().int().positive(),
});
export const renewReply = z.object({ entryId: ulid, leaseEpoch: z.number().int().positive(), leaseUntil: epochMs, hubTimeMs: epochMs });

export const releaseRequest = z.object({
  type: z.literal('release'),
  hubEpoch: ulid,
  entryId: ulid,
  leaseEpoch: z.number().int().positive(),
});
export const releaseReply = z.object({ entryId: ulid, hubTimeMs: epochMs });

export const grantReturnRequest = z.object({
  type: z.literal('grant_return'),
  hubEpoch: ulid,
  grantId: ulid,
  /** Everything sold under the grant (sales not yet pushed included). */
  used: z.array(allotmentAmount).max(20),
});
export const grantReturnReply = z.object({ grant: grantData, hubTimeMs: epochMs });

export const grantRevokeRequest = z.object({
  type: z.literal('grant_revoke'),
  hubEpoch: ulid,
  grantId: ulid,
  /** The manager who approved it (their PIN checked on the register). */
  employeeId: ulid,
  reason: z.string().trim().min(1).max(500),
});
export const grantRevokeReply = z.object({ grant: grantData, hubTimeMs: epochMs });

/** Open grants a register still holds, announced after an epoch change so a restored hub knows them. */
export const grantReconcileRequest = z.object({
  type: z.literal('grant_reconcile'),
  hubEpoch: ulid,
  grants: z.array(grantData.pick({ grantId: true, customerId: true, entryId: true, granted: true, used: true, grantedAt: true })).max(1000),
});
export const grantReconcileReply = z.object({ accepted: z.array(ulid), hubTimeMs: epochMs });

/** The register's own sync state, shown on the hub's device list. */
export const statusRequest = z.object({
  type: z.literal('status'),
  outboxPending: z.number().int().nonnegative(),
  traceUnsent: z.number().int().nonnegative(),
  traceRejected: z.number().int().nonnegative(),
  lastVersion: z.number().int().nonnegative(),
});
export const statusReply = z.object({ hubTimeMs: epochMs });

export const hubRequest = z.discriminatedUnion('type', [
  helloRequest,
  pushRequest,
  pullRequest,
  claimRequest,
  renewRequest,
  releaseRequest,
  grantReturnRequest,
  grantRevokeRequest,
  grantReconcileRequest,
  statusRequest,
]);
export type HubRequest = z.infer<typeof hubRequest>;
export type HubRequestType = HubRequest['type'];

/** The reply schema for each request type. */
export const replySchemas = {
  hello: helloReply,
  push: pushReply,
  pull: pullReply,
  claim: claimReply,
  renew: renewReply,
  release: releaseReply,
  grant_return: grantReturnReply,
  grant_revoke: grantRevokeReply,
  grant_reconcile: grantReconcileReply,
  status: statusReply,
} as const satisfies Record<HubRequestType, z.ZodType>;
export type ReplyOf<T extends HubRequestType> = z.infer<(typeof replySchemas)[T]>;

// ---------------------------------------------------------------------------------------------
// Wire envelopes (WebSocket frames; HTTPS /v1/rpc bodies are a bare request and reply/error)

export const errorCode = z.enum([
  'bad_request',
  'unauthorised',
  'revoked',
  'protocol_version',
  'wrong_epoch',
  'not_found',
  'claimed_elsewhere',
  'lease_lost',
  'grant_not_held',
  'pairing_refused',
  'internal',
]);
export type ErrorCode = z.infer<typeof errorCode>;

export const clientFrame = z.object({ rid: z.number().int().nonnegative(), request: hubRequest });
export type ClientFrame = z.infer<typeof clientFrame>;

export const serverFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('reply'), rid: z.number().int().nonnegative(), body: z.unknown() }),
  z.object({
    type: z.literal('error'),
    rid: z.number().int().nonnegative().nullable(),
    code: errorCode,
    /** Staff-facing words (what to do), never a raw system error. */
    message: z.string(),
    /** wrong_epoch: the hub's epoch. claimed_elsewhere: who holds it. */
    hubEpoch: ulid.optional(),
    heldBy: z.string().optional(),
  }),
  z.object({ type: z.literal('doorbell'), version: z.number().int().nonnegative(), hubEpoch: ulid }),
]);
export type ServerFrame = z.infer<typeof serverFrame>;
export type HubErrorFrame = Extract<ServerFrame, { type: 'error' }>;

/** HMAC proof of the pairing code over the fingerprint the register saw (hex). Node only. */
export function pairingProof(code: string, seenFingerprint256: string): string {
  return createHmac('sha256', code).update(seenFingerprint256).digest('hex');
}
