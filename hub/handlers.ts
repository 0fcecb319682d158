/**
 * Applying each command kind to the hub's tables, inside the command's transaction. A handler adds
 * the change rows registers will pull; it throws Rejection for a command a person must look at.
 * Ledgers (stock, rewards, sales) are unions keyed by the registers' ids: applying one twice is
 * impossible here (the command log already stops it) and harmless anyway (ON CONFLICT DO NOTHING).
 */
import { allotmentHolder, type AllotmentAmount, type CommandKind, type CommandPayload } from './protocol.js';
import type { HandlerContext } from './context.js';
import { Rejection } from './context.js';
import { survivorId, upsertCustomer } from './customers.js';
import { addCustomerCaregiver, removeCaregiverPatient, removeCustomerCaregiver, upsertCaregiverPatient } from './caregivers.js';
import { adjustBalances, balanceChanges, grantData, queueEntryData, subtractAmounts } from './rows.js';

/** A patient customer named on a caregiver's check-in, by their surviving id, and whether the hub links them to that caregiver. */
async function linkedPatient(ctx: HandlerContext, patientCustomerId: string, caregiverId: string): Promise<{ id: string; linked: boolean }> {
  const id = await survivorId(ctx, patientCustomerId);
  if (id === caregiverId) return { id, linked: true };
  const { rowCount } = await ctx.client.query('SELECT 1 FROM customer_caregivers WHERE patient_id = $1 AND caregiver_id = $2 AND removed_at IS NULL', [id, caregiverId]);
  return { id, linked: Boolean(rowCount) };
}

type Handler<K extends CommandKind> = (ctx: HandlerContext, payload: CommandPayload<K>) => Promise<unknown>;

const MEDICAL = new Set(['medical', 'medical_recommendation', 'caregiver']);

async function pushQueueEntry(ctx: HandlerContext, entryId: string): Promise<void> {
  const data = await queueEntryData(ctx.client, entryId);
  if (data) ctx.changes.push({ entity: 'queue_entry', id: entryId, op: 'upsert', data });
}

function pushBalances(ctx: HandlerContext, rows: Array<Record<string, unknown>>): void {
  ctx.changes.push(...balanceChanges(rows));
}

async function moveStock(ctx: HandlerContext, m: { id: string; productId: string; quantityDelta: number; reason: string; referenceId: string | null; employeeId: string | null; at: number }): Promise<void> {
  const inserted = await ctx.client.query(
    `INSERT INTO stock_movements (id, product_id, quantity_delta, reason, reference_id, employee_id, device_id, at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING RETURNING id`,
    [m.id, m.productId, m.quantityDelta, m.reason, m.referenceId, m.employeeId, ctx.deviceId, m.at],
  );
  if (inserted.rowCount === 0) return;
  const { rows } = await ctx.client.query<{ quantity: number }>(
    `INSERT INTO stock_levels (product_id, quantity) VALUES ($1, $2)
     ON CONFLICT (product_id) DO UPDATE SET quantity = stock_levels.quantity + EXCLUDED.quantity RETURNING quantity`,
    [m.productId, m.quantityDelta],
  );
  const quantity = rows[0]?.quantity ?? 0;
  ctx.changes.push({ entity: 'stock_movement', id: m.id, op: 'upsert', data: { ...m, deviceId: ctx.deviceId } });
  // Below zero is allowed (two registers sold while cut off): the level carries a flag for a person.
  ctx.changes.push({ entity: 'stock_level', id: m.productId, op: 'upsert', data: { productId: m.productId, quantity, belowZero: quantity < 0 } });
}

