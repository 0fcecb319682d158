/**
 * What every queue use case reads: the store's jurisdiction rules, today's date in the store's
 * time zone, the state system's name, and a customer's facts. Customer facts owned by the
 * Customers capability (banned, warnings, notes, licence state, caregiver link) are read only
 * where their columns exist, so this works on any schema version.
 */
import type Database from 'better-sqlite3';
import type { CheckInType } from '../../preload/contract/queue.js';
import { CoreError } from '../core/errors.js';
import { readSetting } from '../core/settings.js';
import { loadJurisdictionRules, type JurisdictionRules } from '../compliance/rules.js';
import { storeLocalDate } from '../licenses/checks.js';
import { readTraceConfig } from '../trace/config.js';
import { PROVIDER_NAMES } from '../trace/providers.js';
import type { AllotmentSource } from './allotment-source.js';

const DEFAULT_WARNING_LABELS: [string, string] = ['Warning 1', 'Warning 2'];

export const TYPE_LABEL: Record<CheckInType, string> = {
  adult_use: 'adult use',
  medical: 'medical',
  medical_recommendation: 'medical (recommendation)',
  caregiver: 'caregiver',
};

export interface CustomerFacts {
  id: string;
  customerType: CheckInType;
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  identificationExpires: string | null;
  medicalId: string | null;
  medicalIdExpires: string | null;
  caregiverId: string | null;
  caregiverIdExpires: string | null;
  banned: boolean;
  warnings: string[];
  notes: string | null;
  licenceState: string | null;
  adultUse: boolean;
  caregiverCustomerId: string | null;
  recommendationExpires: string | null;
}

export interface QueueServiceDeps {
  sqlite: () => Database.Database;
  clock: () => number;
  resourcesDir: string;
  allotments: AllotmentSource;
}

export class QueueContext {
  private rulesCache: { code: string; rules: JurisdictionRules } | null = null;
  private columnCache = new WeakMap<Database.Database, Map<string, Set<string>>>();
  constructor(readonly deps: QueueServiceDeps) {}

  rules(): JurisdictionRules {
    const code = readSetting(this.deps.sqlite(), 'store.jurisdiction') ?? 'IL';
    if (this.rulesCache?.code !== code) {
      try {
        this.rulesCache = { code, rules: loadJurisdictionRules(this.deps.resourcesDir, code) };
      } catch (error) {
        throw new CoreError('unavailable', error instanceof Error ? error.message : String(error));
      }
    }
    return this.rulesCache.rules;
  }

  today(): string {
    return storeLocalDate(this.deps.clock(), readSetting(this.deps.sqlite(), 'store.timeZone') ?? 'America/Chicago');
  }

  private columns(table: string): Set<string> {
    const db = this.deps.sqlite();
    let tables = this.columnCache.get(db);
    if (!tables) {
      tables = new Map();
      this.columnCache.set(db, tables);
    }
    let columns = tables.get(table);
    if (!columns) {
      columns = new Set((db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as Array<{ name: string }>).map((row) => row.name));
      tables.set(table, columns);
    }
    return columns;
  }

  private warningLabels(): [string, string] {
    const row = this.deps.sqlite().prepare('SELECT value FROM settings WHERE key = ?').get('customers.warningLabels') as { value: string } | undefined;
    try {
      const value: unknown = row ? JSON.parse(row.value) : null;
      if (Array.isArray(value) && value.length === 2 && value.every((item) => typeof item === 'string' && item.length > 0)) {
        return [value[0] as string, value[1] as string];
      }
    } catch {
      // fall through to the defaults
    }
    return DEFAULT_WARNING_LABELS;
  }

