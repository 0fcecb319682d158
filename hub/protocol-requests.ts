/** Pairing, the requests a register sends, their replies and the wire frames (protocol.ts steps 1–2, 5–7). */
import { z } from 'zod';
import { deviceRole, epochMs, fingerprint256, MAX_PULL_LIMIT, MAX_PUSH_BATCH, ulid } from './protocol-basics.js';
import { allotmentAmount, changeRow, commandAck, commandEnvelope, grantData } from './protocol-commands.js';

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
  /** Behaviour this station asks for (HUB_CAPABILITIES); names the hub does not know are ignored. */
  capabilities: z.array(z.string().min(1).max(40)).max(20).optional(),
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
  /** The capabilities asked for that this hub gives on this session (absent from older hubs). */
  capabilities: z.array(z.string()).optional(),
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
  'holder_not_linked',
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
