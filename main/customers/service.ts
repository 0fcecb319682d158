/**
 * Customers in the core: matching a scanned licence to profiles, search, profiles of every
 * customer type, caregivers' patients, drafts, documents and per-customer history.
 *
 * SQL stays here (plain better-sqlite3 with cached statements): searches are prefix ranges on
 * the normalised, indexed columns of drizzle/0005_customers_columns.sql. Every write goes
 * through applyCommand, so it is applied once per commandId and audited with the employee.
 */
import { emptyForm } from '../../preload/contract/customers.js';
import type Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import type {
  CaregiverPatient,
  CustomerDetail,
  CustomerDocument,
  CustomerDraftSummary,
  CustomerForm,
  CustomerHistoryEntry,
  CustomerKind,
  CustomerSummary,
  CustomersConfig,
  DocumentKind,
  LookupResult,
  SearchField,
} from '../../preload/contract/customers.js';
import { customerFormSchema, MAX_UPLOAD_BYTES } from '../../preload/contract/customers.js';
import { applyCommand } from '../core/commands.js';
import { CoreError } from '../core/errors.js';
import { readSetting } from '../core/settings.js';
import { loadJurisdictionRules, type JurisdictionRules } from '../compliance/rules.js';
import { ageOn, checkLicense, parseLicense, storeLocalDate, type ParsedLicense } from '../licenses/index.js';
import { newId } from '../store/ids.js';
import { DocumentStore } from './documents.js';
import {
  emailKey,
  idKey,
  licenceFingerprint,
  nameKey,
  parseDateEntry,
  phoneQueryKey,
  prefixEnd,
} from './normalise.js';

export interface CustomerServiceDeps {
  sqlite(): Database.Database;
  clock(): number;
  resourcesDir: string;
  dataDir: string;
}

interface Actor {
  id: string;
}

interface CustomerRow {
  id: string;
  customer_type: CustomerKind;
  first_name: string;
  middle_name: string | null;
  last_name: string;
  nickname: string | null;
  date_of_birth: string;
  gender: string;
  identification_expires: string | null;
  licence_number: string | null;
  licence_key: string | null;
  licence_state: string | null;
  medical_id: string | null;
  medical_id_expires: string | null;
  caregiver_id: string | null;
  caregiver_id_expires: string | null;
  phone: string | null;
  email: string | null;
  banned: number;
  warning_1: number;
  warning_2: number;
  notes: string | null;
  adult_use: number | null;
  state_medical_id: number | null;
  caregiver_licence: number | null;
  created_at: number;
  updated_at: number;
}

interface ProfileRow {
  address_street: string | null;
  address_street2: string | null;
  address_city: string | null;
  address_state: string | null;
  address_postal_code: string | null;
  delivery_street: string | null;
  delivery_street2: string | null;
  delivery_city: string | null;
  delivery_state: string | null;
  delivery_postal_code: string | null;
  other_phone: string | null;
  recommendation_expires: string | null;
  physician_name: string | null;
  physician_licence: string | null;
  physician_phone: string | null;
  caregiver_customer_id: string | null;
  photo_document_id: string | null;
  scanned_at: number | null;
}

const SUMMARY_COLUMNS = `id, customer_type, first_name, last_name, nickname, date_of_birth, phone, email, medical_id,
  caregiver_id, banned, warning_1, warning_2, updated_at`;
type SummaryRow = Pick<
  CustomerRow,
  | 'id'
  | 'customer_type'
  | 'first_name'
  | 'last_name'
  | 'nickname'
  | 'date_of_birth'
  | 'phone'
  | 'email'
  | 'medical_id'
  | 'caregiver_id'
  | 'banned'
  | 'warning_1'
  | 'warning_2'
  | 'updated_at'
>;

/** One line of the Directory of recent check-ins. */
export type RecentCheckIn = CustomerSummary & {
  checkedInAt: number;
  checkedInAs: CustomerSummary['customerType'];
  checkedInByName: string | null;
  inQueue: boolean;
};
/** The most queue entries the Directory reads to find its customers (a bound, not a page size). */
const RECENT_CHECK_IN_SCAN = 5000;

const DEFAULT_SENIOR_AGE = 65;
const SENIOR_GROUP = 'senior';
const DEFAULT_WARNING_LABELS: [string, string] = ['Check ID carefully at every visit', 'Behaviour concern: read the notes'];
const LICENCE_SECRET_KEY = 'customers.licenceFingerprintSecret';

/** First "Nick" Last. */
export function displayName(first: string, last: string, nickname: string | null): string {
  return nickname ? `${first} "${nickname}" ${last}` : `${first} ${last}`;
}

/** Labels of the fields a history entry names ("field: old → new"). */
const FIELD_LABELS: Record<string, string> = {
  firstName: 'First name',
  middleName: 'Middle name',
  lastName: 'Last name',
  nickname: 'Nickname',
  dateOfBirth: 'Birth date',
  gender: 'Gender',
  licenceNumber: 'Licence number',
  licenceState: 'Licence state',
  identificationExpires: 'ID expiration',
  address: 'Address of record',
  adultUse: 'Adult Use',
  stateMedicalId: 'State Medical ID',
  medicalId: 'Medical ID',
  medicalIdExpires: 'Medical ID expiration',
  recommendationExpires: 'Recommendation expiration',
  physician: 'Physician',
  caregiverLicence: 'Caregiver Licence',
  caregiverId: 'Caregiver ID',
  caregiverIdExpires: 'Caregiver ID expiration',
  caregiverCustomerId: 'Caregiver',
  phone: 'Phone',
  otherPhone: 'Other phone',
  email: 'Email',
  delivery: 'Delivery address',
  notes: 'Notes',
  warning1: 'Warning 1',
  warning2: 'Warning 2',
  banned: 'Banned',
  groups: 'Groups',
};

export class CustomerService {
  private rulesCache: { code: string; rules: JurisdictionRules } | null = null;
  private statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();
  readonly documents: DocumentStore;

  constructor(private readonly deps: CustomerServiceDeps) {
    this.documents = new DocumentStore(deps.dataDir);
  }

  // -------------------------------------------------------------------------------------------
  // Settings and rules
  // -------------------------------------------------------------------------------------------

  private get sqlite(): Database.Database {
    return this.deps.sqlite();
  }

  private prepare(sql: string): Database.Statement {
    const sqlite = this.sqlite;
    let cache = this.statements.get(sqlite);
    if (!cache) {
      cache = new Map();
      this.statements.set(sqlite, cache);
    }
    let statement = cache.get(sql);
    if (!statement) {
      statement = sqlite.prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  }

  private jurisdiction(): string {
    return readSetting(this.sqlite, 'store.jurisdiction') ?? 'IL';
  }

  private timeZone(): string {
    return readSetting(this.sqlite, 'store.timeZone') ?? 'America/Chicago';
  }

  rules(): JurisdictionRules {
    const code = this.jurisdiction();
    if (this.rulesCache?.code !== code) this.rulesCache = { code, rules: loadJurisdictionRules(this.deps.resourcesDir, code) };
    return this.rulesCache.rules;
  }

  today(): string {
    return storeLocalDate(this.deps.clock(), this.timeZone());
  }

  private jsonSetting(key: string): unknown {
    const row = this.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    if (!row) return undefined;
    try {
      return JSON.parse(row.value) as unknown;
    } catch {
      return undefined;
    }
  }

  private seniorAge(): number {
    const value = this.jsonSetting('customers.seniorAge');
    return typeof value === 'number' && Number.isInteger(value) && value > 0 && value < 130 ? value : DEFAULT_SENIOR_AGE;
  }

  private labelsCache: { at: number; labels: [string, string] } | null = null;

  /** Read at most once a second: every search result line shows them. */
  private warningLabels(): [string, string] {
    const now = performance.now();
    if (this.labelsCache && now - this.labelsCache.at < 1000) return this.labelsCache.labels;
    const labels = this.readWarningLabels();
    this.labelsCache = { at: now, labels };
    return labels;
  }

  private readWarningLabels(): [string, string] {
    const value = this.jsonSetting('customers.warningLabels');
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string' && v.length > 0)) {
      return [value[0] as string, value[1] as string];
    }
    return DEFAULT_WARNING_LABELS;
  }

