/**
 * One capture function per capability: called inside the capability's own write transaction, right
 * after the change, it reads the changed rows back and adds the command the hub needs to the hub
 * outbox (nothing when no hub is paired). The capabilities keep their SQL; this file only reads.
 *
 *   customers  captureCustomer(sqlite, id, before, now)   (before: customerSnapshot() taken before an edit)
 *              captureCaregiverPatient(sqlite, id, now), captureCaregiverPatientRemoval(sqlite, id, caregiverId, now),
 *              captureCaregiverLinks(sqlite, changes, now) (after captureCustomer), captureCustomerDocument(sqlite, id, now)
 *   staff      captureEmployee(sqlite, id, now)
 *   catalogue  captureProduct(sqlite, id, now), captureStockMovement(sqlite, movement)
 *   rewards    captureRewardsEntry(sqlite, ledgerRowId), captureRewardsCard(sqlite, cardId)
 *   checkout   captureSale(sqlite, saleId), captureSaleReturn(sqlite, returnId)
 *   queue      captureCheckin(sqlite, entryId), captureQueueRemoval(sqlite, entryId)
 */
import type { ProductRow } from '../catalogue/products.js';
import type Database from 'better-sqlite3';
import { cachedStatement } from '../store/statements.js';
import { newId } from '../store/ids.js';
import { enqueueHubCommand, hubPaired } from './outbox.js';
import { allotmentHolder, type AllotmentAmount, type CommandPayload } from '../../hub/protocol.js';

type Scalar = string | number | boolean | null;
/** A customer's fields as the hub merges them (per field, later edit wins). */
export type CustomerSnapshot = Record<string, Scalar | Record<string, Scalar>>;

interface CustomerRow {
  id: string;
  customer_type: string;
  first_name: string;
  middle_name: string | null;
  last_name: string;
  date_of_birth: string;
  identification_expires: string | null;
  medical_id: string | null;
  medical_id_expires: string | null;
  caregiver_id: string | null;
  caregiver_id_expires: string | null;
  phone: string | null;
  email: string | null;
  licence_number: string | null;
  licence_key: string | null;
  licence_state: string | null;
  nickname: string | null;
  notes: string | null;
  gender: string;
  banned: number;
  warning_1: number;
  warning_2: number;
  adult_use: number | null;
  state_medical_id: number | null;
  caregiver_licence: number | null;
  created_at: number;
}

export const TOP_FIELDS: Array<[string, keyof CustomerRow]> = [
  ['customerType', 'customer_type'],
  ['firstName', 'first_name'],
  ['middleName', 'middle_name'],
  ['lastName', 'last_name'],
  ['dateOfBirth', 'date_of_birth'],
  ['identificationExpires', 'identification_expires'],
  ['medicalId', 'medical_id'],
  ['medicalIdExpires', 'medical_id_expires'],
  ['caregiverId', 'caregiver_id'],
  ['caregiverIdExpires', 'caregiver_id_expires'],
  ['phone', 'phone'],
  ['email', 'email'],
  ['licenceNumber', 'licence_number'],
  ['licenceState', 'licence_state'],
  ['nickname', 'nickname'],
  ['notes', 'notes'],
];
export const FLAG_FIELDS: Array<keyof CustomerRow> = ['gender', 'banned', 'warning_1', 'warning_2', 'adult_use', 'state_medical_id', 'caregiver_licence'];

function customerRow(sqlite: Database.Database, id: string): CustomerRow | undefined {
  return cachedStatement(sqlite, 'SELECT * FROM customers WHERE id = ?').get(id) as CustomerRow | undefined;
}

