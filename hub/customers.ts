/**
 * Customers on the hub: fields merged one by one (a later edit wins; an older edit with another
 * value is listed as a conflict for a manager), and two sign-ups of one person (the same keyed
 * ID hash, made at two stations cut off from each other) merged into the earlier one with a record.
 */
import { ulid } from 'ulid';
import type { CommandPayload, CustomerFields } from './protocol.js';
import { appendHubAudit } from './changes.js';
import type { HandlerContext } from './context.js';
import { balanceChanges, balanceData, grantData, type BalanceRow } from './rows.js';

type Flat = Record<string, unknown>;
type FieldAt = Record<string, number>;

interface CustomerRow {
  id: string;
  identity_key: string | null;
  data: Flat;
  field_at: FieldAt;
  merged_into: string | null;
  created_at: number;
  updated_at: number;
}

function flatten(fields: CustomerFields): Flat {
  const flat: Flat = {};
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'profile' && value && typeof value === 'object') {
      for (const [pk, pv] of Object.entries(value as Flat)) flat[`profile.${pk}`] = pv;
    } else if (value !== undefined) flat[key] = value;
  }
  return flat;
}

/** The customer as registers receive it (change row data). */
export function customerData(row: CustomerRow): Record<string, unknown> {
  const fields: Flat = {};
  const profile: Flat = {};
  for (const [key, value] of Object.entries(row.data)) {
    if (key.startsWith('profile.')) profile[key.slice(8)] = value;
    else fields[key] = value;
  }
  return { id: row.id, identityKey: row.identity_key, mergedInto: row.merged_into, createdAt: row.created_at, updatedAt: row.updated_at, fields: { ...fields, profile } };
}

async function load(ctx: HandlerContext, id: string): Promise<CustomerRow | undefined> {
  const { rows } = await ctx.client.query<CustomerRow>('SELECT * FROM customers WHERE id = $1 FOR UPDATE', [id]);
  return rows[0];
}

/** The customer a (possibly merged) id now stands for. */
export async function survivorId(ctx: HandlerContext, id: string): Promise<string> {
  let current = id;
  for (let i = 0; i < 10; i++) {
    const { rows } = await ctx.client.query<{ merged_into: string | null }>('SELECT merged_into FROM customers WHERE id = $1', [current]);
    const next = rows[0]?.merged_into;
    if (!next) return current;
    current = next;
  }
  return current;
}

interface LinkRow {
  patient_id: string;
  caregiver_id: string;
  added_at: number;
  removed_at: number | null;
  changed_at: number;
}

function linkData(row: LinkRow): Record<string, unknown> {
  return { patientId: row.patient_id, caregiverId: row.caregiver_id, addedAt: row.added_at, removedAt: row.removed_at, changedAt: row.changed_at };
}

/**
 * Caregiver links of a merged customer move to the survivor (as patient and as caregiver), and
 * registers hear of each: the merged id's link removed, the survivor's added. Two links are
 * dropped instead (marked removed on the merged id, published as removed): one the survivor
 * already has (the survivor's row keeps whichever of the two changed last), and one between the
 * merged customer and the survivor, which would link the survivor to themselves.
 */
async function repointCaregiverLinks(ctx: HandlerContext, mergedId: string, survivorIdValue: string): Promise<void> {
  const dropped = async (where: string, params: unknown[]): Promise<LinkRow[]> => {
    const { rows } = await ctx.client.query<LinkRow>(
      `UPDATE customer_caregivers l SET removed_at = COALESCE(l.removed_at, $${params.length + 1}), changed_at = GREATEST(l.changed_at, $${params.length + 1})
        WHERE ${where} RETURNING l.*`,
      [...params, ctx.now],
    );
    for (const row of rows) ctx.changes.push({ entity: 'customer_caregiver', id: `${row.patient_id}:${row.caregiver_id}`, op: 'delete', data: linkData(row) });
    return rows;
  };
  // Between the two: it would become a self-link.
  await dropped('(l.patient_id = $1 AND l.caregiver_id = $2) OR (l.patient_id = $2 AND l.caregiver_id = $1)', [mergedId, survivorIdValue]);
  for (const side of ['patient_id', 'caregiver_id'] as const) {
    const other = side === 'patient_id' ? 'caregiver_id' : 'patient_id';
    // A pair the survivor already has: the survivor's row takes the later-changed state (linked or
    // not), the merged row goes.
    const { rows: newer } = await ctx.client.query<LinkRow>(
      `UPDATE customer_caregivers s SET added_at = l.added_at, removed_at = l.removed_at, changed_at = l.changed_at
         FROM customer_caregivers l
        WHERE l.${side} = $1 AND s.${side} = $2 AND s.${other} = l.${other} AND l.${other} <> $2 AND l.changed_at > s.changed_at
          AND (s.removed_at IS NULL) <> (l.removed_at IS NULL)
        RETURNING s.*`,
      [mergedId, survivorIdValue],
    );
    for (const row of newer) ctx.changes.push({ entity: 'customer_caregiver', id: `${row.patient_id}:${row.caregiver_id}`, op: row.removed_at === null ? 'upsert' : 'delete', data: linkData(row) });
    await dropped(`l.${side} = $1 AND l.${other} <> $2 AND EXISTS (SELECT 1 FROM customer_caregivers s WHERE s.${side} = $2 AND s.${other} = l.${other})`, [mergedId, survivorIdValue]);
    // The rest move. (A dropped row stays on the merged id, marked removed.)
    const { rows } = await ctx.client.query<LinkRow>(
      `UPDATE customer_caregivers l SET ${side} = $2
        WHERE l.${side} = $1 AND l.${other} <> $2 AND NOT EXISTS (SELECT 1 FROM customer_caregivers s WHERE s.${side} = $2 AND s.${other} = l.${other})
        RETURNING *`,
      [mergedId, survivorIdValue],
    );
    for (const row of rows) {
      const before = side === 'patient_id' ? { patientId: mergedId, caregiverId: row.caregiver_id } : { patientId: row.patient_id, caregiverId: mergedId };
      const data = linkData(row);
      ctx.changes.push({ entity: 'customer_caregiver', id: `${before.patientId}:${before.caregiverId}`, op: 'delete', data: { ...data, ...before, removedAt: row.removed_at ?? ctx.now } });
      ctx.changes.push({ entity: 'customer_caregiver', id: `${row.patient_id}:${row.caregiver_id}`, op: row.removed_at === null ? 'upsert' : 'delete', data });
    }
  }
}

