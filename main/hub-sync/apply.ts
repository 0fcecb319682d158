/**
 * Applying the hub's change rows to this station's SQLite (research/hub.md §6.3 pull). A page is
 * applied in one transaction together with the new last version, so a crash never applies a row
 * twice or skips one. Each row runs in its own savepoint: a row this register cannot take (a
 * product whose barcode clashes with a local one, say) is kept in hub_records as `apply_failed`
 * for a person, and the rest of the page still lands.
 *
 * Nothing here writes to the hub outbox: what the hub sends is the hub's, never sent back.
 * The station's own ledger rows (its stock movements, rewards entries, sales) come back from the
 * hub too; they are already here and are skipped.
 */
import type Database from 'better-sqlite3';
import { cachedStatement } from '../store/statements.js';
import { customerEntityData, type ChangeRow } from './rows.js';
import { FLAG_FIELDS, TOP_FIELDS } from './capture.js';
import { holdPhotoUntilDocument, photoDocumentArrived } from './photo.js';
import { customerCaregiverData, queueEntryData, grantData } from '../../hub/protocol.js';
import { documentKindSchema } from '../../preload/contract/customers.js';

export interface Applied {
  queue: boolean;
  customers: Set<string>;
  employees: boolean;
  products: Set<string>;
  rewards: Set<string>;
  grants: boolean;
  failed: number;
  /** Rows of entities this register does not know (a newer hub): recorded and skipped. */
  unknown: Set<string>;
}

type Row = Record<string, unknown>;

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function exists(sqlite: Database.Database, table: 'customers' | 'employees' | 'products' | 'caregiver_patients', id: string | null): boolean {
  if (id === null) return false;
  return cachedStatement(sqlite, `SELECT 1 FROM ${table} WHERE id = ?`).get(id) !== undefined;
}

function record(sqlite: Database.Database, row: ChangeRow, entity: string = row.entity): void {
  cachedStatement(
    sqlite,
    'INSERT INTO hub_records (entity, id, data, version, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (entity, id) DO UPDATE SET data = excluded.data, version = excluded.version, at = excluded.at',
  ).run(entity, row.id, JSON.stringify(row.data ?? null), row.version, row.at);
}

function seen(sqlite: Database.Database, entity: string, id: string): boolean {
  return cachedStatement(sqlite, 'SELECT 1 FROM hub_records WHERE entity = ? AND id = ?').get(entity, id) !== undefined;
}

let profileColumns: Set<string> | null = null;
function customerProfileColumns(sqlite: Database.Database): Set<string> {
  profileColumns ??= new Set(
    (sqlite.prepare('PRAGMA table_info(customer_profiles)').all() as Array<{ name: string }>).map((c) => c.name).filter((name) => name !== 'customer_id' && name !== 'updated_at'),
  );
  return profileColumns;
}

function applyCustomer(sqlite: Database.Database, row: ChangeRow, applied: Applied): void {
  const data = customerEntityData.parse(row.data);
  const fields = data.fields;
  const columns: Record<string, unknown> = {};
  for (const [field, column] of TOP_FIELDS) if (field in fields) columns[column] = fields[field];
  const profile = fields.profile ?? {};
  const profileValues: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(profile)) {
    if ((FLAG_FIELDS as string[]).includes(key)) columns[key] = value;
    else if (customerProfileColumns(sqlite).has(key)) profileValues[key] = value;
  }
  if (data.identityKey !== null) columns.licence_key = data.identityKey;
  if (!exists(sqlite, 'customers', data.id)) {
    // Signed up at another station: it needs the columns a customer cannot lack.
    const required = ['customer_type', 'first_name', 'last_name', 'date_of_birth'];
    if (required.some((column) => typeof columns[column] !== 'string')) throw new Error('the customer arrived without a name, type or birth date');
    const names = Object.keys(columns);
    sqlite
      .prepare(`INSERT INTO customers (id, ${names.join(', ')}, created_at, updated_at) VALUES (@id, ${names.map((n) => `@${n}`).join(', ')}, @createdAt, @updatedAt)`)
      .run({ ...columns, id: data.id, createdAt: data.createdAt, updatedAt: data.updatedAt });
  } else if (Object.keys(columns).length > 0) {
    const names = Object.keys(columns);
    sqlite.prepare(`UPDATE customers SET ${names.map((n) => `${n} = @${n}`).join(', ')}, updated_at = @updatedAt WHERE id = @id`).run({ ...columns, id: data.id, updatedAt: data.updatedAt });
  }
  // The chosen photo is set once its document's record is here (it may come after the customer).
  holdPhotoUntilDocument(sqlite, data.id, profileValues, row.version, row.at);
  const profileNames = Object.keys(profileValues);
  if (profileNames.length > 0) {
    sqlite
      .prepare(
        `INSERT INTO customer_profiles (customer_id, ${profileNames.join(', ')}, updated_at) VALUES (@id, ${profileNames.map((n) => `@${n}`).join(', ')}, @updatedAt)
         ON CONFLICT (customer_id) DO UPDATE SET ${profileNames.map((n) => `${n} = excluded.${n}`).join(', ')}, updated_at = excluded.updated_at`,
      )
      .run({ ...profileValues, id: data.id, updatedAt: data.updatedAt });
  }
  if (data.mergedInto) record(sqlite, { ...row, data: { mergedInto: data.mergedInto } }, 'customer_merged_into');
  applied.customers.add(data.id);
}

