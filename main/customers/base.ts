/** Customers: settings, rules and cached statements shared by every use case. */
import type Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import type { CustomerSettings, CustomersConfig, DocumentKind, RequirableField } from '../../preload/contract/customers.js';
import { MAX_UPLOAD_BYTES, REQUIRABLE_FIELDS } from '../../preload/contract/customers.js';
import { CoreError } from '../core/errors.js';
import { readSetting } from '../core/settings.js';
import { loadJurisdictionRules, type JurisdictionRules } from '../compliance/rules.js';
import { storeLocalDate } from '../licenses/index.js';
import { DocumentStore } from './documents.js';
import { cachedStatement } from '../store/statements.js';
import { type CustomerRow, type ProfileRow, DEFAULT_SENIOR_AGE, SENIOR_GROUP, DEFAULT_WARNING_LABELS, LICENCE_SECRET_KEY, type CustomerServiceDeps } from './shared.js';

/** Store settings: the automatic senior group's age (null: off) and the fields every profile must hold. */
export const SENIOR_AGE_KEY = 'customers.seniorAge';
export const REQUIRED_FIELDS_KEY = 'customers.requiredFields';

/** Store setting: the caregiver patient cap where the law does not fix one (see caregiverCap). */
export const CAREGIVER_CAP_KEY = 'customers.maxPatientsPerCaregiver';

export abstract class CustomerBase {
  protected rulesCache: { code: string; rules: JurisdictionRules } | null = null;
  readonly documents: DocumentStore;

  constructor(protected readonly deps: CustomerServiceDeps) {
    this.documents = new DocumentStore(deps.dataDir);
  }

  // -------------------------------------------------------------------------------------------
  // Settings and rules
  // -------------------------------------------------------------------------------------------

  protected get sqlite(): Database.Database {
    return this.deps.sqlite();
  }

  protected prepare(sql: string): Database.Statement {
    return cachedStatement(this.sqlite, sql);
  }

  protected jurisdiction(): string {
    return readSetting(this.sqlite, 'store.jurisdiction') ?? 'IL';
  }

  protected timeZone(): string {
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

  protected jsonSetting(key: string): unknown {
    const row = this.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    if (!row) return undefined;
    try {
      return JSON.parse(row.value) as unknown;
    } catch {
      return undefined;
    }
  }

  /**
   * The most patients a caregiver may have on their profile. Where the rules state it as law (confidence H:
   * Illinois' one patient) the rules decide; elsewhere the rules' figure is only the default of the store
   * setting customers.maxPatientsPerCaregiver (a whole number, or null for no cap): Oklahoma's 5 limits
   * growing rights, not purchases (rules.md §0.1).
   */
  protected caregiverCap(): number | null {
    const rule = this.rules().caregivers.maxPatientsPerCaregiver;
    if (rule.confidence === 'H') return rule.value;
    const setting = this.jsonSetting(CAREGIVER_CAP_KEY);
    if (setting === null) return null;
    return typeof setting === 'number' && Number.isInteger(setting) && setting > 0 ? setting : rule.value;
  }

  /**
   * The most caregivers one patient may have: the jurisdiction file's caregivers.maxCaregiversPerPatient
   * (Illinois 3, Oklahoma 1), its minor figure under 18 (Illinois 2); null where the file gives none.
   */
  caregiversPerPatientCap(ageYears: number | null): { cap: number | null; minor: boolean } {
    const rules = this.rules().caregivers;
    const minor = ageYears !== null && ageYears < 18 && rules.maxCaregiversPerMinorPatient.value !== null;
    return { cap: minor ? rules.maxCaregiversPerMinorPatient.value : rules.maxCaregiversPerPatient.value, minor };
  }

  /** The age of the automatic senior group, or null where the store turned it off (setting null). */
  protected seniorAge(): number | null {
    const value = this.jsonSetting(SENIOR_AGE_KEY);
    if (value === null) return null;
    return typeof value === 'number' && Number.isInteger(value) && value > 0 && value < 130 ? value : DEFAULT_SENIOR_AGE;
  }

  /** Fields the store requires on every profile (setting customers.requiredFields); unknown names are ignored. */
  protected requiredFields(): RequirableField[] {
    const value = this.jsonSetting(REQUIRED_FIELDS_KEY);
    if (!Array.isArray(value)) return [];
    return REQUIRABLE_FIELDS.filter((field) => value.includes(field));
  }

  profileSettings(): CustomerSettings {
    const age = this.seniorAge();
    const stored = this.jsonSetting(SENIOR_AGE_KEY);
    return {
      requiredFields: this.requiredFields(),
      seniorGroup: { enabled: age !== null, age: age ?? (typeof stored === 'number' ? stored : DEFAULT_SENIOR_AGE) },
    };
  }

  protected labelsCache: { at: number; labels: [string, string] } | null = null;

  /** Read at most once a second: every search result line shows them. */
  protected warningLabels(): [string, string] {
    const now = performance.now();
    if (this.labelsCache && now - this.labelsCache.at < 1000) return this.labelsCache.labels;
    const labels = this.readWarningLabels();
    this.labelsCache = { at: now, labels };
    return labels;
  }

  protected readWarningLabels(): [string, string] {
    const value = this.jsonSetting('customers.warningLabels');
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string' && v.length > 0)) {
      return [value[0] as string, value[1] as string];
    }
    return DEFAULT_WARNING_LABELS;
  }

  protected mayKeepLicenceData(): boolean {
    return this.rules().mayKeepScannedLicenceData.value;
  }

  /** The store's fingerprint secret; made on the first write that needs it (never on a read). */
  protected licenceSecret(create: boolean): string | null {
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
    const cap = this.caregiverCap();
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
      maxCaregiversPerPatient: rules.caregivers.maxCaregiversPerPatient.value,
      maxCaregiversPerMinorPatient: rules.caregivers.maxCaregiversPerMinorPatient.value,
      mayKeepScannedLicenceData: mayKeep,
      licenceDataNotice: mayKeep
        ? `${rules.name} allows keeping scanned licence data: the licence number and a licence image may be kept on the profile.`
        : `${rules.name} law does not allow keeping scanned licence data beyond the check. ` +
          'The register keeps only what the customer gives for their profile (name, birth date, address, ID expiration) ' +
          'and a one-way fingerprint of the licence number for finding them again: never the barcode, the number itself or an image of the licence. ' +
          'Ask the customer before saving their profile.',
      seniorAge: this.seniorAge(),
      requiredFields: this.requiredFields(),
      warningLabels: this.warningLabels(),
      groups: [SENIOR_GROUP, ...groups.filter((g) => g !== SENIOR_GROUP)],
      uploadKinds,
      maxUploadBytes: MAX_UPLOAD_BYTES,
    };
  }


  protected row(id: string): CustomerRow {
    const row = this.prepare('SELECT * FROM customers WHERE id = ?').get(id) as CustomerRow | undefined;
    if (!row) throw new CoreError('not_found', 'This customer profile does not exist any more: search again.');
    return row;
  }

  protected profileRow(id: string): ProfileRow | null {
    return (this.prepare('SELECT * FROM customer_profiles WHERE customer_id = ?').get(id) as ProfileRow | undefined) ?? null;
  }

  protected storedGroups(id: string): string[] {
    return (
      this.prepare(
        'SELECT g.name FROM customer_group_members m JOIN customer_groups g ON g.id = m.group_id WHERE m.customer_id = ? ORDER BY g.name',
      ).all(id) as Array<{ name: string }>
    ).map((g) => g.name);
  }

}
