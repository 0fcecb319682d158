/**
 * Caregivers and their patients on the hub:
 *
 *  - patients kept on a caregiver's profile (`caregiver_patients`): a removal is final. An edit
 *    arriving after it (a station cut off, or a slow clock) changes nothing, and an edit newer than
 *    a removal does not undo it either (a patient added again is a new record with a new id).
 *  - patient customers linked to caregiver customers (`customer_caregivers`): by time (the
 *    register's clock corrected to the hub's). A removal wins over an older add and loses to a
 *    newer re-add; on a tie the removal wins.
 *
 * Every station converges: when a command loses, the hub publishes its own state of the row again,
 * so the station that sent it (and kept its local change) takes the hub's word on its next pull.
 *
 * Also here: the check that a claim's `holderId` (whose allotment a caregiver's visit uses) is the
 * visit's customer or a patient linked to them.
 */
import type pg from 'pg';
import type { CommandPayload, CustomerCaregiverData } from './protocol.js';
import type { HandlerContext } from './context.js';
import { survivorId } from './customers.js';

interface CaregiverPatientRow {
  caregiver_id: string;
  data: Record<string, unknown>;
}

function isRemoved(data: Record<string, unknown>): boolean {
  return typeof data.removedAt === 'number';
}

/** The hub's state of a kept patient, published again (for a station whose command lost). */
async function republishCaregiverPatient(ctx: HandlerContext, id: string): Promise<'removed' | 'kept' | 'unknown'> {
  const { rows } = await ctx.client.query<CaregiverPatientRow>('SELECT caregiver_id, data FROM caregiver_patients WHERE id = $1', [id]);
  const row = rows[0];
  if (!row) return 'unknown';
  if (isRemoved(row.data)) {
    ctx.changes.push({ entity: 'caregiver_patient', id, op: 'delete', data: { id, caregiverId: row.caregiver_id, removedAt: row.data.removedAt } });
    return 'removed';
  }
  ctx.changes.push({ entity: 'caregiver_patient', id, op: 'upsert', data: row.data });
  return 'kept';
}

export async function upsertCaregiverPatient(ctx: HandlerContext, p: CommandPayload<'caregiver_patient.upsert'>): Promise<{ applied: boolean; removed?: true }> {
  const caregiverId = await survivorId(ctx, p.caregiverId);
  const data = { ...p, caregiverId };
  const { rowCount } = await ctx.client.query(
    `INSERT INTO caregiver_patients (id, caregiver_id, data, updated_at) VALUES ($1, $2, $3::jsonb, $4)
     ON CONFLICT (id) DO UPDATE SET caregiver_id = EXCLUDED.caregiver_id, data = EXCLUDED.data, updated_at = EXCLUDED.updated_at
     WHERE caregiver_patients.updated_at <= EXCLUDED.updated_at AND NOT (caregiver_patients.data ? 'removedAt')`,
    [p.id, caregiverId, JSON.stringify(data), p.updatedAt],
  );
  if (rowCount) {
    ctx.changes.push({ entity: 'caregiver_patient', id: p.id, op: 'upsert', data });
    return { applied: true };
  }
  // Lost: removed already, or a newer edit is kept. The sender still holds its own edit: say again what holds.
  const state = await republishCaregiverPatient(ctx, p.id);
  return state === 'removed' ? { applied: false, removed: true } : { applied: false };
}

export async function removeCaregiverPatient(ctx: HandlerContext, p: CommandPayload<'caregiver_patient.remove'>): Promise<{ removed: boolean }> {
  // A tombstone: no later or earlier edit brings the patient back. The first removal's time is kept.
  const caregiverId = await survivorId(ctx, p.caregiverId);
  const { rowCount } = await ctx.client.query(
    `INSERT INTO caregiver_patients (id, caregiver_id, data, updated_at) VALUES ($1, $2, $3::jsonb, $4)
     ON CONFLICT (id) DO UPDATE SET data = caregiver_patients.data || jsonb_build_object('removedAt', EXCLUDED.updated_at),
       updated_at = GREATEST(caregiver_patients.updated_at, EXCLUDED.updated_at)
     WHERE NOT (caregiver_patients.data ? 'removedAt')`,
    [p.id, caregiverId, JSON.stringify({ id: p.id, caregiverId, removedAt: p.removedAt }), p.removedAt],
  );
  await republishCaregiverPatient(ctx, p.id);
  return { removed: Boolean(rowCount) };
}

interface LinkRow {
  patient_id: string;
  caregiver_id: string;
  added_at: number;
  removed_at: number | null;
  changed_at: number;
}

function linkData(row: LinkRow): CustomerCaregiverData {
  return { patientId: row.patient_id, caregiverId: row.caregiver_id, addedAt: row.added_at, removedAt: row.removed_at, changedAt: row.changed_at };
}

/** The link as the hub holds it now, published (upsert: linked; delete: removed). */
async function publishLink(ctx: HandlerContext, patientId: string, caregiverId: string): Promise<boolean> {
  const { rows } = await ctx.client.query<LinkRow>('SELECT * FROM customer_caregivers WHERE patient_id = $1 AND caregiver_id = $2', [patientId, caregiverId]);
  const row = rows[0];
  if (!row) return false;
  const linked = row.removed_at === null;
  ctx.changes.push({ entity: 'customer_caregiver', id: `${patientId}:${caregiverId}`, op: linked ? 'upsert' : 'delete', data: linkData(row) });
  return linked;
}