function applyEmployee(sqlite: Database.Database, data: Row): void {
  sqlite
    .prepare(
      `INSERT INTO employees (id, name, role, pin_hash, failed_pin_attempts, active, created_at, permissions, pin_must_change)
       VALUES (@id, @name, @role, @pinHash, 0, @active, @createdAt, @permissions, @pinMustChange)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role, pin_hash = excluded.pin_hash, active = excluded.active,
         permissions = excluded.permissions, pin_must_change = excluded.pin_must_change`,
    )
    .run({
      id: str(data.id),
      name: str(data.name),
      role: str(data.role),
      pinHash: str(data.pinHash),
      active: data.active === true ? 1 : 0,
      createdAt: num(data.createdAt),
      permissions: Array.isArray(data.permissions) ? JSON.stringify(data.permissions) : null,
      pinMustChange: data.pinMustChange === true ? 1 : 0,
    });
}

function applyProduct(sqlite: Database.Database, data: Row): void {
  sqlite
    .prepare(
      `INSERT INTO products (id, trace_barcode, upc, name, category, unit_weight_mg, usable_weight_mg, thc_value, thc_unit, price_cents,
         sold_medical, sold_adult_use, created_at, archived_at, updated_at)
       VALUES (@id, @traceBarcode, @upc, @name, @category, @unitWeightMg, @usableWeightMg, @thcValue, @thcUnit, @priceCents,
         @soldMedical, @soldAdultUse, @createdAt, @archivedAt, @updatedAt)
       ON CONFLICT (id) DO UPDATE SET trace_barcode = excluded.trace_barcode, upc = excluded.upc, name = excluded.name, category = excluded.category,
         unit_weight_mg = excluded.unit_weight_mg, usable_weight_mg = excluded.usable_weight_mg, thc_value = excluded.thc_value,
         thc_unit = excluded.thc_unit, price_cents = excluded.price_cents, sold_medical = excluded.sold_medical,
         sold_adult_use = excluded.sold_adult_use, archived_at = excluded.archived_at, updated_at = excluded.updated_at`,
    )
    .run({
      id: str(data.id),
      traceBarcode: str(data.traceBarcode),
      upc: str(data.upc),
      name: str(data.name),
      category: str(data.category),
      unitWeightMg: num(data.unitWeightMg),
      usableWeightMg: num(data.usableWeightMg),
      thcValue: num(data.thcValue),
      thcUnit: str(data.thcUnit),
      priceCents: num(data.priceCents),
      soldMedical: data.soldMedical === true ? 1 : 0,
      soldAdultUse: data.soldAdultUse === true ? 1 : 0,
      createdAt: num(data.createdAt),
      archivedAt: num(data.archivedAt),
      updatedAt: num(data.updatedAt),
    });
}