  private mayKeepLicenceData(): boolean {
    return this.rules().mayKeepScannedLicenceData.value;
  }

  /** The store's fingerprint secret; made on the first write that needs it (never on a read). */
  private licenceSecret(create: boolean): string | null {
    const value = this.jsonSetting(LICENCE_SECRET_KEY);
    if (typeof value === 'string' && value.length >= 32) return value;
    if (!create) return null;
    const secret = randomBytes(32).toString('hex');
    this.prepare('INSERT OR REPLACE INTO settings (key, value, updated_at) VALUES (?, ?, ?)').run(
      LICENCE_SECRET_KEY,
      JSON.stringify(secret),
      this.deps.clock(),
    );
    return secret;
  }

  config(): CustomersConfig {
    const rules = this.rules();
    const types = new Set(rules.profiles.map((p) => p.match.customerType));
    const recommendation = rules.profiles.find((p) => p.match.customerType === 'medical_recommendation');
    const mayKeep = rules.mayKeepScannedLicenceData.value;
    const cap = rules.caregivers.maxPatientsPerCaregiver.value;
    const groups = (this.prepare('SELECT name FROM customer_groups ORDER BY name').all() as Array<{ name: string }>).map((g) => g.name);
    const uploadKinds: DocumentKind[] = mayKeep
      ? ['full_licence', 'doctors_permit', 'medical_card', 'profile_photo', 'other']
      : ['doctors_permit', 'medical_card', 'profile_photo', 'other'];
    return {
      jurisdiction: rules.code,
      jurisdictionName: rules.name,
      adultUseAvailable: types.has('adult_use'),
      medicalRecommendationAvailable: types.has('medical_recommendation'),
      stateMedicalIdAlwaysRequired: !types.has('medical_recommendation'),
      physicianCardForRecommendation: recommendation?.credential.kind === 'physician_recommendation',
      caregiverAvailable: types.has('caregiver'),
      maxPatientsPerCaregiver: typeof cap === 'number' ? cap : null,
      mayKeepScannedLicenceData: mayKeep,
      licenceDataNotice: mayKeep
        ? `${rules.name} allows keeping scanned licence data: the licence number and a licence image may be kept on the profile.`
        : `${rules.name} law does not allow keeping scanned licence data beyond the check (${rules.mayKeepScannedLicenceData.source}). ` +
          'The register keeps only what the customer gives for their profile (name, birth date, address, ID expiration) ' +
          'and a one-way fingerprint of the licence number for finding them again: never the barcode, the number itself or an image of the licence. ' +
          'Ask the customer before saving their profile.',
      seniorAge: this.seniorAge(),
      warningLabels: this.warningLabels(),
      groups: [SENIOR_GROUP, ...groups.filter((g) => g !== SENIOR_GROUP)],
      uploadKinds,
      maxUploadBytes: MAX_UPLOAD_BYTES,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Licence scan → profiles
  // -------------------------------------------------------------------------------------------

  lookupByLicence(raw: string): LookupResult {
    const started = performance.now();
    const parsed = parseLicense(raw);
    if (!parsed.ok) return { kind: 'not_a_licence', message: `${parsed.error.message} Scan the licence again, or search by hand.` };
    const licence = parsed.license;
    const today = this.today();
    const rules = this.rules();
    const checks: Array<{ code: string; message: string }> = [];
    // The lowest age any adult profile serves; the adult-use age is reported as its own line.
    const adultAges = rules.profiles.map((p) => p.minimumAge.value).filter((age) => age > 0);
    const minimumAge = adultAges.length > 0 ? Math.min(...adultAges) : 18;
    for (const problem of checkLicense(licence, { today, minimumAge })) checks.push({ code: problem.code, message: problem.message });
    const adultUse = rules.profiles.find((p) => p.match.customerType === 'adult_use');
    if (adultUse && licence.dateOfBirth && !checks.some((c) => c.code === 'impossible_birth_date')) {
      const age = ageOn(licence.dateOfBirth, today);
      if (age < adultUse.minimumAge.value && age >= minimumAge) {
        checks.push({ code: 'under_adult_use_age', message: `the customer is ${age}: medical only, no adult-use sale (under ${adultUse.minimumAge.value})` });
      }
    }
    const { matchedBy, matches } = this.match(licence);
    return {
      kind: 'licence',
      licence: { ...licence },
      checks,
      matchedBy,
      matches,
      prefill: this.prefillFrom(licence),
      tookMs: performance.now() - started,
    };
  }

  /** Licence number first (every match); else first name, last name and birth date all equal. */
  match(licence: Pick<ParsedLicense, 'licenseNumber' | 'firstName' | 'lastName' | 'dateOfBirth'>): {
    matchedBy: 'licence_number' | 'name_and_birth_date' | 'none';
    matches: CustomerSummary[];
  } {
    const secret = this.licenceSecret(false);
    if (secret && licence.licenseNumber) {
      const rows = this.prepare(`SELECT ${SUMMARY_COLUMNS} FROM customers WHERE licence_key = ? ORDER BY search_last, search_first`).all(
        licenceFingerprint(secret, licence.licenseNumber),
      ) as SummaryRow[];
      if (rows.length > 0) return { matchedBy: 'licence_number', matches: rows.map((r) => this.summary(r)) };
    }
    if (licence.firstName && licence.lastName && licence.dateOfBirth) {
      const rows = this.prepare(
        `SELECT ${SUMMARY_COLUMNS} FROM customers WHERE search_last = ? AND search_first = ? AND date_of_birth = ?`,
      ).all(nameKey(licence.lastName), nameKey(licence.firstName), licence.dateOfBirth) as SummaryRow[];
      if (rows.length > 0) return { matchedBy: 'name_and_birth_date', matches: rows.map((r) => this.summary(r)) };
    }
    return { matchedBy: 'none', matches: [] };
  }

  private prefillFrom(licence: ParsedLicense): CustomerForm {
    const config = this.config();
    const gender = licence.sex === 'M' ? 'male' : licence.sex === 'F' ? 'female' : licence.sex === 'X' ? 'non_binary' : 'unspecified';
    return {
      ...emptyForm(config),
      firstName: titleCase(licence.firstName ?? ''),
      middleName: licence.middleName ? titleCase(licence.middleName) : null,
      lastName: titleCase(licence.lastName ?? ''),
      dateOfBirth: licence.dateOfBirth ?? '',
      gender,
      licenceNumber: licence.licenseNumber,
      licenceState: licence.state,
      identificationExpires: licence.expirationDate,
      address: {
        street: licence.street ? titleCase(licence.street) : null,
        street2: licence.street2 ? titleCase(licence.street2) : null,
        city: licence.city ? titleCase(licence.city) : null,
        state: licence.state,
        postalCode: licence.postalCode,
      },
      scanned: true,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Search
  // -------------------------------------------------------------------------------------------

  search(field: SearchField, query: string, limit: number, tagId: string | null = null): { results: CustomerSummary[]; note: string | null; tookMs: number } {
    const started = performance.now();
    const { rows, note } = tagId === null ? this.searchRows(field, query.trim(), limit) : this.searchTagged(field, query.trim(), limit, tagId);
    // Shown in name order whatever the field (mergeRows sorts and trims to the limit).
    return { results: mergeRows([rows], limit).map((r) => this.summary(r)), note, tookMs: performance.now() - started };
  }

  /**
   * Rewards tags (issue 9): only customers with the tag. No query lists them all by name; a query
   * is searched as usual over a wider window, then filtered to the tag.
   */
  private searchTagged(field: SearchField, query: string, limit: number, tagId: string): { rows: SummaryRow[]; note: string | null } {
    if (query === '') {
      const rows = this.prepare(
        `SELECT ${SUMMARY_COLUMNS.split(',').map((c) => `c.${c.trim()}`).join(', ')} FROM customer_tag_links l JOIN customers c ON c.id = l.customer_id
          WHERE l.tag_id = ? ORDER BY c.search_last, c.search_first LIMIT ?`,
      ).all(tagId, limit) as SummaryRow[];
      return { rows, note: null };
    }
    const { rows, note } = this.searchRows(field, query, 500);
    const tagged = new Set((this.prepare('SELECT customer_id FROM customer_tag_links WHERE tag_id = ?').all(tagId) as Array<{ customer_id: string }>).map((r) => r.customer_id));
    return { rows: rows.filter((row) => tagged.has(row.id)).slice(0, limit), note };
  }

  private searchRows(field: SearchField, query: string, limit: number): { rows: SummaryRow[]; note: string | null } {
    const byPrefix = (column: string, key: string, order: string): SummaryRow[] =>
      this.prepare(`SELECT ${SUMMARY_COLUMNS} FROM customers WHERE ${column} >= ? AND ${column} < ? ORDER BY ${order} LIMIT ?`).all(
        key,
        prefixEnd(key),
        limit,
      ) as SummaryRow[];
    switch (field) {
      case 'name': {
        if (query === '') return { rows: [], note: 'Type a name.' };
        const comma = query.split(',').map((part) => part.trim()).filter(Boolean);
        const words = query.split(/\s+/).filter(Boolean);
        if (comma.length === 2) return { rows: this.byTwoNames(comma[1]!, comma[0]!, limit), note: null };
        if (words.length >= 2) {
          const first = words[0]!;
          const last = words.slice(1).join(' ');
          const rows = mergeRows([this.byTwoNames(first, last, limit), this.byTwoNames(last, first, limit)], limit);
          return { rows, note: null };
        }
        const key = nameKey(query);
        const rows = mergeRows(
          [
            byPrefix('search_last', key, 'search_last, search_first'),
            byPrefix('search_first', key, 'search_first, search_last'),
            byPrefix('search_nickname', key, 'search_nickname'),
          ],
          limit,
        );
        return { rows, note: null };
      }
      case 'phone': {
        const key = phoneQueryKey(query);
        if (key.length < 3) return { rows: [], note: 'Type at least 3 digits of the phone number.' };
        return { rows: byPrefix('search_phone', key, 'search_phone'), note: null };
      }
      case 'email': {
        if (query.length < 2) return { rows: [], note: 'Type at least 2 characters of the email.' };
        return { rows: byPrefix('search_email', emailKey(query), 'search_email'), note: null };
      }
      case 'licence': {
        if (query.length < 3) return { rows: [], note: 'Type at least 3 characters of the licence number.' };
        const secret = this.licenceSecret(false);
        const exact = secret
          ? (this.prepare(`SELECT ${SUMMARY_COLUMNS} FROM customers WHERE licence_key = ? LIMIT ?`).all(licenceFingerprint(secret, query), limit) as SummaryRow[])
          : [];
        if (!this.mayKeepLicenceData()) {
          return {
            rows: exact,
            note: exact.length === 0 ? 'Licence numbers are kept only as a fingerprint here: type the whole number, or scan the licence.' : null,
          };
        }
        return { rows: mergeRows([exact, byPrefix('search_licence', idKey(query), 'search_licence')], limit), note: null };
      }
      case 'medical_id': {
        if (query.length < 2) return { rows: [], note: 'Type at least 2 characters of the medical ID.' };
        const key = idKey(query);
        return { rows: mergeRows([byPrefix('search_medical_id', key, 'search_medical_id'), byPrefix('search_caregiver_id', key, 'search_caregiver_id')], limit), note: null };
      }
      case 'rewards_card': {
        const hasTable = this.prepare("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'rewards_cards'").get();
        if (!hasTable) return { rows: [], note: 'Rewards cards arrive with the rewards issue: no card numbers to search yet.' };
        const rows = this.prepare(
          `SELECT ${SUMMARY_COLUMNS.split(',').map((c) => `c.${c.trim()}`).join(', ')} FROM rewards_cards r JOIN customers c ON c.id = r.customer_id
            WHERE r.card_number >= ? AND r.card_number < ? AND r.replaced_at IS NULL LIMIT ?`,
        ).all(query, prefixEnd(query), limit) as SummaryRow[];
        return { rows, note: null };
      }
      case 'birth_date': {
        const date = parseDateEntry(query);
        if (!date) return { rows: [], note: 'Type the birth date as 11/30/2017 or 11302017.' };
        const rows = this.prepare(`SELECT ${SUMMARY_COLUMNS} FROM customers WHERE date_of_birth = ? ORDER BY search_last LIMIT ?`).all(
          date,
          limit,
        ) as SummaryRow[];
        return { rows, note: null };
      }
    }
  }

  /** First-name prefix and last-name prefix together: a range on the last name, filtered in the index. */
  private byTwoNames(first: string, last: string, limit: number): SummaryRow[] {
    const firstKey = nameKey(first);
    const lastKey = nameKey(last);
    return this.prepare(
      `SELECT ${SUMMARY_COLUMNS} FROM customers
        WHERE search_last >= ? AND search_last < ? AND search_first >= ? AND search_first < ?
        ORDER BY search_last, search_first LIMIT ?`,
    ).all(lastKey, prefixEnd(lastKey), firstKey, prefixEnd(firstKey), limit) as SummaryRow[];
  }

  recent(limit: number): Array<CustomerSummary & { lastActivityAt: number; lastActivity: string }> {
    // Newest audit events that name a customer: check-ins, sales, profile and rewards changes.
    const events = this.prepare(
      'SELECT customer_id AS customerId, action, at, details FROM audit_events WHERE customer_id IS NOT NULL ORDER BY seq DESC LIMIT 1000',
    ).all() as Array<{ customerId: string; action: string; at: number; details?: string }>;
    const seen = new Map<string, { action: string; at: number; details?: string }>();
    for (const event of events) if (!seen.has(event.customerId)) seen.set(event.customerId, event);
    if (seen.size < limit) {
      const rows = this.prepare('SELECT id, updated_at FROM customers ORDER BY updated_at DESC LIMIT ?').all(limit) as Array<{ id: string; updated_at: number }>;
      for (const row of rows) if (!seen.has(row.id)) seen.set(row.id, { action: 'customers.updated', at: row.updated_at });
    }
    const out: Array<CustomerSummary & { lastActivityAt: number; lastActivity: string }> = [];
    for (const [id, activity] of [...seen.entries()].slice(0, limit)) {
      const row = this.prepare(`SELECT ${SUMMARY_COLUMNS} FROM customers WHERE id = ?`).get(id) as SummaryRow | undefined;
      if (row) out.push({ ...this.summary(row), lastActivityAt: activity.at, lastActivity: describeAction(activity.action, parseDetails(activity.details)) });
    }
    return out;
  }

  /**
   * The Directory: customers by their latest check-in, newest first, one line each. Queue entries
   * are never deleted (leaving the queue only marks them), so this is the check-in record. Entry ids
   * are ULIDs made at check-in, so walking the primary key backwards is newest first without a sort;
   * the walk stops at `limit` customers and never reads more than RECENT_CHECK_IN_SCAN entries.
   */
  recentCheckIns(limit: number): RecentCheckIn[] {
    const rows = this.prepare(
      `SELECT ${SUMMARY_COLUMNS.split(',').map((column) => `c.${column.trim()}`).join(', ')},
              q.checked_in_at AS checkedInAt, q.checked_in_as AS checkedInAs, q.removed_at AS removedAt, e.name AS checkedInByName
         FROM queue_entries q
         JOIN customers c ON c.id = q.customer_id
         LEFT JOIN employees e ON e.id = q.checked_in_by
        ORDER BY q.id DESC LIMIT ${RECENT_CHECK_IN_SCAN}`,
    );
    type Row = SummaryRow & { checkedInAt: number; checkedInAs: CustomerSummary['customerType']; removedAt: number | null; checkedInByName: string | null };
    // Collected first, summarised after: no other statement runs while the iterator is open.
    const latest = new Map<string, Row>();
    for (const row of rows.iterate() as Iterable<Row>) {
      if (latest.has(row.id)) continue;
      latest.set(row.id, row);
      if (latest.size >= limit) break;
    }
    return [...latest.values()].map((row) => ({
      ...this.summary(row),
      checkedInAt: row.checkedInAt,
      checkedInAs: row.checkedInAs,
      checkedInByName: row.checkedInByName,
      inQueue: row.removedAt === null,
    }));
  }

  caregivers(query: string): CustomerSummary[] {
    const key = nameKey(query.trim());
    const rows = this.prepare(
      `SELECT ${SUMMARY_COLUMNS} FROM customers WHERE customer_type = 'caregiver' AND search_last >= ? AND search_last < ?
        ORDER BY search_last, search_first LIMIT 50`,
    ).all(key, prefixEnd(key)) as SummaryRow[];
    return rows.map((r) => this.summary(r));
  }

  private summary(row: SummaryRow): CustomerSummary {
    const labels = this.warningLabels();
    const warnings: string[] = [];
    if (row.warning_1) warnings.push(labels[0]);
    if (row.warning_2) warnings.push(labels[1]);
    return {
      id: row.id,
      customerType: row.customer_type,
      displayName: displayName(row.first_name, row.last_name, row.nickname),
      firstName: row.first_name,
      lastName: row.last_name,
      nickname: row.nickname,
      dateOfBirth: row.date_of_birth,
      phone: row.phone,
      email: row.email,
      medicalId: row.medical_id,
      caregiverId: row.caregiver_id,
      banned: row.banned === 1,
      warnings,
      updatedAt: row.updated_at,
    };
  }

  // -------------------------------------------------------------------------------------------
  // One profile
  // -------------------------------------------------------------------------------------------

  private row(id: string): CustomerRow {
    const row = this.prepare('SELECT * FROM customers WHERE id = ?').get(id) as CustomerRow | undefined;
    if (!row) throw new CoreError('not_found', 'This customer profile does not exist any more: search again.');
    return row;
  }

  private profileRow(id: string): ProfileRow | null {
    return (this.prepare('SELECT * FROM customer_profiles WHERE customer_id = ?').get(id) as ProfileRow | undefined) ?? null;
  }

  private storedGroups(id: string): string[] {
    return (
      this.prepare(
        'SELECT g.name FROM customer_group_members m JOIN customer_groups g ON g.id = m.group_id WHERE m.customer_id = ? ORDER BY g.name',
      ).all(id) as Array<{ name: string }>
    ).map((g) => g.name);
  }

  formOf(row: CustomerRow, profile: ProfileRow | null, groups: string[]): CustomerForm {
    return {
      firstName: row.first_name,
      middleName: row.middle_name,
      lastName: row.last_name,
      nickname: row.nickname,
      dateOfBirth: row.date_of_birth,
      gender: (['male', 'female', 'non_binary', 'unspecified'] as const).find((g) => g === row.gender) ?? 'unspecified',
      licenceNumber: row.licence_number,
      licenceState: row.licence_state,
      identificationExpires: row.identification_expires,
      address: {
        street: profile?.address_street ?? null,
        street2: profile?.address_street2 ?? null,
        city: profile?.address_city ?? null,
        state: profile?.address_state ?? null,
        postalCode: profile?.address_postal_code ?? null,
      },
      adultUse: row.adult_use === null ? row.customer_type === 'adult_use' : row.adult_use === 1,
      stateMedicalId: row.state_medical_id === null ? row.medical_id !== null : row.state_medical_id === 1,
      medicalId: row.medical_id,
      medicalIdExpires: row.medical_id_expires,
      recommendationExpires: profile?.recommendation_expires ?? null,
      physician: { name: profile?.physician_name ?? null, licence: profile?.physician_licence ?? null, phone: profile?.physician_phone ?? null },
      caregiverLicence: row.caregiver_licence === null ? row.customer_type === 'caregiver' : row.caregiver_licence === 1,
      caregiverId: row.caregiver_id,
      caregiverIdExpires: row.caregiver_id_expires,
      caregiverCustomerId: profile?.caregiver_customer_id ?? null,
      phone: row.phone,
      otherPhone: profile?.other_phone ?? null,
      email: row.email,
      delivery: {
        street: profile?.delivery_street ?? null,
        street2: profile?.delivery_street2 ?? null,
        city: profile?.delivery_city ?? null,
        state: profile?.delivery_state ?? null,
        postalCode: profile?.delivery_postal_code ?? null,
      },
      notes: row.notes,
      warning1: row.warning_1 === 1,
      warning2: row.warning_2 === 1,
      banned: row.banned === 1,
      groups,
      scanned: profile?.scanned_at !== null && profile?.scanned_at !== undefined,
    };
  }

  get(id: string): CustomerDetail {
    const row = this.row(id);
    const profile = this.profileRow(id);
    const stored = this.storedGroups(id);
    const form = this.formOf(row, profile, stored);
    const today = this.today();
    const age = isIsoDate(row.date_of_birth) && row.date_of_birth <= today ? ageOn(row.date_of_birth, today) : null;
    const groups = stored.map((name) => ({ name, automatic: false }));
    if (age !== null && age >= this.seniorAge() && !stored.includes(SENIOR_GROUP)) groups.unshift({ name: SENIOR_GROUP, automatic: true });
    const documents = this.documentsOf(id);
    const caregiverRow = profile?.caregiver_customer_id
      ? (this.prepare('SELECT id, first_name, last_name, nickname, caregiver_id FROM customers WHERE id = ?').get(profile.caregiver_customer_id) as
          | { id: string; first_name: string; last_name: string; nickname: string | null; caregiver_id: string | null }
          | undefined)
      : undefined;
    return {
      id,
      customerType: row.customer_type,
      displayName: displayName(row.first_name, row.last_name, row.nickname),
      form,
      groups,
      age,
      alerts: this.alerts(row, form, age, today),
      documents,
      patients: this.patientsOf(id),
      caregiver: caregiverRow
        ? { id: caregiverRow.id, displayName: displayName(caregiverRow.first_name, caregiverRow.last_name, caregiverRow.nickname), caregiverId: caregiverRow.caregiver_id }
        : null,
      photoDocumentId: profile?.photo_document_id ?? null,
      progress: {
        scanned: form.scanned,
        photo: profile?.photo_document_id != null || documents.some((d) => d.kind === 'profile_photo' || d.kind === 'full_licence'),
        mdRec: documents.some((d) => d.kind === 'doctors_permit'),
        signature: false,
        saved: true,
      },
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  private alerts(row: CustomerRow, form: CustomerForm, age: number | null, today: string): string[] {
    const alerts: string[] = [];
    if (form.banned) alerts.push('Banned: do not serve this customer.');
    const labels = this.warningLabels();
    if (form.warning1) alerts.push(`Warning: ${labels[0]}`);
    if (form.warning2) alerts.push(`Warning: ${labels[1]}`);
    const expired = (date: string | null, what: string) => {
      if (date && date < today) alerts.push(`${what} expired on ${date}.`);
    };
    expired(row.identification_expires, 'The identification');
    if (!form.adultUse || row.customer_type !== 'adult_use') {
      expired(row.medical_id_expires, 'The state medical ID');
      expired(form.recommendationExpires, 'The medical recommendation');
    }
    expired(row.caregiver_id_expires, 'The caregiver licence');
    const adultUse = this.rules().profiles.find((p) => p.match.customerType === 'adult_use');
    if (age !== null && row.customer_type === 'adult_use' && adultUse && age < adultUse.minimumAge.value) {
      alerts.push(`The customer is ${age}: under ${adultUse.minimumAge.value}, no adult-use sale.`);
    }
    return alerts;
  }

  history(id: string, limit: number): CustomerHistoryEntry[] {
    this.row(id);
    const rows = this.prepare(
      `SELECT a.id, a.at, a.action, a.details, e.name AS employeeName FROM audit_events a
         LEFT JOIN employees e ON e.id = a.employee_id WHERE a.customer_id = ? ORDER BY a.seq DESC LIMIT ?`,
    ).all(id, limit) as Array<{ id: string; at: number; action: string; details: string; employeeName: string | null }>;
    return rows.map((row) => {
      const details = parseDetails(row.details);
      const changes = Array.isArray(details.changes)
        ? (details.changes as Array<{ field?: unknown; from?: unknown; to?: unknown }>)
            .filter((c) => typeof c.field === 'string')
            .map((c) => ({
              field: c.field as string,
              from: typeof c.from === 'string' ? c.from : null,
              to: typeof c.to === 'string' ? c.to : null,
            }))
        : [];
      return { id: row.id, at: row.at, employeeName: row.employeeName, action: row.action, summary: describeAction(row.action, details), changes };
    });
  }

  // -------------------------------------------------------------------------------------------
  // Create and update
  // -------------------------------------------------------------------------------------------

  /** Checks a form against the store's rules; returns the customer type it makes. */
  private validate(form: CustomerForm, selfId: string | null): CustomerKind {
    const config = this.config();
    const today = this.today();
    const dates: Array<[string | null, string]> = [
      [form.dateOfBirth, 'birth date'],
      [form.identificationExpires, 'identification expiration'],
      [form.medicalIdExpires, 'medical ID expiration'],
      [form.recommendationExpires, 'recommendation expiration'],
      [form.caregiverIdExpires, 'caregiver licence expiration'],
    ];
    for (const [value, what] of dates) {
      if (value !== null && !isIsoDate(value)) throw new CoreError('invalid_message', `The ${what} is not a real date: type it as 11/30/2017.`);
    }
    if (form.dateOfBirth > today) throw new CoreError('invalid_message', 'The birth date is in the future: check it against the licence.');
    if (form.adultUse && !config.adultUseAvailable) {
      throw new CoreError('invalid_message', `${config.jurisdictionName} has no adult-use sales: turn Adult Use off.`);
    }
    if (form.caregiverLicence) {
      if (!config.caregiverAvailable) throw new CoreError('invalid_message', `${config.jurisdictionName} has no caregivers: turn Caregiver Licence off.`);
      if (!form.caregiverId || !form.caregiverIdExpires) {
        throw new CoreError('invalid_message', 'Enter the caregiver licence number and its expiration, or turn Caregiver Licence off.');
      }
    }
    // A caregiver is a patient too only when they hold a medical ID of their own.
    const medicalCard = form.caregiverLicence
      ? form.medicalId !== null
      : !form.adultUse && (form.stateMedicalId || config.stateMedicalIdAlwaysRequired);
    if (medicalCard && (!form.medicalId || !form.medicalIdExpires)) {
      throw new CoreError('invalid_message', 'Enter the state medical ID and its expiration (a medical patient needs both).');
    }
    let kind: CustomerKind;
    if (form.caregiverLicence) kind = 'caregiver';
    else if (form.adultUse) kind = 'adult_use';
    else if (medicalCard) kind = 'medical';
    else {
      if (!config.medicalRecommendationAvailable) {
        throw new CoreError('invalid_message', 'Choose a customer type: turn on Adult Use or State Medical ID.');
      }
      if (!form.recommendationExpires) throw new CoreError('invalid_message', "Enter the medical recommendation's expiration.");
      if (config.physicianCardForRecommendation && (!form.physician.name || !form.physician.licence)) {
        throw new CoreError('invalid_message', "Enter the physician's name and licence number from the recommendation.");
      }
      kind = 'medical_recommendation';
    }
    if (form.caregiverCustomerId) {
      if (form.caregiverCustomerId === selfId) throw new CoreError('invalid_message', 'A customer cannot be their own caregiver.');
      const caregiver = this.prepare("SELECT customer_type FROM customers WHERE id = ?").get(form.caregiverCustomerId) as { customer_type: string } | undefined;
      if (!caregiver || caregiver.customer_type !== 'caregiver') {
        throw new CoreError('invalid_message', 'The chosen caregiver does not have Caregiver Licence on: choose another from the list.');
      }
    }
    if (form.groups.some((g) => nameKey(g) === SENIOR_GROUP)) {
      // senior follows the birth date; choosing it by hand is allowed (a store may add a younger customer).
    }
    return kind;
  }

  /** The licence fields as stored: the number only where the state allows, the fingerprint always. */
  private licenceColumns(form: CustomerForm, existing: CustomerRow | null, draftFingerprint: string | null): { number: string | null; key: string | null } {
    if (form.licenceNumber) {
      const secret = this.licenceSecret(true)!;
      return { number: this.mayKeepLicenceData() ? form.licenceNumber : null, key: licenceFingerprint(secret, form.licenceNumber) };
    }
    if (draftFingerprint) return { number: null, key: draftFingerprint };
    // Where the number is not kept, the form never shows it: an empty field keeps the fingerprint.
    if (existing && !this.mayKeepLicenceData()) return { number: null, key: existing.licence_key };
    return { number: null, key: null };
  }

  create(actor: Actor, commandId: string, input: CustomerForm, draftId: string | null): CustomerDetail {
    const form = customerFormSchema.parse(input);
    const kind = this.validate(form, null);
    const now = this.deps.clock();
    const { result } = applyCommand(
      this.sqlite,
      { commandId, name: 'customers.create', actorId: actor.id },
      () => {
        const id = newId(now);
        const licence = this.licenceColumns(form, null, draftId ? this.draftFingerprint(draftId) : null);
        this.prepare(
          `INSERT INTO customers (id, customer_type, first_name, middle_name, last_name, date_of_birth, identification_expires,
             medical_id, medical_id_expires, caregiver_id, caregiver_id_expires, phone, email, created_at, updated_at,
             licence_number, licence_key, licence_state, nickname, gender, banned, warning_1, warning_2, notes,
             adult_use, state_medical_id, caregiver_licence)
           VALUES (@id, @kind, @firstName, @middleName, @lastName, @dateOfBirth, @identificationExpires,
             @medicalId, @medicalIdExpires, @caregiverId, @caregiverIdExpires, @phone, @email, @now, @now,
             @licenceNumber, @licenceKey, @licenceState, @nickname, @gender, @banned, @warning1, @warning2, @notes,
             @adultUse, @stateMedicalId, @caregiverLicence)`,
        ).run(this.customerParams(id, kind, form, licence, now));
        this.writeProfile(id, form, now, form.scanned ? now : null);
        this.writeGroups(id, form.groups, now);
        if (draftId) this.prepare('DELETE FROM customer_drafts WHERE id = ?').run(draftId);
        return {
          result: { id },
          audit: {
            customerId: id,
            details: { customerType: kind, fromScan: form.scanned, ...(draftId ? { draftId } : {}) },
          },
        };
      },
      now,
    );
    return this.get(result.id);
  }

  update(actor: Actor, commandId: string, id: string, input: CustomerForm, draftId: string | null): CustomerDetail {
    const form = customerFormSchema.parse(input);
    const kind = this.validate(form, id);
    const now = this.deps.clock();
    applyCommand(
      this.sqlite,
      { commandId, name: 'customers.update', actorId: actor.id },
      () => {
        const existing = this.row(id);
        const profile = this.profileRow(id);
        const before = this.formOf(existing, profile, this.storedGroups(id));
        const licence = this.licenceColumns(form, existing, draftId ? this.draftFingerprint(draftId) : null);
        const changes = this.diff(before, form, existing.licence_key, licence.key);
        this.prepare(
          `UPDATE customers SET customer_type = @kind, first_name = @firstName, middle_name = @middleName, last_name = @lastName,
             date_of_birth = @dateOfBirth, identification_expires = @identificationExpires, medical_id = @medicalId,
             medical_id_expires = @medicalIdExpires, caregiver_id = @caregiverId, caregiver_id_expires = @caregiverIdExpires,
             phone = @phone, email = @email, updated_at = @now, licence_number = @licenceNumber, licence_key = @licenceKey,
             licence_state = @licenceState, nickname = @nickname, gender = @gender, banned = @banned, warning_1 = @warning1,
             warning_2 = @warning2, notes = @notes, adult_use = @adultUse, state_medical_id = @stateMedicalId,
             caregiver_licence = @caregiverLicence
           WHERE id = @id`,
        ).run(this.customerParams(id, kind, form, licence, now));
        this.writeProfile(id, form, now, profile?.scanned_at ?? (form.scanned ? now : null));
        this.writeGroups(id, form.groups, now);
        if (draftId) this.prepare('DELETE FROM customer_drafts WHERE id = ?').run(draftId);
        if (kind !== 'caregiver') {
          const patients = this.prepare('SELECT COUNT(*) AS n FROM caregiver_patients WHERE caregiver_id = ?').get(id) as { n: number };
          if (patients.n > 0) {
            throw new CoreError('conflict', 'This caregiver still has caregiver-patients: remove them before turning Caregiver Licence off.');
          }
        }
        return { result: { id }, audit: { customerId: id, details: { customerType: kind, changes, ...(draftId ? { draftId } : {}) } } };
      },
      now,
    );
    return this.get(id);
  }

  private customerParams(id: string, kind: CustomerKind, form: CustomerForm, licence: { number: string | null; key: string | null }, now: number) {
    return {
      id,
      kind,
      firstName: form.firstName,
      middleName: form.middleName,
      lastName: form.lastName,
      dateOfBirth: form.dateOfBirth,
      identificationExpires: form.identificationExpires,
      medicalId: form.medicalId,
      medicalIdExpires: form.medicalIdExpires,
      caregiverId: form.caregiverLicence ? form.caregiverId : null,
      caregiverIdExpires: form.caregiverLicence ? form.caregiverIdExpires : null,
      phone: form.phone,
      email: form.email,
      now,
      licenceNumber: licence.number,
      licenceKey: licence.key,
      licenceState: form.licenceState ? form.licenceState.toUpperCase() : null,
      nickname: form.nickname,
      gender: form.gender,
      banned: form.banned ? 1 : 0,
      warning1: form.warning1 ? 1 : 0,
      warning2: form.warning2 ? 1 : 0,
      notes: form.notes,
      adultUse: form.adultUse ? 1 : 0,
      stateMedicalId: form.stateMedicalId ? 1 : 0,
      caregiverLicence: form.caregiverLicence ? 1 : 0,
    };
  }

  private writeProfile(id: string, form: CustomerForm, now: number, scannedAt: number | null): void {
    this.prepare(
      `INSERT INTO customer_profiles (customer_id, address_street, address_street2, address_city, address_state, address_postal_code,
         delivery_street, delivery_street2, delivery_city, delivery_state, delivery_postal_code, other_phone,
         recommendation_expires, physician_name, physician_licence, physician_phone, caregiver_customer_id, scanned_at, updated_at)
       VALUES (@id, @aStreet, @aStreet2, @aCity, @aState, @aPostal, @dStreet, @dStreet2, @dCity, @dState, @dPostal, @otherPhone,
         @rec, @pName, @pLicence, @pPhone, @caregiver, @scannedAt, @now)
       ON CONFLICT (customer_id) DO UPDATE SET address_street = excluded.address_street, address_street2 = excluded.address_street2,
         address_city = excluded.address_city, address_state = excluded.address_state, address_postal_code = excluded.address_postal_code,
         delivery_street = excluded.delivery_street, delivery_street2 = excluded.delivery_street2, delivery_city = excluded.delivery_city,
         delivery_state = excluded.delivery_state, delivery_postal_code = excluded.delivery_postal_code, other_phone = excluded.other_phone,
         recommendation_expires = excluded.recommendation_expires, physician_name = excluded.physician_name,
         physician_licence = excluded.physician_licence, physician_phone = excluded.physician_phone,
         caregiver_customer_id = excluded.caregiver_customer_id, scanned_at = excluded.scanned_at, updated_at = excluded.updated_at`,
    ).run({
      id,
      aStreet: form.address.street,
      aStreet2: form.address.street2,
      aCity: form.address.city,
      aState: form.address.state,
      aPostal: form.address.postalCode,
      dStreet: form.delivery.street,
      dStreet2: form.delivery.street2,
      dCity: form.delivery.city,
      dState: form.delivery.state,
      dPostal: form.delivery.postalCode,
      otherPhone: form.otherPhone,
      rec: form.recommendationExpires,
      pName: form.physician.name,
      pLicence: form.physician.licence,
      pPhone: form.physician.phone,
      caregiver: form.caregiverCustomerId,
      scannedAt,
      now,
    });
  }

  private writeGroups(id: string, names: string[], now: number): void {
    this.prepare('DELETE FROM customer_group_members WHERE customer_id = ?').run(id);
    const unique = [...new Set(names.map((n) => n.trim().toLowerCase()).filter((n) => n.length > 0))];
    for (const name of unique) {
      let group = this.prepare('SELECT id FROM customer_groups WHERE name = ?').get(name) as { id: string } | undefined;
      if (!group) {
        group = { id: newId(now) };
        this.prepare('INSERT INTO customer_groups (id, name, created_at) VALUES (?, ?, ?)').run(group.id, name, now);
      }
      this.prepare('INSERT OR IGNORE INTO customer_group_members (customer_id, group_id) VALUES (?, ?)').run(id, group.id);
    }
  }

  /** field: old → new, for the history. The licence number itself never enters the audit log where it may not be kept. */
  private diff(before: CustomerForm, after: CustomerForm, keyBefore: string | null, keyAfter: string | null): Array<{ field: string; from: string | null; to: string | null }> {
    const changes: Array<{ field: string; from: string | null; to: string | null }> = [];
    const show = (value: unknown): string | null => {
      if (value === null || value === undefined || value === '') return null;
      if (typeof value === 'boolean') return value ? 'on' : 'off';
      if (Array.isArray(value)) return value.length ? value.join(', ') : null;
      if (typeof value === 'object') {
        const parts = Object.values(value as Record<string, unknown>).filter((v) => v !== null && v !== '');
        return parts.length ? parts.join(', ') : null;
      }
      return String(value);
    };
    for (const key of Object.keys(FIELD_LABELS) as Array<keyof CustomerForm>) {
      if (key === 'licenceNumber') {
        if (this.mayKeepLicenceData()) {
          const from = show(before.licenceNumber);
          const to = show(after.licenceNumber);
          if (from !== to) changes.push({ field: FIELD_LABELS[key]!, from, to });
        } else if (keyBefore !== keyAfter) {
          changes.push({ field: FIELD_LABELS[key]!, from: keyBefore ? '(fingerprint)' : null, to: keyAfter ? '(new fingerprint)' : null });
        }
        continue;
      }
      const from = show(key === 'groups' ? [...before.groups].sort() : before[key]);
      const to = show(key === 'groups' ? [...new Set(after.groups.map((g) => g.trim().toLowerCase()))].sort() : after[key]);
      if (from !== to) changes.push({ field: FIELD_LABELS[key]!, from, to });
    }
    return changes;
  }

  // -------------------------------------------------------------------------------------------
  // Caregivers' patients
  // -------------------------------------------------------------------------------------------

  patientsOf(caregiverId: string): CaregiverPatient[] {
    return (
      this.prepare(
        `SELECT id, caregiver_id AS caregiverId, first_name AS firstName, last_name AS lastName, medical_licence AS medicalLicence,
                licence_expires AS licenceExpires FROM caregiver_patients WHERE caregiver_id = ? ORDER BY last_name, first_name`,
      ).all(caregiverId) as CaregiverPatient[]
    );
  }

  addPatient(actor: Actor, commandId: string, caregiverId: string, patient: Omit<CaregiverPatient, 'id' | 'caregiverId'>): CaregiverPatient {
    if (!isIsoDate(patient.licenceExpires)) throw new CoreError('invalid_message', "The patient's licence expiration is not a real date.");
    const now = this.deps.clock();
    const { result } = applyCommand(
      this.sqlite,
      { commandId, name: 'customers.addPatient', actorId: actor.id },
      () => {
        const caregiver = this.row(caregiverId);
        if (caregiver.customer_type !== 'caregiver') {
          throw new CoreError('conflict', 'Turn Caregiver Licence on and save the profile before adding caregiver-patients.');
        }
        const cap = this.rules().caregivers.maxPatientsPerCaregiver.value;
        const count = (this.prepare('SELECT COUNT(*) AS n FROM caregiver_patients WHERE caregiver_id = ?').get(caregiverId) as { n: number }).n;
        if (typeof cap === 'number' && count >= cap) {
          throw new CoreError(
            'conflict',
            `${this.rules().name} allows at most ${cap} patient${cap === 1 ? '' : 's'} per caregiver: remove one before adding another.`,
            { cap },
          );
        }
        const id = newId(now);
        this.prepare(
          `INSERT INTO caregiver_patients (id, caregiver_id, first_name, last_name, medical_licence, licence_expires, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(id, caregiverId, patient.firstName, patient.lastName, patient.medicalLicence, patient.licenceExpires, now, now);
        const created: CaregiverPatient = { id, caregiverId, ...patient };
        return { result: created, audit: { customerId: caregiverId, details: { patientId: id, patient: `${patient.firstName} ${patient.lastName}` } } };
      },
      now,
    );
    return result;
  }

  updatePatient(actor: Actor, commandId: string, id: string, patient: Omit<CaregiverPatient, 'id' | 'caregiverId'>): CaregiverPatient {
    if (!isIsoDate(patient.licenceExpires)) throw new CoreError('invalid_message', "The patient's licence expiration is not a real date.");
    const now = this.deps.clock();
    const { result } = applyCommand(
      this.sqlite,
      { commandId, name: 'customers.updatePatient', actorId: actor.id },
      () => {
        const existing = this.prepare('SELECT * FROM caregiver_patients WHERE id = ?').get(id) as
          | { caregiver_id: string; first_name: string; last_name: string; medical_licence: string; licence_expires: string }
          | undefined;
        if (!existing) throw new CoreError('not_found', 'This caregiver-patient record does not exist any more.');
        this.prepare(
          'UPDATE caregiver_patients SET first_name = ?, last_name = ?, medical_licence = ?, licence_expires = ?, updated_at = ? WHERE id = ?',
        ).run(patient.firstName, patient.lastName, patient.medicalLicence, patient.licenceExpires, now, id);
        const changes = [
          ['Patient first name', existing.first_name, patient.firstName],
          ['Patient last name', existing.last_name, patient.lastName],
          ['Patient medical licence', existing.medical_licence, patient.medicalLicence],
          ['Patient licence expiration', existing.licence_expires, patient.licenceExpires],
        ]
          .filter(([, from, to]) => from !== to)
          .map(([field, from, to]) => ({ field: field!, from: from ?? null, to: to ?? null }));
        return {
          result: { id, caregiverId: existing.caregiver_id, ...patient },
          audit: { customerId: existing.caregiver_id, details: { patientId: id, patient: `${patient.firstName} ${patient.lastName}`, changes } },
        };
      },
      now,
    );
    return result;
  }

  removePatient(actor: Actor, commandId: string, id: string): { removed: true } {
    const now = this.deps.clock();
    applyCommand(
      this.sqlite,
      { commandId, name: 'customers.removePatient', actorId: actor.id },
      () => {
        const existing = this.prepare('SELECT caregiver_id, first_name, last_name FROM caregiver_patients WHERE id = ?').get(id) as
          | { caregiver_id: string; first_name: string; last_name: string }
          | undefined;
        if (!existing) throw new CoreError('not_found', 'This caregiver-patient record was already removed.');
        this.prepare('DELETE FROM caregiver_patients WHERE id = ?').run(id);
        return {
          result: { removed: true as const },
          audit: { customerId: existing.caregiver_id, details: { patientId: id, patient: `${existing.first_name} ${existing.last_name}` } },
        };
      },
      now,
    );
    return { removed: true };
  }

  // -------------------------------------------------------------------------------------------
  // Drafts
  // -------------------------------------------------------------------------------------------

  drafts(): CustomerDraftSummary[] {
    return this.prepare(
      `SELECT d.id, d.customer_id AS customerId, d.title, e.name AS employeeName, d.updated_at AS updatedAt
         FROM customer_drafts d LEFT JOIN employees e ON e.id = d.employee_id ORDER BY d.updated_at DESC LIMIT 100`,
    ).all() as CustomerDraftSummary[];
  }

  getDraft(id: string): CustomerDraftSummary & { form: Record<string, unknown> } {
    const row = this.prepare(
      `SELECT d.id, d.customer_id AS customerId, d.title, e.name AS employeeName, d.updated_at AS updatedAt, d.form
         FROM customer_drafts d LEFT JOIN employees e ON e.id = d.employee_id WHERE d.id = ?`,
    ).get(id) as (CustomerDraftSummary & { form: string }) | undefined;
    if (!row) throw new CoreError('not_found', 'This draft was saved or discarded on another screen.');
    let form: Record<string, unknown> = {};
    try {
      form = JSON.parse(row.form) as Record<string, unknown>;
    } catch {
      form = {};
    }
    delete form.licenceFingerprint;
    return { ...row, form };
  }

  private draftFingerprint(draftId: string): string | null {
    const row = this.prepare('SELECT form FROM customer_drafts WHERE id = ?').get(draftId) as { form: string } | undefined;
    if (!row) return null;
    try {
      const form = JSON.parse(row.form) as Record<string, unknown>;
      return typeof form.licenceFingerprint === 'string' ? form.licenceFingerprint : null;
    } catch {
      return null;
    }
  }

  saveDraft(
    actor: Actor,
    commandId: string,
    input: { draftId: string | null; customerId: string | null; title: string; form: Record<string, unknown> },
  ): CustomerDraftSummary {
    const now = this.deps.clock();
    const { result } = applyCommand(
      this.sqlite,
      { commandId, name: 'customers.saveDraft', actorId: actor.id },
      () => {
        if (input.customerId) this.row(input.customerId);
        const form = { ...input.form };
        // Where scanned licence data may not be kept, a draft keeps only the number's fingerprint.
        if (!this.mayKeepLicenceData() && typeof form.licenceNumber === 'string' && form.licenceNumber.trim() !== '') {
          form.licenceFingerprint = licenceFingerprint(this.licenceSecret(true)!, form.licenceNumber);
          form.licenceNumber = null;
        } else if (input.draftId && form.licenceFingerprint === undefined) {
          const previous = this.draftFingerprint(input.draftId);
          if (previous) form.licenceFingerprint = previous;
        }
        const title = input.title || 'New customer';
        const id = input.draftId ?? newId(now);
        const existing = input.draftId ? this.prepare('SELECT id FROM customer_drafts WHERE id = ?').get(input.draftId) : undefined;
        if (existing) {
          this.prepare('UPDATE customer_drafts SET title = ?, form = ?, employee_id = ?, updated_at = ? WHERE id = ?').run(
            title,
            JSON.stringify(form),
            actor.id,
            now,
            id,
          );
        } else {
          this.prepare(
            'INSERT INTO customer_drafts (id, customer_id, title, form, employee_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          ).run(id, input.customerId, title, JSON.stringify(form), actor.id, now, now);
        }
        // The draft's content stays out of the audit log (it may hold what the customer has not agreed to keep).
        return { result: { id }, audit: { details: { draftId: id, title, customerId: input.customerId } } };
      },
      now,
    );
    const summary = this.drafts().find((d) => d.id === result.id);
    if (!summary) throw new CoreError('not_found', 'The draft was discarded on another screen.');
    return summary;
  }

  discardDraft(actor: Actor, commandId: string, id: string): { discarded: true } {
    const now = this.deps.clock();
    applyCommand(
      this.sqlite,
      { commandId, name: 'customers.discardDraft', actorId: actor.id },
      () => {
        const row = this.prepare('SELECT title FROM customer_drafts WHERE id = ?').get(id) as { title: string } | undefined;
        this.prepare('DELETE FROM customer_drafts WHERE id = ?').run(id);
        return { result: { discarded: true as const }, audit: { details: { draftId: id, title: row?.title ?? null } } };
      },
      now,
    );
    return { discarded: true };
  }

  // -------------------------------------------------------------------------------------------
  // Documents
  // -------------------------------------------------------------------------------------------

  documentsOf(customerId: string): CustomerDocument[] {
    return this.prepare(
      `SELECT d.id, d.kind, d.title, d.sha256, d.mime, d.size_bytes AS sizeBytes, d.added_at AS addedAt, e.name AS addedByName
         FROM customer_documents d LEFT JOIN employees e ON e.id = d.added_by WHERE d.customer_id = ? ORDER BY d.added_at DESC, d.id DESC`,
    ).all(customerId) as CustomerDocument[];
  }

  addDocument(
    actor: Actor,
    commandId: string,
    input: {
      customerId: string;
      kind: DocumentKind;
      mime: string;
      source: { from: 'upload'; uploadId: string } | { from: 'device'; file: string; sha256: string };
      useAsPhoto: boolean;
    },
  ): CustomerDocument {
    if (input.kind === 'full_licence' && !this.mayKeepLicenceData()) {
      const rules = this.rules();
      throw new CoreError('forbidden', `${rules.name} law does not allow keeping an image of the licence (${rules.mayKeepScannedLicenceData.source}): nothing was saved.`);
    }
    const previous = this.prepare('SELECT result FROM applied_commands WHERE id = ?').get(commandId) as { result: string } | undefined;
    if (previous) return JSON.parse(previous.result) as CustomerDocument;
    this.row(input.customerId);
    // The file first, named by its content: a crash after this leaves at worst an unused file.
    const stored = input.source.from === 'upload'
      ? this.documents.commitUpload(input.source.uploadId, input.mime)
      : this.documents.importDeviceFile(input.source.file, input.source.sha256, input.mime);
    const now = this.deps.clock();
    const title = `${DOCUMENT_TITLES[input.kind]} ${formatStamp(now, this.timeZone())}`;
    const { result } = applyCommand(
      this.sqlite,
      { commandId, name: 'customers.addDocument', actorId: actor.id },
      () => {
        const id = newId(now);
        this.prepare(
          'INSERT INTO customer_documents (id, customer_id, kind, title, sha256, mime, size_bytes, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        ).run(id, input.customerId, input.kind, title, stored.sha256, input.mime, stored.sizeBytes, now, actor.id);
        if (input.useAsPhoto || input.kind === 'profile_photo') {
          const updated = this.prepare('UPDATE customer_profiles SET photo_document_id = ?, updated_at = ? WHERE customer_id = ?').run(id, now, input.customerId);
          if (updated.changes === 0) {
            this.prepare('INSERT INTO customer_profiles (customer_id, photo_document_id, updated_at) VALUES (?, ?, ?)').run(input.customerId, id, now);
          }
        }
        const document: CustomerDocument = {
          id,
          kind: input.kind,
          title,
          sha256: stored.sha256,
          mime: input.mime,
          sizeBytes: stored.sizeBytes,
          addedAt: now,
          addedByName: this.employeeName(actor.id),
        };
        return { result: document, audit: { customerId: input.customerId, details: { documentId: id, kind: input.kind, title, sha256: stored.sha256 } } };
      },
      now,
    );
    return result;
  }

  private employeeName(id: string): string | null {
    return (this.prepare('SELECT name FROM employees WHERE id = ?').get(id) as { name: string } | undefined)?.name ?? null;
  }

  readDocument(id: string): { mime: string; dataBase64: string; title: string } {
    const row = this.prepare('SELECT sha256, mime, title FROM customer_documents WHERE id = ?').get(id) as
      | { sha256: string; mime: string; title: string }
      | undefined;
    if (!row) throw new CoreError('not_found', 'This document does not exist.');
    return { mime: row.mime, title: row.title, dataBase64: this.documents.read(row.sha256).toString('base64') };
  }
}

const DOCUMENT_TITLES: Record<DocumentKind, string> = {
  full_licence: 'Full License',
  doctors_permit: 'Doctors Permit',
  medical_card: 'Medical Card',
  profile_photo: 'Profile Photo',
  other: 'Document',
};

function formatStamp(at: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(at));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}

/** A blank profile form: one definition shared with the screens (the contract). */
export { emptyForm };

function titleCase(text: string): string {
  return text.toLowerCase().replace(/(^|[\s'-])([a-z])/g, (_m, before: string, letter: string) => before + letter.toUpperCase());
}

function isIsoDate(text: string): boolean {
  return parseDateEntry(text) === text;
}

function mergeRows(lists: SummaryRow[][], limit: number): SummaryRow[] {
  const seen = new Set<string>();
  const out: SummaryRow[] = [];
  for (const list of lists) {
    for (const row of list) {
      if (seen.has(row.id)) continue;
      seen.add(row.id);
      out.push(row);
    }
  }
  out.sort((a, b) => (nameKey(a.last_name) + ' ' + nameKey(a.first_name)).localeCompare(nameKey(b.last_name) + ' ' + nameKey(b.first_name)));
  return out.slice(0, limit);
}

const CHECK_IN_TYPE_WORDS: Record<string, string> = {
  adult_use: 'adult use',
  medical: 'medical',
  medical_recommendation: 'medical (recommendation)',
  caregiver: 'caregiver',
};
const ALLOTMENT_SOURCE_WORDS: Record<string, string> = {
  state_system: 'from BioTrack',
  manual: 'typed by hand',
  legal_limits: 'at the legal limits',
  not_required: 'not needed (buys for patients)',
};

/** An audit event's details, or {} when there are none or they are not a JSON object. */
function parseDetails(text: string | undefined): Record<string, unknown> {
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function checkInTypeWords(as: unknown): string {
  return (typeof as === 'string' ? CHECK_IN_TYPE_WORDS[as] : undefined) ?? 'a customer';
}

function dollars(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  return `${sign}$${(Math.abs(cents) / 100).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;
}

function describeAction(action: string, details: Record<string, unknown>): string {
  switch (action) {
    case 'customers.create':
      return details.fromScan ? 'Profile created from a licence scan' : 'Profile created';
    case 'customers.update':
      return 'Profile edited';
    case 'customers.updated':
      return 'Profile saved';
    case 'customers.addDocument':
      return `Document added: ${typeof details.title === 'string' ? details.title : 'a document'}`;
    case 'customers.addPatient':
      return `Caregiver-patient added: ${String(details.patient ?? '')}`;
    case 'customers.updatePatient':
      return `Caregiver-patient edited: ${String(details.patient ?? '')}`;
    case 'customers.removePatient':
      return `Caregiver-patient removed: ${String(details.patient ?? '')}`;
    // Rewards (issue 9) writes that name the customer.
    case 'rewards.adjust':
      return details.oldBalance === undefined
        ? 'Points adjusted by hand'
        : `Points adjusted by hand: ${String(details.oldBalance)} → ${String(details.newBalance)} (${String(details.reason ?? '')}), approved by ${String(details.approverName ?? 'a manager')}`;
    case 'rewards.connectCard':
      return details.cardEnding === undefined ? 'Rewards card connected' : `Rewards card connected: ending ${String(details.cardEnding)}`;
    case 'rewards.replaceCard':
      return details.newCardEnding === undefined
        ? 'Rewards card replaced'
        : `Rewards card replaced: ending ${String(details.oldCardEnding)} → ending ${String(details.newCardEnding)}`;
    case 'rewards.setCustomerTags':
      return Array.isArray(details.after) ? `Tags: ${details.after.length > 0 ? details.after.join(', ') : 'none'}` : 'Tags changed';
    // Check-in and the queue (issue 6).
    case 'queue.check_in': {
      const source = typeof details.allotmentSource === 'string' ? ALLOTMENT_SOURCE_WORDS[details.allotmentSource] : undefined;
      const lowered = Array.isArray(details.lowered) && details.lowered.length > 0 ? ', lowered by staff' : '';
      const nested = typeof details.nestedUnder === 'string' ? ' · with their caregiver' : '';
      return `Checked in as ${checkInTypeWords(details.as)}${source ? ` · allotment ${source}${lowered}` : ''}${nested}`;
    }
    case 'queue.check_in_manual_allotment':
      return `Checked in as ${checkInTypeWords(details.as)} · allotment typed by hand while BioTrack was offline${
        typeof details.confirmedCardId === 'string' ? ` (medical ID ${details.confirmedCardId} confirmed)` : ''
      }`;
    case 'queue.remove':
      return 'Removed from the queue';
    // Checkout (issue 7).
    case 'sale.complete': {
      const receipt = typeof details.receiptNumber === 'number' || typeof details.receiptNumber === 'string' ? ` #${String(details.receiptNumber)}` : '';
      const total = typeof details.totalCents === 'number' ? `: ${dollars(details.totalCents)}` : '';
      const lines = typeof details.lines === 'number' ? ` (${details.lines} line${details.lines === 1 ? '' : 's'})` : '';
      return `Sale${receipt}${total}${lines}`;
    }
    case 'sale.void':
      return `Sale voided${typeof details.reason === 'string' && details.reason ? `: ${details.reason}` : ''}`;
    case 'sale.return':
      return `Return on a sale${typeof details.reason === 'string' && details.reason ? `: ${details.reason}` : ''}`;
    // Track & Trace (issue 8): a sale's report to BioTrack.
    case 'trace.sync.resend':
      return 'Sale report to BioTrack sent again';
    case 'trace.sync.dismiss':
      return `Sale report to BioTrack dismissed${typeof details.reason === 'string' && details.reason ? `: ${details.reason}` : ''}`;
    case 'trace.demo.enqueueSale':
      return 'Demo sale reported to BioTrack';
    default: {
      const words = action.replace(/[._]/g, ' ');
      return words.charAt(0).toUpperCase() + words.slice(1);
    }
  }
}
