/** Commands a register pushes and the change rows it pulls (protocol.ts step 3–4). */
import { z } from 'zod';
import { cents, epochMs, nonEmpty, ulid, type HubCapability } from './protocol-basics.js';

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

/**
 * A patient customer linked to a caregiver customer (Customers → the patient's caregivers), or the
 * link taken away. By time: a removal wins over an older add and loses to a newer re-add.
 */
const customerCaregiverAdd = z.object({
  kind: z.literal('customer_caregiver.add'),
  payload: z.object({
    patientId: ulid,
    caregiverId: ulid,
    addedAt: epochMs,
  }),
});

const customerCaregiverRemove = z.object({
  kind: z.literal('customer_caregiver.remove'),
  payload: z.object({
    patientId: ulid,
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
    /**
     * A caregiver checked in for a patient who is a customer of their own (linked to them): the
     * allotment below is that patient's. Older registers omit it.
     */
    patientCustomerId: ulid.nullish(),
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
  customerCaregiverAdd,
  customerCaregiverRemove,
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
  'customer_caregiver',
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

/**
 * Change entities a hub sends only on a session whose hello named the capability (protocol-basics.ts
 * HUB_CAPABILITIES): stations of an earlier release refuse a page holding an entity they do not list.
 */
export const ENTITY_CAPABILITY: Partial<Record<ChangeEntity, HubCapability>> = {
  customer_caregiver: 'caregiver_links',
};

const changeRowObject = z.object({
  version: z.number().int().positive(),
  /** 'unknown': an entity this side does not know (a newer hub); its name is in `unknownEntity`. */
  entity: z.union([changeEntity, z.literal('unknown')]),
  unknownEntity: z.string().min(1).max(100).optional(),
  id: z.string().min(1),
  op: z.enum(['upsert', 'delete']),
  /** The row as the hub holds it after the change (null on delete). */
  data: z.record(z.string(), z.unknown()).nullable(),
  /** The command that made the change (null: made by the hub itself, e.g. a lease expiry or an admin). */
  commandId: ulid.nullable(),
  deviceId: ulid.nullable(),
  at: epochMs,
});

/**
 * One change row. A row of an entity this side does not know (sent by a newer hub) parses as
 * entity 'unknown' with the name kept in `unknownEntity`: the station records and skips it rather
 * than refusing the page it came in.
 */
export const changeRow = z.preprocess((raw) => {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const entity = (raw as { entity?: unknown }).entity;
  if (typeof entity !== 'string' || changeEntity.safeParse(entity).success) return raw;
  return { ...raw, entity: 'unknown', unknownEntity: entity.slice(0, 100) || 'unnamed' };
}, changeRowObject);
export type ChangeRow = z.infer<typeof changeRow>;

/** Shape of `data` for a caregiver link (entity customer_caregiver, id `patientId:caregiverId`; op delete: removed). */
export const customerCaregiverData = z.object({
  patientId: ulid,
  caregiverId: ulid,
  addedAt: epochMs,
  removedAt: epochMs.nullable(),
  changedAt: epochMs,
});
export type CustomerCaregiverData = z.infer<typeof customerCaregiverData>;

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
  /** The patient customer a caregiver was checked in for (linked to them on the hub when it took the check-in). */
  patientCustomerId: ulid.nullish(),
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