const MOVEMENT_REASONS: Record<string, 'receive' | 'sale' | 'void' | 'adjust'> = { receive: 'receive', adjust: 'adjust', count: 'adjust', sale: 'sale', void: 'void' };

function applyStockMovement(sqlite: Database.Database, row: ChangeRow, deviceId: string, applied: Applied): void {
  const data = row.data ?? {};
  if (data.deviceId === deviceId || seen(sqlite, 'stock_movement', row.id)) return;
  const productId = str(data.productId);
  const reason = MOVEMENT_REASONS[str(data.reason) ?? ''];
  const delta = num(data.quantityDelta);
  if (!productId || !reason || delta === null) throw new Error('the stock movement is incomplete');
  if (!exists(sqlite, 'products', productId)) throw new Error(`the stock movement names a product this register does not have (${productId})`);
  const employeeId = str(data.employeeId);
  cachedStatement(sqlite, 'INSERT INTO inventory_movements (product_id, quantity_delta, reason, reference_id, employee_id, at) VALUES (?, ?, ?, ?, ?, ?)').run(
    productId,
    delta,
    reason,
    str(data.referenceId),
    exists(sqlite, 'employees', employeeId) ? employeeId : null,
    num(data.at) ?? row.at,
  );
  record(sqlite, { ...row, data: { productId } });
  applied.products.add(productId);
}

function applyRewardsEntry(sqlite: Database.Database, row: ChangeRow, deviceId: string, applied: Applied): void {
  const data = row.data ?? {};
  if (data.deviceId === deviceId || seen(sqlite, 'rewards_entry', row.id)) return;
  const customerId = str(data.customerId);
  if (!exists(sqlite, 'customers', customerId)) throw new Error('the rewards entry names a customer this register does not have');
  cachedStatement(sqlite, 'INSERT INTO rewards_ledger (customer_id, kind, points, sale_id, cents, reason, employee_id, approved_by, at) VALUES (?, ?, ?, ?, NULL, ?, NULL, NULL, ?)').run(
    customerId,
    str(data.entryKind),
    num(data.points),
    // The (sale, kind) pair is unique here: another register's sale ids never clash with ours.
    str(data.saleId),
    'From another station',
    num(data.at) ?? row.at,
  );
  record(sqlite, { ...row, data: { customerId } });
  applied.rewards.add(customerId!);
}

function applyRewardsCard(sqlite: Database.Database, data: Row, applied: Applied): void {
  const customerId = str(data.customerId);
  if (!exists(sqlite, 'customers', customerId)) throw new Error('the rewards card names a customer this register does not have');
  const replacedAt = num(data.replacedAt);
  if (replacedAt === null) {
    // One working card per customer: another station's newer card replaces ours.
    cachedStatement(sqlite, 'UPDATE rewards_cards SET replaced_at = ? WHERE customer_id = ? AND replaced_at IS NULL AND id <> ?').run(num(data.connectedAt), customerId, str(data.id));
  }
  cachedStatement(
    sqlite,
    `INSERT INTO rewards_cards (id, card_number, customer_id, connected_at, connected_by, replaced_at) VALUES (?, ?, ?, ?, NULL, ?)
     ON CONFLICT (id) DO UPDATE SET replaced_at = excluded.replaced_at`,
  ).run(str(data.id), str(data.cardNumber), customerId, num(data.connectedAt), replacedAt);
  applied.rewards.add(customerId!);
}