export async function addCustomerCaregiver(ctx: HandlerContext, p: CommandPayload<'customer_caregiver.add'>): Promise<{ linked: boolean }> {
  const patientId = await survivorId(ctx, p.patientId);
  const caregiverId = await survivorId(ctx, p.caregiverId);
  // Linked already: only the time moves on (a removal older than this add loses). Removed: only a newer add links again.
  await ctx.client.query(
    `INSERT INTO customer_caregivers (patient_id, caregiver_id, added_at, removed_at, changed_at) VALUES ($1, $2, $3, NULL, $4)
     ON CONFLICT (patient_id, caregiver_id) DO UPDATE SET
       added_at = CASE WHEN customer_caregivers.removed_at IS NULL THEN customer_caregivers.added_at ELSE EXCLUDED.added_at END,
       removed_at = NULL,
       changed_at = GREATEST(customer_caregivers.changed_at, EXCLUDED.changed_at)
     WHERE customer_caregivers.removed_at IS NULL OR customer_caregivers.changed_at < EXCLUDED.changed_at`,
    [patientId, caregiverId, p.addedAt, ctx.at],
  );
  return { linked: await publishLink(ctx, patientId, caregiverId) };
}

export async function removeCustomerCaregiver(ctx: HandlerContext, p: CommandPayload<'customer_caregiver.remove'>): Promise<{ linked: boolean }> {
  const patientId = await survivorId(ctx, p.patientId);
  const caregiverId = await survivorId(ctx, p.caregiverId);
  await ctx.client.query(
    `INSERT INTO customer_caregivers (patient_id, caregiver_id, added_at, removed_at, changed_at) VALUES ($1, $2, $3, $3, $4)
     ON CONFLICT (patient_id, caregiver_id) DO UPDATE SET
       removed_at = COALESCE(customer_caregivers.removed_at, EXCLUDED.removed_at),
       changed_at = GREATEST(customer_caregivers.changed_at, EXCLUDED.changed_at)
     WHERE customer_caregivers.removed_at IS NOT NULL OR customer_caregivers.changed_at <= EXCLUDED.changed_at`,
    [patientId, caregiverId, p.removedAt, ctx.at],
  );
  return { linked: await publishLink(ctx, patientId, caregiverId) };
}

/** Whose allotment a claim names, once checked: a patient kept on the profile, or a patient customer. */
export type CheckedHolder = { ok: true; caregiverPatientId: string | null; patientCustomerId: string | null } | { ok: false; message: string };

async function customerName(client: pg.PoolClient, id: string): Promise<string | null> {
  const { rows } = await client.query<{ name: string | null }>("SELECT trim(concat_ws(' ', data ->> 'firstName', data ->> 'lastName')) AS name FROM customers WHERE id = $1", [id]);
  return rows[0]?.name || null;
}

/**
 * A register names `holderId` on a claim (whose allotment it will sell against). The hub takes it
 * only when it is the entry's customer, or a patient linked to them (a patient customer linked on
 * the hub, or a patient kept on their profile and not removed), and, when the visit was checked in
 * for a patient (kept, or a customer), only that patient.
 */
export async function checkHolder(
  client: pg.PoolClient,
  entry: { customerId: string; caregiverPatientId: string | null; patientCustomerId?: string | null | undefined },
  named: string | null,
): Promise<CheckedHolder> {
  // A register that names no holder (an older one) serves the visit as it was checked in: for its patient customer, if any.
  const holderId = named ?? entry.patientCustomerId ?? null;
  const none = { ok: true as const, caregiverPatientId: entry.caregiverPatientId, patientCustomerId: null };
  if (holderId === null || holderId === entry.customerId) return none;
  // A register may still know a merged customer by the id it signed them up with.
  const survivor = await client.query<{ id: string }>(
    `WITH RECURSIVE chain(id, next, depth) AS (SELECT id, merged_into, 0 FROM customers WHERE id = $1
       UNION ALL SELECT c.id, c.merged_into, chain.depth + 1 FROM customers c JOIN chain ON c.id = chain.next WHERE chain.depth < 10)
     SELECT id FROM chain WHERE next IS NULL LIMIT 1`,
    [holderId],
  );
  if (survivor.rows[0] && survivor.rows[0].id !== holderId) return checkHolder(client, entry, survivor.rows[0].id);
  const caregiver = (await customerName(client, entry.customerId)) ?? 'this caregiver';
  if ((entry.caregiverPatientId && holderId !== entry.caregiverPatientId) || (entry.patientCustomerId && holderId !== entry.patientCustomerId)) {
    return { ok: false, message: `${caregiver} was checked in for another patient: check them in again for this patient, then serve them.` };
  }
  const kept = await client.query<{ data: Record<string, unknown> }>('SELECT data FROM caregiver_patients WHERE id = $1 AND caregiver_id = $2', [holderId, entry.customerId]);
  const keptRow = kept.rows[0];
  if (keptRow && !isRemoved(keptRow.data)) return { ok: true, caregiverPatientId: holderId, patientCustomerId: null };
  if (!keptRow) {
    const linked = await client.query('SELECT 1 FROM customer_caregivers WHERE patient_id = $1 AND caregiver_id = $2 AND removed_at IS NULL', [holderId, entry.customerId]);
    if (linked.rowCount) return { ok: true, caregiverPatientId: null, patientCustomerId: holderId };
  }
  const patient = (await customerName(client, holderId)) ?? (typeof keptRow?.data.firstName === 'string' ? `${keptRow.data.firstName} ${String(keptRow.data.lastName ?? '')}`.trim() : 'This patient');
  return {
    ok: false,
    message: `${patient} is not linked to ${caregiver} on the store hub, so ${caregiver} cannot buy with ${patient}'s allotment. Link them on the patient's profile in Customers (Caregivers), then serve them again.`,
  };
}