async function saleData(ctx: HandlerContext, saleId: string): Promise<Record<string, unknown> | undefined> {
  const { rows } = await ctx.client.query<Record<string, unknown> & { data: Record<string, unknown> }>('SELECT * FROM sales WHERE id = $1', [saleId]);
  const row = rows[0];
  if (!row) return undefined;
  return {
    ...row.data,
    id: row.id,
    deviceId: row.device_id,
    receiptNumber: row.receipt_number,
    customerId: row.customer_id,
    channel: row.channel,
    status: row.status,
    totalCents: row.total_cents,
    taxCents: row.tax_cents,
    completedAt: row.completed_at,
    businessDate: row.business_date,
    grantId: row.grant_id,
    flagged: row.flagged,
    traceState: row.trace_state,
  };
}

/** Charges a sale's allotment use to its grant (open), or to the patient's free balance (no grant, or a revoked one: flagged). */
async function chargeAllotment(ctx: HandlerContext, customerId: string, grantId: string | null, used: AllotmentAmount[], sign: 1 | -1): Promise<boolean> {
  const signed = used.map((u) => ({ ...u, amount: u.amount * sign }));
  if (grantId) {
    const { rows } = await ctx.client.query<{ status: string; sold: Record<string, number>; device_id: string }>(
      'SELECT status, sold, device_id FROM allotment_grants WHERE grant_id = $1 FOR UPDATE',
      [grantId],
    );
    const grant = rows[0];
    if (grant && grant.status === 'open') {
      const sold = { ...grant.sold };
      for (const u of signed) sold[u.limitId] = (sold[u.limitId] ?? 0) + u.amount;
      await ctx.client.query('UPDATE allotment_grants SET sold = $2::jsonb WHERE grant_id = $1', [grantId, JSON.stringify(sold)]);
      const data = await grantData(ctx.client, grantId);
      if (data) ctx.changes.push({ entity: 'allotment_grant', id: grantId, op: 'upsert', data: { ...data, sold } });
      return grant.device_id !== ctx.deviceId;
    }
    // Returned: the holder's return already counted everything it sold under the grant.
    if (grant && grant.status === 'returned') return false;
    // Revoked (or unknown to a restored hub): a late sale; it comes off the free balance, flagged.
    pushBalances(ctx, await adjustBalances(ctx.client, customerId, signed.map((u) => ({ ...u, amount: -u.amount }))));
    return true;
  }
  pushBalances(ctx, await adjustBalances(ctx.client, customerId, signed.map((u) => ({ ...u, amount: -u.amount }))));
  return false;
}