function applyQueueEntry(sqlite: Database.Database, row: ChangeRow, deviceId: string, applied: Applied): void {
  const entry = queueEntryData.parse(row.data);
  if (!exists(sqlite, 'customers', entry.customerId)) throw new Error('the queue entry names a customer this register does not have yet');
  const checkedInBy = exists(sqlite, 'employees', entry.checkedInBy) ? entry.checkedInBy : null;
  const source = ['state_system', 'manual', 'legal_limits', 'not_required'].includes(entry.allotmentSource) ? entry.allotmentSource : 'manual';
  const reason = entry.removedReason === 'removed' || entry.removedReason === 'cleared' || entry.removedReason === 'served' ? entry.removedReason : entry.removedAt === null ? null : 'removed';
  cachedStatement(
    sqlite,
    `INSERT INTO queue_entries (id, customer_id, checked_in_as, parent_entry_id, position, checked_in_at, checked_in_by, allotment_source, card_id,
       caregiver_card_id, caregiver_patient_id, patient_customer_id, removed_at, removed_by, removed_reason)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)
     ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id, position = excluded.position,
       patient_customer_id = CASE WHEN ? THEN NULL ELSE COALESCE(excluded.patient_customer_id, queue_entries.patient_customer_id) END,
       removed_at = COALESCE(queue_entries.removed_at, excluded.removed_at), removed_reason = COALESCE(queue_entries.removed_reason, excluded.removed_reason)`,
  ).run(
    entry.id,
    entry.customerId,
    entry.checkedInAs,
    entry.parentEntryId,
    entry.position,
    entry.checkedInAt,
    checkedInBy,
    source,
    entry.cardId,
    entry.caregiverCardId,
    // The patient kept on the caregiver's profile, when this station has that record (it travels too).
    entry.caregiverPatientId && exists(sqlite, 'caregiver_patients', entry.caregiverPatientId) ? entry.caregiverPatientId : null,
    // The patient customer the caregiver buys for (customers reach a station before the visits that name them).
    entry.patientCustomerId && exists(sqlite, 'customers', entry.patientCustomerId) ? entry.patientCustomerId : null,
    entry.removedAt,
    reason,
    // The hub says the visit buys for no patient customer (it did not take the caregiver's link, or
    // none was named): its word holds here too, also on the station that checked them in. Absent
    // (an older hub) or a customer this station lacks yet: what this station has stays.
    entry.patientCustomerId === null ? 1 : 0,
  );
  const hasAllotments = cachedStatement(sqlite, 'SELECT 1 FROM queue_allotments WHERE entry_id = ? LIMIT 1').get(entry.id) !== undefined;
  if (!hasAllotments) {
    const insert = cachedStatement(sqlite, 'INSERT INTO queue_allotments (entry_id, limit_id, label, amount, unit, ceiling) VALUES (?, ?, ?, ?, ?, ?)');
    for (const a of entry.allotments) insert.run(entry.id, a.limitId, a.label, a.amount, a.unit, a.ceiling);
  }
  if (entry.claimedBy && entry.removedAt === null) {
    cachedStatement(
      sqlite,
      `INSERT INTO hub_queue_claims (entry_id, device_id, device_name, lease_until, lease_epoch) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (entry_id) DO UPDATE SET device_id = excluded.device_id, device_name = excluded.device_name, lease_until = excluded.lease_until,
         lease_epoch = excluded.lease_epoch`,
    ).run(entry.id, entry.claimedBy, entry.claimedByName ?? (entry.claimedBy === deviceId ? 'this register' : 'another register'), entry.leaseUntil ?? 0, entry.leaseEpoch);
  } else {
    cachedStatement(sqlite, 'DELETE FROM hub_queue_claims WHERE entry_id = ?').run(entry.id);
  }
  applied.queue = true;
}

function applyGrant(sqlite: Database.Database, row: ChangeRow, deviceId: string, applied: Applied): void {
  const grant = grantData.parse(row.data);
  record(sqlite, row);
  if (grant.deviceId !== deviceId) {
    applied.grants = true;
    return;
  }
  // Ours: the hub's word on its status (a manager's revoke lands here); our own count of use stays.
  cachedStatement(
    sqlite,
    `INSERT INTO hub_grants (grant_id, customer_id, entry_id, status, granted, used, lease_epoch, granted_at, closed_at)
     VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?)
     ON CONFLICT (grant_id) DO UPDATE SET status = excluded.status, granted = excluded.granted, closed_at = excluded.closed_at`,
  ).run(grant.grantId, grant.customerId, grant.entryId, grant.status, JSON.stringify(grant.granted), JSON.stringify(grant.used), grant.grantedAt, grant.closedAt);
  applied.grants = true;
}