  customer(id: string): CustomerFacts | null {
    const db = this.deps.sqlite();
    const have = this.columns('customers');
    const optional = (column: string, alias: string) => (have.has(column) ? `c.${column} AS ${alias}` : `NULL AS ${alias}`);
    const profiles = this.columns('customer_profiles');
    const profileJoin = profiles.size > 0 ? 'LEFT JOIN customer_profiles p ON p.customer_id = c.id' : '';
    const profileColumn = (column: string, alias: string) => (profiles.has(column) ? `p.${column} AS ${alias}` : `NULL AS ${alias}`);
    const row = db
      .prepare(
        `SELECT c.id, c.customer_type AS customerType, c.first_name AS firstName, c.last_name AS lastName, c.date_of_birth AS dateOfBirth,
                c.identification_expires AS identificationExpires, c.medical_id AS medicalId, c.medical_id_expires AS medicalIdExpires,
                c.caregiver_id AS caregiverId, c.caregiver_id_expires AS caregiverIdExpires,
                ${optional('banned', 'banned')}, ${optional('warning_1', 'warning1')}, ${optional('warning_2', 'warning2')},
                ${optional('notes', 'notes')}, ${optional('licence_state', 'licenceState')}, ${optional('adult_use', 'adultUse')},
                ${profileColumn('caregiver_customer_id', 'caregiverCustomerId')}, ${profileColumn('recommendation_expires', 'recommendationExpires')}
           FROM customers c ${profileJoin} WHERE c.id = ?`,
      )
      .get(id) as
      | (Omit<CustomerFacts, 'banned' | 'warnings' | 'adultUse'> & { banned: number | null; warning1: number | null; warning2: number | null; adultUse: number | null })
      | undefined;
    if (!row) return null;
    const labels = this.warningLabels();
    const warnings: string[] = [];
    if (row.warning1) warnings.push(labels[0]);
    if (row.warning2) warnings.push(labels[1]);
    const { warning1: _w1, warning2: _w2, ...rest } = row;
    return { ...rest, banned: row.banned === 1, warnings, adultUse: row.adultUse === 1 };
  }

  /** The patient's caregivers: every one named on the profile where the store's schema lists several. */
  caregiversOf(customer: CustomerFacts): string[] {
    if (this.columns('customer_caregivers').size === 0) return customer.caregiverCustomerId ? [customer.caregiverCustomerId] : [];
    const ids = (
      this.deps.sqlite().prepare('SELECT caregiver_id AS id FROM customer_caregivers WHERE patient_id = ? ORDER BY added_at, rowid').all(customer.id) as Array<{ id: string }>
    ).map((row) => row.id);
    if (customer.caregiverCustomerId && !ids.includes(customer.caregiverCustomerId)) ids.unshift(customer.caregiverCustomerId);
    return ids;
  }

  /** The customers who name this caregiver: in customer_caregivers (where the schema has it) or as their profile's caregiver. */
  patientsOfCaregiver(caregiverId: string): string[] {
    const db = this.deps.sqlite();
    const ids = new Set<string>();
    if (this.columns('customer_caregivers').size > 0) {
      for (const row of db.prepare('SELECT patient_id AS id FROM customer_caregivers WHERE caregiver_id = ?').all(caregiverId) as Array<{ id: string }>) ids.add(row.id);
    }
    if (this.columns('customer_profiles').has('caregiver_customer_id')) {
      for (const row of db.prepare('SELECT customer_id AS id FROM customer_profiles WHERE caregiver_customer_id = ?').all(caregiverId) as Array<{ id: string }>) ids.add(row.id);
    }
    return [...ids];
  }

  openEntryOf(customerId: string): { id: string } | null {
    return (
      (this.deps.sqlite().prepare('SELECT id FROM queue_entries WHERE customer_id = ? AND removed_at IS NULL').get(customerId) as { id: string } | undefined) ?? null
    );
  }

  /** The state system's name as staff know it: the provider Settings › Track & Trace names. */
  stateSystem(): string {
    const config = readTraceConfig(this.deps.sqlite());
    return config && config.provider !== 'none' ? PROVIDER_NAMES[config.provider] : 'BioTrack';
  }
}