/**
 * A merged patient's allotment is the survivor's: their grants (open ones included, so a claim
 * for the survivor sees that a register already holds this person's allotment, and a return
 * frees it to the survivor) and their free balance per limit. Where both hold a figure for one
 * limit, the lower stays: the two sign-ups are one person, and the lower figure never sells
 * more than the state allows. The merged id's balance rows go, published as removed.
 */
async function moveAllotment(ctx: HandlerContext, mergedId: string, survivorIdValue: string): Promise<void> {
  const { rows: grants } = await ctx.client.query<{ grant_id: string }>('UPDATE allotment_grants SET customer_id = $2 WHERE customer_id = $1 RETURNING grant_id', [mergedId, survivorIdValue]);
  for (const g of grants) {
    const data = await grantData(ctx.client, g.grant_id);
    if (data) ctx.changes.push({ entity: 'allotment_grant', id: g.grant_id, op: 'upsert', data });
  }
  const { rows: removed } = await ctx.client.query<BalanceRow>('DELETE FROM allotment_balances WHERE customer_id = $1 RETURNING limit_id, unit, remaining, source, snapshot_at', [mergedId]);
  for (const b of removed) {
    const { rows } = await ctx.client.query<BalanceRow>(
      `INSERT INTO allotment_balances (customer_id, limit_id, unit, remaining, source, snapshot_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (customer_id, limit_id) DO UPDATE SET remaining = LEAST(allotment_balances.remaining, EXCLUDED.remaining),
         snapshot_at = GREATEST(allotment_balances.snapshot_at, EXCLUDED.snapshot_at)
       RETURNING limit_id, unit, remaining, source, snapshot_at`,
      [survivorIdValue, b.limit_id, b.unit, b.remaining, b.source, b.snapshot_at],
    );
    ctx.changes.push({ entity: 'allotment_balance', id: `${mergedId}:${b.limit_id}`, op: 'delete', data: { customerId: mergedId, limitId: b.limit_id, mergedInto: survivorIdValue } });
    ctx.changes.push(...balanceChanges(rows.map((kept) => balanceData(survivorIdValue, kept))));
  }
}

/** Per-field merge of `incoming` (set at `at` by the sending device) into `row`; conflicts recorded. */
async function mergeFields(ctx: HandlerContext, row: CustomerRow, incoming: Flat, incomingAt: FieldAt, lostDeviceId: string): Promise<CustomerRow> {
  const data = { ...row.data };
  const fieldAt = { ...row.field_at };
  for (const [field, value] of Object.entries(incoming)) {
    const at = incomingAt[field] ?? ctx.at;
    const storedAt = fieldAt[field];
    const same = JSON.stringify(data[field] ?? null) === JSON.stringify(value ?? null);
    if (storedAt === undefined || at >= storedAt) {
      data[field] = value;
      fieldAt[field] = at;
    } else if (!same) {
      await ctx.client.query(
        `INSERT INTO customer_conflicts (id, customer_id, field, kept_value, kept_at, lost_value, lost_at, lost_device_id, command_id)
         VALUES ($1, $2, $3, $4::jsonb, $5, $6::jsonb, $7, $8, $9)`,
        [ulid(), row.id, field, JSON.stringify(data[field] ?? null), storedAt, JSON.stringify(value ?? null), at, lostDeviceId, ctx.commandId],
      );
      ctx.changes.push({ entity: 'customer_conflict', id: `${row.id}:${field}:${ctx.commandId}`, op: 'upsert', data: { customerId: row.id, field, keptValue: data[field] ?? null, keptAt: storedAt, lostValue: value ?? null, lostAt: at, lostDeviceId } });
    }
  }
  const updatedAt = Math.max(row.updated_at, ...Object.values(fieldAt));
  await ctx.client.query('UPDATE customers SET data = $2::jsonb, field_at = $3::jsonb, updated_at = $4 WHERE id = $1', [row.id, JSON.stringify(data), JSON.stringify(fieldAt), updatedAt]);
  return { ...row, data, field_at: fieldAt, updated_at: updatedAt };
}