export const handlers: { [K in CommandKind]: Handler<K> } = {
  'customer.upsert': (ctx, p) => upsertCustomer(ctx, p),

  'caregiver_patient.upsert': (ctx, p) => upsertCaregiverPatient(ctx, p),
  'caregiver_patient.remove': (ctx, p) => removeCaregiverPatient(ctx, p),
  'customer_caregiver.add': (ctx, p) => addCustomerCaregiver(ctx, p),
  'customer_caregiver.remove': (ctx, p) => removeCustomerCaregiver(ctx, p),

  'customer.document.add': async (ctx, p) => {
    const customerId = await survivorId(ctx, p.customerId);
    // Which station added it: the others fetch its file from the hub and say where it comes from meanwhile.
    const data = { ...p, customerId, deviceId: ctx.deviceId };
    const { rowCount } = await ctx.client.query(
      'INSERT INTO customer_documents (id, customer_id, sha256, data) VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT (id) DO NOTHING',
      [p.id, customerId, p.sha256, JSON.stringify(data)],
    );
    if (rowCount) ctx.changes.push({ entity: 'customer_document', id: p.id, op: 'upsert', data });
    return { documentId: p.id };
  },

  'queue.checkin': async (ctx, p) => {
    const customerId = await survivorId(ctx, p.customerId);
    const { rows } = await ctx.client.query<{ next: number }>(
      'SELECT COALESCE(MAX(position), 0) + 1 AS next FROM queue_entries WHERE removed_at IS NULL AND parent_entry_id IS NULL',
    );
    // A caregiver checked in for a patient customer: taken only when the hub links them (as a claim's holder is).
    const patient = p.patientCustomerId ? await linkedPatient(ctx, p.patientCustomerId, customerId) : null;
    const patientCustomerId = patient?.linked ? patient.id : null;
    const data = { checkedInBy: p.checkedInBy, allotmentSource: p.allotmentSource, cardId: p.cardId, caregiverCardId: p.caregiverCardId, caregiverPatientId: p.caregiverPatientId ?? null, patientCustomerId, allotments: p.allotments };
    // A caregiver checked in for a patient (kept on their profile, or a customer): the figure is that patient's.
    const holderId = allotmentHolder({ customerId, caregiverPatientId: p.caregiverPatientId, patientCustomerId });
    await ctx.client.query(
      `INSERT INTO queue_entries (id, customer_id, checked_in_as, parent_entry_id, position, checked_in_at, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) ON CONFLICT (id) DO NOTHING`,
      [p.entryId, customerId, p.checkedInAs, p.parentEntryId, rows[0]?.next ?? 1, p.checkedInAt, JSON.stringify(data)],
    );
    // A patient the hub does not link to this caregiver: the figure is not the caregiver's either, so no balance is kept from it
    // (a register that claims the visit for that patient is refused with words, as any unlinked holder is).
    if (MEDICAL.has(p.checkedInAs) && p.allotmentSource !== 'not_required' && !(patient && !patient.linked)) {
      // The figure at check-in is the patient's remaining allotment; what open grants hold is not free.
      const open = await ctx.client.query<{ granted: AllotmentAmount[] }>("SELECT granted FROM allotment_grants WHERE customer_id = $1 AND status = 'open'", [holderId]);
      const held = open.rows.flatMap((r) => r.granted);
      for (const a of subtractAmounts(p.allotments.map(({ limitId, unit, amount }) => ({ limitId, unit, amount })), held)) {
        if (!p.allotments.some((x) => x.limitId === a.limitId)) continue;
        const remaining = Math.max(0, a.amount);
        await ctx.client.query(
          `INSERT INTO allotment_balances (customer_id, limit_id, unit, remaining, source, snapshot_at) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (customer_id, limit_id) DO UPDATE SET unit = EXCLUDED.unit, remaining = EXCLUDED.remaining, source = EXCLUDED.source, snapshot_at = EXCLUDED.snapshot_at
           WHERE allotment_balances.snapshot_at <= EXCLUDED.snapshot_at`,
          [holderId, a.limitId, a.unit, remaining, p.allotmentSource, p.checkedInAt],
        );
        pushBalances(ctx, [{ customerId: holderId, limitId: a.limitId, unit: a.unit, remaining, source: p.allotmentSource, snapshotAt: p.checkedInAt }]);
      }
    }
    await pushQueueEntry(ctx, p.entryId);
    return { entryId: p.entryId, customerId, ...(patient && !patient.linked ? { patientNotLinked: patient.id } : {}) };
  },

  'queue.remove': async (ctx, p) => {
    const { rowCount } = await ctx.client.query(
      'UPDATE queue_entries SET removed_at = $2, removed_reason = $3, claimed_by = NULL, lease_until = NULL WHERE id = $1 AND removed_at IS NULL',
      [p.entryId, p.removedAt, p.reason],
    );
    if (rowCount) await pushQueueEntry(ctx, p.entryId);
    return { entryId: p.entryId, removed: Boolean(rowCount) };
  },

  'employee.upsert': async (ctx, p) => {
    const { rowCount } = await ctx.client.query(
      `INSERT INTO employees (id, data, updated_at) VALUES ($1, $2::jsonb, $3)
       ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, updated_at = EXCLUDED.updated_at WHERE employees.updated_at <= EXCLUDED.updated_at`,
      [p.id, JSON.stringify(p), p.updatedAt],
    );
    if (rowCount) ctx.changes.push({ entity: 'employee', id: p.id, op: 'upsert', data: p });
    return { applied: Boolean(rowCount) };
  },

  'product.upsert': async (ctx, p) => {
    const { rowCount } = await ctx.client.query(
      `INSERT INTO products (id, data, updated_at) VALUES ($1, $2::jsonb, $3)
       ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, updated_at = EXCLUDED.updated_at WHERE products.updated_at <= EXCLUDED.updated_at`,
      [p.id, JSON.stringify(p), p.updatedAt],
    );
    if (rowCount) ctx.changes.push({ entity: 'product', id: p.id, op: 'upsert', data: p });
    return { applied: Boolean(rowCount) };
  },

  'stock.movement': async (ctx, p) => {
    await moveStock(ctx, p);
    return { movementId: p.id };
  },

  'rewards.entry': async (ctx, p) => {
    const customerId = await survivorId(ctx, p.customerId);
    const inserted = await ctx.client.query(
      `INSERT INTO rewards_ledger (id, customer_id, kind, points, sale_id, device_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
      [p.id, customerId, p.entryKind, p.points, p.saleId, ctx.deviceId, p.at],
    );
    if (!inserted.rowCount) return { entryId: p.id };
    const { rows } = await ctx.client.query<{ points: number }>(
      `INSERT INTO rewards_balances (customer_id, points) VALUES ($1, $2)
       ON CONFLICT (customer_id) DO UPDATE SET points = rewards_balances.points + EXCLUDED.points RETURNING points`,
      [customerId, p.points],
    );
    ctx.changes.push({ entity: 'rewards_entry', id: p.id, op: 'upsert', data: { ...p, customerId, deviceId: ctx.deviceId } });
    ctx.changes.push({ entity: 'rewards_balance', id: customerId, op: 'upsert', data: { customerId, points: rows[0]?.points ?? 0 } });
    return { entryId: p.id, balance: rows[0]?.points ?? 0 };
  },

  'rewards.card': async (ctx, p) => {
    const customerId = await survivorId(ctx, p.customerId);
    const data = { ...p, customerId };
    await ctx.client.query(
      `INSERT INTO rewards_cards (id, card_number, customer_id, data) VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, customer_id = EXCLUDED.customer_id`,
      [p.id, p.cardNumber, customerId, JSON.stringify(data)],
    );
    ctx.changes.push({ entity: 'rewards_card', id: p.id, op: 'upsert', data });
    return { cardId: p.id };
  },

  'sale.record': async (ctx, p) => {
    const customerId = p.customerId ? await survivorId(ctx, p.customerId) : null;
    // Whose allotment the sale used (the one rule the register follows too).
    const patientId = allotmentHolder({ customerId, caregiverPatientId: p.caregiverPatientId, patientCustomerId: p.patientCustomerId ? await survivorId(ctx, p.patientCustomerId) : null });
    const data = { lines: p.lines, allotmentUsed: p.allotmentUsed, outagePolicy: p.outagePolicy, patientCustomerId: patientId, caregiverPatientId: p.caregiverPatientId ?? null, employeeId: p.employeeId, queueEntryId: p.queueEntryId, returns: [] };
    const inserted = await ctx.client.query(
      `INSERT INTO sales (id, device_id, receipt_number, customer_id, channel, status, total_cents, tax_cents, completed_at, business_date, grant_id, flagged, data)
       VALUES ($1, $2, $3, $4, $5, 'completed', $6, $7, $8, $9, $10, false, $11::jsonb) ON CONFLICT (id) DO NOTHING`,
      [p.saleId, ctx.deviceId, p.receiptNumber, customerId, p.channel, p.totalCents, p.taxCents, p.completedAt, p.businessDate, p.grantId, JSON.stringify(data)],
    );
    if (!inserted.rowCount) return { saleId: p.saleId, alreadyMirrored: true };
    // Stock rows are locked in product order, so two sales of the same products never deadlock.
    for (const line of [...p.lines].sort((x, y) => (x.productId < y.productId ? -1 : x.productId > y.productId ? 1 : x.lineNo - y.lineNo))) {
      await moveStock(ctx, { id: `${p.saleId}/${line.lineNo}`, productId: line.productId, quantityDelta: -line.quantity, reason: 'sale', referenceId: p.saleId, employeeId: p.employeeId, at: p.completedAt });
    }
    let flagged = p.outagePolicy === 'allow-and-flag';
    if (p.channel === 'medical' && patientId && p.allotmentUsed.length > 0) {
      flagged = (await chargeAllotment(ctx, patientId, p.grantId, p.allotmentUsed, 1)) || flagged;
    }
    if (flagged) await ctx.client.query('UPDATE sales SET flagged = true WHERE id = $1', [p.saleId]);
    const sale = await saleData(ctx, p.saleId);
    if (sale) ctx.changes.push({ entity: 'sale', id: p.saleId, op: 'upsert', data: sale });
    return { saleId: p.saleId, flagged };
  },

  'sale.void': async (ctx, p) => {
    const { rows } = await ctx.client.query<{ data: { lines: Array<{ lineNo: number; productId: string; quantity: number }>; returns: Array<{ returnId: string; lines: Array<{ lineNo: number; quantity: number }> }>; patientCustomerId: string | null }; grant_id: string | null; channel: string }>(
      'SELECT data, grant_id, channel FROM sales WHERE id = $1 FOR UPDATE',
      [p.saleId],
    );
    const sale = rows[0];
    if (!sale) throw new Rejection('The sale this return belongs to has not reached the hub: push the sale first.');
    if (sale.data.returns.some((r) => r.returnId === p.returnId)) return { returnId: p.returnId, alreadyMirrored: true };
    const byProduct = (line: { lineNo: number }) => sale.data.lines.find((l) => l.lineNo === line.lineNo)?.productId ?? '';
    for (const line of [...p.lines].sort((x, y) => (byProduct(x) < byProduct(y) ? -1 : byProduct(x) > byProduct(y) ? 1 : 0))) {
      const sold = sale.data.lines.find((l) => l.lineNo === line.lineNo);
      if (!sold) throw new Rejection(`Line ${line.lineNo} is not on sale ${p.saleId}.`);
      await moveStock(ctx, { id: `${p.returnId}/${line.lineNo}`, productId: sold.productId, quantityDelta: line.quantity, reason: 'void', referenceId: p.returnId, employeeId: p.employeeId, at: p.at });
    }
    const returns = [...sale.data.returns, { returnId: p.returnId, lines: p.lines }];
    const returnedAll = sale.data.lines.every((l) => returns.reduce((n, r) => n + (r.lines.find((x) => x.lineNo === l.lineNo)?.quantity ?? 0), 0) >= l.quantity);
    await ctx.client.query(`UPDATE sales SET data = jsonb_set(data, '{returns}', $2::jsonb), status = $3 WHERE id = $1`, [p.saleId, JSON.stringify(returns), returnedAll ? 'voided' : 'completed']);
    if (sale.channel === 'medical' && sale.data.patientCustomerId && p.allotmentReturned.length > 0) {
      await chargeAllotment(ctx, sale.data.patientCustomerId, sale.grant_id, p.allotmentReturned, -1);
    }
    const data = await saleData(ctx, p.saleId);
    if (data) ctx.changes.push({ entity: 'sale', id: p.saleId, op: 'upsert', data });
    return { returnId: p.returnId };
  },

  'trace.status': async (ctx, p) => {
    const { rowCount } = await ctx.client.query('UPDATE sales SET trace_state = $3 WHERE id = $1 AND device_id = $2', [p.saleId, ctx.deviceId, p.state]);
    if (!rowCount) throw new Rejection('The sale this track-and-trace status belongs to has not reached the hub from this register.');
    const data = await saleData(ctx, p.saleId);
    if (data) ctx.changes.push({ entity: 'sale', id: p.saleId, op: 'upsert', data });
    return { saleId: p.saleId };
  },
};