/** The customer's fields now (null: no such customer). Take it before an edit to send only what changed. */
export function customerSnapshot(sqlite: Database.Database, id: string): CustomerSnapshot | null {
  if (!hubPaired(sqlite)) return null;
  const row = customerRow(sqlite, id);
  if (!row) return null;
  const snapshot: CustomerSnapshot = {};
  for (const [field, column] of TOP_FIELDS) snapshot[field] = row[column] as Scalar;
  const profile: Record<string, Scalar> = {};
  for (const column of FLAG_FIELDS) profile[column] = row[column] as Scalar;
  const extra = cachedStatement(sqlite, 'SELECT * FROM customer_profiles WHERE customer_id = ?').get(id) as Record<string, Scalar> | undefined;
  for (const [column, value] of Object.entries(extra ?? {})) {
    if (column !== 'customer_id' && column !== 'updated_at') profile[column] = value;
  }
  snapshot.profile = profile;
  return snapshot;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A new or edited customer: only the fields that differ from `before` (all of them for a new one). */
export function captureCustomer(sqlite: Database.Database, id: string, before: CustomerSnapshot | null, now: number): void {
  const after = customerSnapshot(sqlite, id);
  const row = after ? customerRow(sqlite, id) : undefined;
  if (!after || !row) return;
  const fields: CustomerSnapshot = {};
  for (const [field, value] of Object.entries(after)) {
    if (field === 'profile' && before?.profile && typeof value === 'object' && value !== null) {
      const changed: Record<string, Scalar> = {};
      const old = before.profile as Record<string, Scalar>;
      for (const [column, v] of Object.entries(value)) if (!sameValue(old[column] ?? null, v)) changed[column] = v;
      if (Object.keys(changed).length > 0) fields.profile = changed;
    } else if (!before || !sameValue(before[field], value)) {
      fields[field] = value;
    }
  }
  if (before && Object.keys(fields).length === 0) return;
  enqueueHubCommand(sqlite, 'customer.upsert', { customerId: id, identityKey: row.licence_key, createdAt: row.created_at, fields }, now);
}

export function captureCaregiverPatient(sqlite: Database.Database, id: string, now: number): void {
  if (!hubPaired(sqlite)) return;
  const row = cachedStatement(sqlite, 'SELECT * FROM caregiver_patients WHERE id = ?').get(id) as
    | { id: string; caregiver_id: string; first_name: string; last_name: string; medical_licence: string; licence_expires: string; date_of_birth: string | null; updated_at: number }
    | undefined;
  if (!row) return;
  enqueueHubCommand(
    sqlite,
    'caregiver_patient.upsert',
    {
      id: row.id,
      caregiverId: row.caregiver_id,
      firstName: row.first_name,
      lastName: row.last_name,
      medicalLicence: row.medical_licence,
      licenceExpires: row.licence_expires,
      dateOfBirth: row.date_of_birth,
      updatedAt: row.updated_at,
    },
    now,
  );
}

/** A patient taken off a caregiver's profile: its own kind, so the removal reaches every station. */
export function captureCaregiverPatientRemoval(sqlite: Database.Database, id: string, caregiverId: string, now: number): void {
  if (!hubPaired(sqlite)) return;
  enqueueHubCommand(sqlite, 'caregiver_patient.remove', { id, caregiverId, removedAt: now }, now);
}

/** Caregiver links of a patient customer changed in one edit (Customers → the patient's caregivers). */
export interface CaregiverLinkChanges {
  patientId: string;
  added: Array<{ caregiverId: string; at: number }>;
  removed: string[];
}

/**
 * A patient customer's caregivers added or taken away: call after captureCustomer (the hub and the
 * other stations need the patient before the link). Each link is its own command, so the latest of
 * an add and a removal made at two stations wins.
 */
export function captureCaregiverLinks(sqlite: Database.Database, changes: CaregiverLinkChanges, now: number): void {
  if (!hubPaired(sqlite)) return;
  for (const caregiverId of changes.removed) {
    enqueueHubCommand(sqlite, 'customer_caregiver.remove', { patientId: changes.patientId, caregiverId, removedAt: now }, now);
  }
  for (const { caregiverId, at } of changes.added) {
    enqueueHubCommand(sqlite, 'customer_caregiver.add', { patientId: changes.patientId, caregiverId, addedAt: at }, at);
  }
}

export function captureCustomerDocument(sqlite: Database.Database, id: string, now: number): void {
  if (!hubPaired(sqlite)) return;
  const row = cachedStatement(sqlite, 'SELECT * FROM customer_documents WHERE id = ?').get(id) as
    | { id: string; customer_id: string; kind: CommandPayload<'customer.document.add'>['docKind']; title: string; sha256: string; mime: string; size_bytes: number; added_at: number; added_by: string | null }
    | undefined;
  if (!row) return;
  enqueueHubCommand(
    sqlite,
    'customer.document.add',
    { id: row.id, customerId: row.customer_id, docKind: row.kind, title: row.title, sha256: row.sha256, mime: row.mime, sizeBytes: row.size_bytes, addedAt: row.added_at, addedBy: row.added_by },
    now,
  );
}

export function captureEmployee(sqlite: Database.Database, id: string, now: number): void {
  if (!hubPaired(sqlite)) return;
  const row = cachedStatement(sqlite, 'SELECT * FROM employees WHERE id = ?').get(id) as
    | { id: string; name: string; role: CommandPayload<'employee.upsert'>['role']; pin_hash: string; active: number; permissions: string | null; pin_must_change: number; created_at: number }
    | undefined;
  if (!row) return;
  enqueueHubCommand(
    sqlite,
    'employee.upsert',
    {
      id: row.id,
      name: row.name,
      role: row.role,
      pinHash: row.pin_hash,
      active: row.active === 1,
      permissions: row.permissions === null ? null : (JSON.parse(row.permissions) as string[]),
      pinMustChange: row.pin_must_change === 1,
      createdAt: row.created_at,
      updatedAt: now,
    },
    now,
  );
}

export function captureProduct(sqlite: Database.Database, id: string, now: number): void {
  if (!hubPaired(sqlite)) return;
  // The catalogue's own row shape, without its computed columns (stock on hand, barcodes).
  const row = cachedStatement(sqlite, 'SELECT * FROM products WHERE id = ?').get(id) as
    | (Omit<ProductRow, 'on_hand' | 'barcodes'> & { created_at: number; updated_at: number | null })
    | undefined;
  if (!row) return;
  enqueueHubCommand(
    sqlite,
    'product.upsert',
    {
      id: row.id,
      traceBarcode: row.trace_barcode,
      upc: row.upc,
      name: row.name,
      category: row.category,
      unitWeightMg: row.unit_weight_mg,
      usableWeightMg: row.usable_weight_mg,
      thcValue: row.thc_value,
      thcUnit: row.thc_unit,
      priceCents: row.price_cents,
      soldMedical: row.sold_medical === 1,
      soldAdultUse: row.sold_adult_use === 1,
      createdAt: row.created_at,
      archivedAt: row.archived_at,
      updatedAt: row.updated_at ?? row.created_at,
    },
    now,
  );
}

/** A receipt or an adjustment (sales and returns carry their own movements in sale commands). */
export function captureStockMovement(
  sqlite: Database.Database,
  movement: { productId: string; quantityDelta: number; reason: 'receive' | 'adjust' | 'count'; referenceId: string | null; employeeId: string | null; at: number },
): void {
  if (!hubPaired(sqlite)) return;
  // Local movement ids are integers that never leave the register: the hub's ledger needs a ULID.
  enqueueHubCommand(sqlite, 'stock.movement', { id: newId(movement.at), ...movement }, movement.at);
}

export function captureRewardsEntry(sqlite: Database.Database, ledgerRowId: number | bigint): void {
  if (!hubPaired(sqlite)) return;
  const row = cachedStatement(sqlite, 'SELECT * FROM rewards_ledger WHERE id = ?').get(ledgerRowId) as
    | { customer_id: string; kind: CommandPayload<'rewards.entry'>['entryKind']; points: number; sale_id: string | null; at: number }
    | undefined;
  if (!row) return;
  enqueueHubCommand(
    sqlite,
    'rewards.entry',
    { id: newId(row.at), customerId: row.customer_id, entryKind: row.kind, points: row.points, saleId: row.sale_id, at: row.at },
    row.at,
  );
}

export function captureRewardsCard(sqlite: Database.Database, cardId: string, now: number): void {
  if (!hubPaired(sqlite)) return;
  const row = cachedStatement(sqlite, 'SELECT * FROM rewards_cards WHERE id = ?').get(cardId) as
    | { id: string; card_number: string; customer_id: string; connected_at: number; replaced_at: number | null }
    | undefined;
  if (!row) return;
  enqueueHubCommand(
    sqlite,
    'rewards.card',
    { id: row.id, cardNumber: row.card_number, customerId: row.customer_id, connectedAt: row.connected_at, replacedAt: row.replaced_at },
    now,
  );
}

type Amount = AllotmentAmount;

function sumAmounts(rows: Amount[]): Amount[] {
  const by = new Map<string, Amount>();
  for (const row of rows) {
    const key = `${row.limitId}|${row.unit}`;
    const seen = by.get(key);
    if (seen) seen.amount += row.amount;
    else by.set(key, { limitId: row.limitId, unit: row.unit, amount: row.amount });
  }
  return [...by.values()];
}

/**
 * A completed sale, mirrored to the hub (lines, allotment used, the grant it was sold under), and
 * the grant's use grows by what the sale took. Call in the sale's own transaction.
 */
export function captureSale(sqlite: Database.Database, saleId: string, outagePolicy: 'none' | 'escrow-only' | 'allow-and-flag' = 'none'): void {
  if (!hubPaired(sqlite)) return;
  const sale = cachedStatement(sqlite, 'SELECT * FROM sales WHERE id = ?').get(saleId) as
    | {
        receipt_number: number;
        id: string;
        customer_id: string;
        patient_customer_id: string | null;
        caregiver_patient_id: string | null;
        channel: 'medical' | 'adult_use';
        employee_id: string;
        total_cents: number;
        tax_cents: number;
        completed_at: number;
        business_date: string;
        queue_entry_id: string | null;
      }
    | undefined;
  if (!sale) return;
  const lines = cachedStatement(
    sqlite,
    `SELECT l.line_no, v.product_id, v.name, v.category, l.quantity, l.net_cents, l.tax_cents, l.allotment_counts
       FROM sale_lines l JOIN product_versions v ON v.id = l.product_version_id WHERE l.sale_no = ? ORDER BY l.line_no`,
  ).all(sale.receipt_number) as Array<{
    line_no: number;
    product_id: string;
    name: string;
    category: string;
    quantity: number;
    net_cents: number;
    tax_cents: number;
    allotment_counts: string | null;
  }>;
  const used = sumAmounts(
    (cachedStatement(sqlite, 'SELECT limit_id AS limitId, unit, amount FROM allotment_uses WHERE sale_no = ? AND return_id IS NULL').all(sale.receipt_number) as Amount[]),
  );
  // Whose allotment: the one rule the hub follows too (a patient kept on the profile, a patient customer, else the customer).
  const holder = allotmentHolder({ customerId: sale.customer_id, caregiverPatientId: sale.caregiver_patient_id, patientCustomerId: sale.patient_customer_id });
  const grant =
    sale.channel === 'medical'
      ? (cachedStatement(sqlite, "SELECT grant_id, used FROM hub_grants WHERE customer_id = ? AND status = 'open' ORDER BY granted_at DESC LIMIT 1").get(holder) as
          | { grant_id: string; used: string }
          | undefined)
      : undefined;
  if (grant && used.length > 0) {
    const total = sumAmounts([...(JSON.parse(grant.used) as Amount[]), ...used]);
    cachedStatement(sqlite, 'UPDATE hub_grants SET used = ? WHERE grant_id = ?').run(JSON.stringify(total), grant.grant_id);
  }
  enqueueHubCommand(
    sqlite,
    'sale.record',
    {
      saleId: sale.id,
      receiptNumber: sale.receipt_number,
      customerId: sale.customer_id,
      patientCustomerId: sale.patient_customer_id,
      caregiverPatientId: sale.caregiver_patient_id,
      channel: sale.channel,
      employeeId: sale.employee_id,
      totalCents: sale.total_cents,
      taxCents: sale.tax_cents,
      completedAt: sale.completed_at,
      businessDate: sale.business_date,
      queueEntryId: sale.queue_entry_id,
      grantId: grant?.grant_id ?? null,
      outagePolicy: grant ? 'none' : outagePolicy,
      allotmentUsed: used,
      lines: lines.map((line) => ({
        lineNo: line.line_no,
        productId: line.product_id,
        name: line.name,
        category: line.category,
        quantity: line.quantity,
        netCents: line.net_cents,
        taxCents: line.tax_cents,
        allotmentCounts: line.allotment_counts === null ? null : (JSON.parse(line.allotment_counts) as Record<string, number>),
      })),
    },
    sale.completed_at,
  );
}

/** A void or return of a sale (its lines back to stock, its allotment back to the patient). */
export function captureSaleReturn(sqlite: Database.Database, returnId: string): void {
  if (!hubPaired(sqlite)) return;
  const ret = cachedStatement(
    sqlite,
    'SELECT r.id, r.sale_id, r.employee_id, r.at, s.receipt_number AS sale_no FROM sale_returns r JOIN sales s ON s.id = r.sale_id WHERE r.id = ?',
  ).get(returnId) as { id: string; sale_id: string; employee_id: string; at: number; sale_no: number } | undefined;
  if (!ret) return;
  // Both read through the sale's own rows (indexed by sale_no): return_id has no index of its own.
  const lines = cachedStatement(
    sqlite,
    'SELECT l.line_no AS lineNo, r.quantity FROM sale_lines l JOIN sale_return_lines r ON r.sale_line_id = l.id WHERE l.sale_no = ? AND r.return_id = ? ORDER BY l.line_no',
  ).all(ret.sale_no, returnId) as Array<{ lineNo: number; quantity: number }>;
  const returned = sumAmounts(
    cachedStatement(sqlite, 'SELECT limit_id AS limitId, unit, amount FROM allotment_uses WHERE sale_no = ? AND return_id = ?').all(ret.sale_no, returnId) as Amount[],
  ).map(
    (amount) => ({ ...amount, amount: Math.abs(amount.amount) }),
  );
  enqueueHubCommand(
    sqlite,
    'sale.void',
    { saleId: ret.sale_id, returnId: ret.id, lines, allotmentReturned: returned, employeeId: ret.employee_id, at: ret.at },
    ret.at,
  );
}

/** A check-in (intake or a register): the entry and the allotment agreed for the visit. */
export function captureCheckin(sqlite: Database.Database, entryId: string): void {
  if (!hubPaired(sqlite)) return;
  const entry = cachedStatement(sqlite, 'SELECT * FROM queue_entries WHERE id = ?').get(entryId) as
    | {
        id: string;
        customer_id: string;
        checked_in_as: CommandPayload<'queue.checkin'>['checkedInAs'];
        parent_entry_id: string | null;
        checked_in_at: number;
        checked_in_by: string | null;
        allotment_source: CommandPayload<'queue.checkin'>['allotmentSource'];
        card_id: string | null;
        caregiver_card_id: string | null;
        caregiver_patient_id: string | null;
        patient_customer_id: string | null;
      }
    | undefined;
  if (!entry) return;
  const allotments = cachedStatement(sqlite, 'SELECT limit_id AS limitId, label, amount, unit, ceiling FROM queue_allotments WHERE entry_id = ?').all(entryId) as Array<
    Amount & { label: string; ceiling: number }
  >;
  enqueueHubCommand(
    sqlite,
    'queue.checkin',
    {
      entryId: entry.id,
      customerId: entry.customer_id,
      checkedInAs: entry.checked_in_as,
      parentEntryId: entry.parent_entry_id,
      checkedInAt: entry.checked_in_at,
      checkedInBy: entry.checked_in_by,
      allotmentSource: entry.allotment_source,
      cardId: entry.card_id,
      caregiverCardId: entry.caregiver_card_id,
      caregiverPatientId: entry.caregiver_patient_id,
      patientCustomerId: entry.patient_customer_id,
      allotments,
    },
    entry.checked_in_at,
  );
}

export function captureQueueRemoval(sqlite: Database.Database, entryId: string): void {
  if (!hubPaired(sqlite)) return;
  const entry = cachedStatement(sqlite, 'SELECT id, removed_at, removed_by, removed_reason FROM queue_entries WHERE id = ?').get(entryId) as
    | { id: string; removed_at: number | null; removed_by: string | null; removed_reason: CommandPayload<'queue.remove'>['reason'] | null }
    | undefined;
  if (!entry || entry.removed_at === null) return;
  enqueueHubCommand(
    sqlite,
    'queue.remove',
    { entryId: entry.id, reason: entry.removed_reason ?? 'removed', removedAt: entry.removed_at, removedBy: entry.removed_by },
    entry.removed_at,
  );
}

/**
 * At pairing: what this station already holds, as commands, so the hub knows every customer,
 * employee, product and customer document the station's later changes name (an upsert of what the hub already has
 * changes nothing there).
 */
export function captureEverything(sqlite: Database.Database, now: number): number {
  if (!hubPaired(sqlite)) return 0;
  let n = 0;
  for (const { id } of sqlite.prepare('SELECT id FROM employees ORDER BY id').all() as Array<{ id: string }>) {
    captureEmployee(sqlite, id, now);
    n += 1;
  }
  for (const { id } of sqlite.prepare('SELECT id FROM products ORDER BY id').all() as Array<{ id: string }>) {
    captureProduct(sqlite, id, now);
    n += 1;
  }
  for (const { id } of sqlite.prepare('SELECT id FROM customers ORDER BY id').all() as Array<{ id: string }>) {
    const row = customerRow(sqlite, id);
    // The fields as they were when made: an edit made at another station since is later and wins.
    if (row) enqueueHubCommand(sqlite, 'customer.upsert', { customerId: id, identityKey: row.licence_key, createdAt: row.created_at, fields: customerSnapshot(sqlite, id)! }, row.created_at);
    n += 1;
  }
  for (const { id } of sqlite.prepare('SELECT id FROM caregiver_patients ORDER BY id').all() as Array<{ id: string }>) {
    captureCaregiverPatient(sqlite, id, now);
    n += 1;
  }
  // Documents after their customers; their files go to the hub before these commands (./files.ts).
  for (const { id } of sqlite.prepare('SELECT id FROM customer_documents ORDER BY added_at, id').all() as Array<{ id: string }>) {
    captureCustomerDocument(sqlite, id, now);
    n += 1;
  }
  // Patient customers' caregivers, at the time each link was made (a removal made since at another station wins).
  const links = sqlite.prepare('SELECT patient_id AS patientId, caregiver_id AS caregiverId, added_at AS at FROM customer_caregivers ORDER BY added_at, rowid').all() as Array<{
    patientId: string;
    caregiverId: string;
    at: number;
  }>;
  for (const link of links) {
    captureCaregiverLinks(sqlite, { patientId: link.patientId, added: [{ caregiverId: link.caregiverId, at: link.at }], removed: [] }, link.at);
    n += 1;
  }
  return n;
}