function applyCaregiverPatient(sqlite: Database.Database, data: Row, applied: Applied): void {
  const caregiverId = str(data.caregiverId);
  if (!exists(sqlite, 'customers', caregiverId)) throw new Error('the caregiver-patient names a caregiver this register does not have');
  cachedStatement(
    sqlite,
    `INSERT INTO caregiver_patients (id, caregiver_id, first_name, last_name, medical_licence, licence_expires, date_of_birth, created_at, updated_at)
     VALUES (@id, @caregiverId, @firstName, @lastName, @medicalLicence, @licenceExpires, @dateOfBirth, @updatedAt, @updatedAt)
     ON CONFLICT (id) DO UPDATE SET caregiver_id = excluded.caregiver_id, first_name = excluded.first_name, last_name = excluded.last_name,
       medical_licence = excluded.medical_licence, licence_expires = excluded.licence_expires, date_of_birth = excluded.date_of_birth,
       updated_at = excluded.updated_at WHERE caregiver_patients.updated_at <= excluded.updated_at`,
  ).run({
    id: str(data.id),
    caregiverId,
    firstName: str(data.firstName),
    lastName: str(data.lastName),
    medicalLicence: str(data.medicalLicence),
    licenceExpires: str(data.licenceExpires),
    dateOfBirth: str(data.dateOfBirth),
    updatedAt: num(data.updatedAt),
  });
  applied.customers.add(caregiverId!);
}


/**
 * A document added at another station: its record on the profile at once, its file noted as wanted
 * (hub-sync/files.ts fetches it after the page, outside this transaction). The hub's record is
 * kept too: it says which station added it ("Not yet copied from Intake").
 */
function applyCustomerDocument(sqlite: Database.Database, row: ChangeRow, applied: Applied): void {
  const data = row.data ?? {};
  const customerId = str(data.customerId);
  const sha256 = str(data.sha256);
  const kind = str(data.docKind);
  const sizeBytes = num(data.sizeBytes);
  if (!sha256 || !/^[0-9a-f]{64}$/.test(sha256) || !kind || !documentKindSchema.safeParse(kind).success || sizeBytes === null) throw new Error('the document arrived without its kind or file name');
  if (!exists(sqlite, 'customers', customerId)) throw new Error('the document names a customer this register does not have');
  record(sqlite, row);
  // This station's own documents are here already (nothing inserted), unless it was restored from a
  // backup older than them: then the record comes back and its file is fetched like any other.
  const addedBy = str(data.addedBy);
  const inserted = cachedStatement(
    sqlite,
    `INSERT INTO customer_documents (id, customer_id, kind, title, sha256, mime, size_bytes, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO NOTHING`,
  ).run(row.id, customerId, kind, str(data.title) ?? 'Document', sha256, str(data.mime) ?? 'application/octet-stream', sizeBytes, num(data.addedAt) ?? row.at, exists(sqlite, 'employees', addedBy) ? addedBy : null);
  if (inserted.changes > 0) {
    // Wanted until the file is here (a file already here from another document is dropped at once by the fetcher).
    record(sqlite, { ...row, id: sha256, data: { documentId: row.id, customerId, deviceId: str(data.deviceId) } }, 'document_file_wanted');
  }
  // The hub found its copy of the file damaged: a station that holds the file whole sends it again (files.ts).
  if (num(data.fileLostAt) !== null) record(sqlite, { ...row, id: sha256, data: { documentId: row.id, deviceId: str(data.deviceId) } }, 'document_file_resend');
  photoDocumentArrived(sqlite, customerId!, row.id, row.at);
  applied.customers.add(customerId!);
}

/**
 * A patient customer linked to a caregiver (upsert) or the link taken away (delete): the hub has
 * already decided by time which of two stations' edits holds, so its word is applied as it is.
 */
function applyCustomerCaregiver(sqlite: Database.Database, row: ChangeRow, applied: Applied): void {
  const link = customerCaregiverData.parse(row.data);
  if (row.op === 'delete') {
    cachedStatement(sqlite, 'DELETE FROM customer_caregivers WHERE patient_id = ? AND caregiver_id = ?').run(link.patientId, link.caregiverId);
  } else {
    if (!exists(sqlite, 'customers', link.patientId) || !exists(sqlite, 'customers', link.caregiverId)) {
      throw new Error('the caregiver link names a customer this register does not have');
    }
    cachedStatement(sqlite, 'INSERT OR IGNORE INTO customer_caregivers (patient_id, caregiver_id, added_at) VALUES (?, ?, ?)').run(link.patientId, link.caregiverId, link.addedAt);
  }
  applied.customers.add(link.patientId);
  applied.customers.add(link.caregiverId);
}