export async function upsertCustomer(ctx: HandlerContext, p: CommandPayload<'customer.upsert'>): Promise<{ customerId: string; mergedInto: string | null }> {
  const incoming = flatten(p.fields);
  const incomingAt: FieldAt = Object.fromEntries(Object.keys(incoming).map((k) => [k, ctx.at]));
  const existing = await load(ctx, p.customerId);
  if (existing) {
    const targetId = existing.merged_into ? await survivorId(ctx, existing.id) : existing.id;
    const target = targetId === existing.id ? existing : await load(ctx, targetId);
    if (!target) throw new Error(`customer ${targetId} is missing`);
    const merged = await mergeFields(ctx, target, incoming, incomingAt, ctx.deviceId);
    ctx.changes.push({ entity: 'customer', id: merged.id, op: 'upsert', data: customerData(merged) });
    return { customerId: p.customerId, mergedInto: existing.merged_into ? merged.id : null };
  }
  await ctx.client.query(
    'INSERT INTO customers (id, identity_key, data, field_at, merged_into, created_at, updated_at) VALUES ($1, $2, $3::jsonb, $4::jsonb, NULL, $5, $6)',
    [p.customerId, p.identityKey, JSON.stringify(incoming), JSON.stringify(incomingAt), p.createdAt, ctx.at],
  );
  const created = await load(ctx, p.customerId);
  if (!created) throw new Error('customer insert vanished');
  if (p.identityKey) {
    const { rows } = await ctx.client.query<CustomerRow>(
      'SELECT * FROM customers WHERE identity_key = $1 AND merged_into IS NULL AND id <> $2 ORDER BY id LIMIT 1 FOR UPDATE',
      [p.identityKey, p.customerId],
    );
    const twin = rows[0];
    if (twin) {
      // The earlier ULID survives; the other's fields merge into it by the same per-field rule.
      const [survivor, merged] = twin.id < created.id ? [twin, created] : [created, twin];
      const kept = await mergeFields(ctx, survivor, merged.data, merged.field_at, ctx.deviceId);
      await ctx.client.query('UPDATE customers SET merged_into = $2 WHERE id = $1', [merged.id, survivor.id]);
      await ctx.client.query('UPDATE queue_entries SET customer_id = $2 WHERE customer_id = $1', [merged.id, survivor.id]);
      // A caregiver's visit for the merged patient customer is the survivor's (a claim compares against it).
      await ctx.client.query("UPDATE queue_entries SET data = jsonb_set(data, '{patientCustomerId}', to_jsonb($2::text)) WHERE data ->> 'patientCustomerId' = $1", [merged.id, survivor.id]);
      await repointCaregiverLinks(ctx, merged.id, survivor.id);
      await moveAllotment(ctx, merged.id, survivor.id);
      const mergeId = ulid();
      await ctx.client.query('INSERT INTO customer_merges (id, survivor_id, merged_id, identity_key, command_id, at) VALUES ($1, $2, $3, $4, $5, $6)', [
        mergeId,
        survivor.id,
        merged.id,
        p.identityKey,
        ctx.commandId,
        ctx.now,
      ]);
      await appendHubAudit(ctx.client, { deviceId: ctx.deviceId, employeeId: null, action: 'customer.merged', details: { survivorId: survivor.id, mergedId: merged.id }, at: ctx.now });
      ctx.changes.push({ entity: 'customer', id: kept.id, op: 'upsert', data: customerData(kept) });
      ctx.changes.push({ entity: 'customer', id: merged.id, op: 'upsert', data: customerData({ ...merged, merged_into: survivor.id }) });
      ctx.changes.push({ entity: 'customer_merge', id: mergeId, op: 'upsert', data: { survivorId: survivor.id, mergedId: merged.id, at: ctx.now } });
      return { customerId: p.customerId, mergedInto: merged.id === p.customerId ? survivor.id : null };
    }
  }
  ctx.changes.push({ entity: 'customer', id: created.id, op: 'upsert', data: customerData(created) });
  return { customerId: p.customerId, mergedInto: null };
}