function applyOne(sqlite: Database.Database, row: ChangeRow, deviceId: string, applied: Applied): void {
  if (row.entity === 'unknown') {
    // Sent by a newer hub: kept as it came (entity 'unknown:<name>'), nothing else touched.
    const name = row.unknownEntity ?? 'unnamed';
    record(sqlite, row, `unknown:${name}`);
    applied.unknown.add(name);
    return;
  }
  if (row.entity === 'customer_caregiver') {
    applyCustomerCaregiver(sqlite, row, applied);
    return;
  }
  if (row.op === 'delete') {
    if (row.entity === 'queue_entry') {
      cachedStatement(sqlite, "UPDATE queue_entries SET removed_at = COALESCE(removed_at, ?), removed_reason = COALESCE(removed_reason, 'removed') WHERE id = ?").run(row.at, row.id);
      cachedStatement(sqlite, 'DELETE FROM hub_queue_claims WHERE entry_id = ?').run(row.id);
      applied.queue = true;
    } else if (row.entity === 'caregiver_patient') {
      // Taken off the caregiver's profile at another station. A sale or check-in here that names the
      // patient keeps its own copy of the name and card; the record itself goes, as it does locally.
      const caregiverId = str(row.data?.caregiverId);
      cachedStatement(sqlite, 'UPDATE queue_entries SET caregiver_patient_id = NULL WHERE caregiver_patient_id = ? AND removed_at IS NOT NULL').run(row.id);
      cachedStatement(sqlite, 'DELETE FROM caregiver_patients WHERE id = ?').run(row.id);
      record(sqlite, row, `${row.entity}:deleted`);
      if (caregiverId) applied.customers.add(caregiverId);
    } else {
      record(sqlite, row, `${row.entity}:deleted`);
    }
    return;
  }
  const data = row.data ?? {};
  switch (row.entity) {
    case 'customer':
      applyCustomer(sqlite, row, applied);
      return;
    case 'employee':
      applyEmployee(sqlite, data);
      applied.employees = true;
      return;
    case 'product':
      applyProduct(sqlite, data);
      applied.products.add(row.id);
      return;
    case 'stock_movement':
      applyStockMovement(sqlite, row, deviceId, applied);
      return;
    case 'rewards_entry':
      applyRewardsEntry(sqlite, row, deviceId, applied);
      return;
    case 'rewards_card':
      applyRewardsCard(sqlite, data, applied);
      return;
    case 'queue_entry':
      applyQueueEntry(sqlite, row, deviceId, applied);
      return;
    case 'allotment_grant':
      applyGrant(sqlite, row, deviceId, applied);
      return;
    case 'caregiver_patient':
      applyCaregiverPatient(sqlite, data, applied);
      return;
    case 'customer_document':
      applyCustomerDocument(sqlite, row, applied);
      return;
    default:
      // Conflicts, merges, balances, the sales mirror, devices: kept as the hub sent them.
      record(sqlite, row);
  }
}

/** Apply one page of changes and move the last version on, in one transaction. */
export function applyChanges(sqlite: Database.Database, deviceId: string, rows: ChangeRow[], lastVersion: number): Applied {
  const applied: Applied = { queue: false, customers: new Set(), employees: false, products: new Set(), rewards: new Set(), grants: false, failed: 0, unknown: new Set() };
  sqlite
    .transaction(() => {
      for (const row of rows) {
        try {
          sqlite.transaction(() => applyOne(sqlite, row, deviceId, applied))();
        } catch (error) {
          applied.failed += 1;
          record(sqlite, { ...row, data: { ...(row.data ?? {}), entity: row.entity, problem: error instanceof Error ? error.message : String(error) } }, 'apply_failed');
        }
      }
      cachedStatement(sqlite, 'UPDATE hub_sync SET last_version = ? WHERE id = 1').run(lastVersion);
    })
    .immediate();
  return applied;
}
