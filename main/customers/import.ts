/**
 * Customers brought over from another POS (issue 18): a CSV with the columns of
 * docs/customer-import.md (or any names, mapped to them), checked row by row with the same
 * rules as the profile form, then imported in one transaction once a person confirms. Nothing is
 * written while any row has a problem. Customers already here (the same licence number, medical
 * ID, or name and birth date) are skipped and listed; the same person twice in the file is a
 * problem on the later line. And the customers as CSV, in the same columns.
 */
import type { ZodError } from 'zod';
import type { CustomerForm, CustomerFormInput, CustomerKind, CustomersConfig } from '../../preload/contract/customers.js';
import { customerFormSchema, emptyForm, parseDateEntry } from '../../preload/contract/customers.js';
import type { ImportProblem } from '../../preload/contract/catalogue.js';
import {
  CUSTOMER_IMPORT_FIELDS,
  MAX_IMPORT_BYTES,
  REQUIRED_CUSTOMER_FIELDS,
  type CustomerImportField,
  type CustomerImportPreview,
  type CustomerMapping,
} from '../../preload/contract/imports.js';
import { applyCommand } from '../core/commands.js';
import { CoreError } from '../core/errors.js';
import { newId } from '../store/ids.js';
import { csvLine, headerKey, readCsv, type CsvTable } from '../imports/csv.js';
import { idKey, licenceFingerprint, nameKey } from './normalise.js';
import type { Actor } from './shared.js';
import { CustomerWrites } from './writes.js';
import { captureCaregiverLinks, captureCustomer } from '../hub-sync/capture.js';

const FIELD_WORDS: Record<CustomerImportField, string> = {
  first_name: 'first name',
  middle_name: 'middle name',
  last_name: 'last name',
  date_of_birth: 'birth date',
  customer_type: 'customer type',
  licence_number: 'licence number',
  licence_state: 'licence state',
  licence_expires: 'licence expiration',
  medical_id: 'medical ID',
  medical_id_expires: 'medical ID expiration',
  caregiver_id: 'caregiver ID',
  caregiver_id_expires: 'caregiver ID expiration',
  recommendation_expires: 'recommendation expiration',
  phone: 'phone',
  email: 'email',
  street: 'street',
  city: 'city',
  state: 'state',
  postal_code: 'postal code',
  notes: 'notes',
};

/** Other names POS exports give the same columns (compared as headerKey: letters and digits only). */
const ALIASES: Partial<Record<CustomerImportField, string[]>> = {
  first_name: ['first', 'firstname', 'givenname'],
  middle_name: ['middle', 'middlename', 'middleinitial'],
  last_name: ['last', 'lastname', 'surname', 'familyname'],
  date_of_birth: ['dob', 'birthdate', 'dateofbirth', 'birthday'],
  customer_type: ['type', 'customertype', 'patienttype'],
  licence_number: ['licensenumber', 'licencenumber', 'driverslicense', 'dlnumber', 'idnumber', 'license', 'licence'],
  licence_state: ['licensestate', 'idstate', 'dlstate'],
  licence_expires: ['licenseexpires', 'licenseexpiration', 'idexpiration', 'idexpires', 'dlexpiration'],
  medical_id: ['medicalid', 'medicalcard', 'medicalcardnumber', 'mmjcard', 'patientid', 'registryid', 'medicalnumber'],
  medical_id_expires: ['medicalidexpires', 'medicalcardexpiration', 'medicalexpiration', 'mmjcardexpiration', 'medicalidexpiration'],
  caregiver_id: ['caregiverid', 'caregivercard', 'caregiverlicense', 'caregivernumber'],
  caregiver_id_expires: ['caregiveridexpires', 'caregiverexpiration', 'caregivercardexpiration'],
  recommendation_expires: ['recommendationexpires', 'recommendationexpiration'],
  phone: ['phone', 'phonenumber', 'mobile', 'cell', 'telephone'],
  email: ['email', 'emailaddress'],
  street: ['street', 'address', 'address1', 'streetaddress'],
  city: ['city', 'town'],
  state: ['state', 'province'],
  postal_code: ['postalcode', 'zip', 'zipcode', 'postcode'],
  notes: ['notes', 'note', 'comments'],
};

const DATE_FIELDS = new Set<CustomerImportField>(['date_of_birth', 'licence_expires', 'medical_id_expires', 'caregiver_id_expires', 'recommendation_expires']);

const TYPE_WORDS: Record<string, CustomerKind> = {
  adultuse: 'adult_use',
  adult: 'adult_use',
  rec: 'adult_use',
  recreational: 'adult_use',
  medical: 'medical',
  med: 'medical',
  patient: 'medical',
  mmj: 'medical',
  caregiver: 'caregiver',
  medicalrecommendation: 'medical_recommendation',
  recommendation: 'medical_recommendation',
};

interface RowResult {
  line: number;
  problem: string | null;
  duplicate: string | null;
  form: CustomerForm | null;
  kind: CustomerKind | null;
  licenceKey: string | null;
}

interface Analysis {
  table: CsvTable;
  mapping: Record<CustomerImportField, string | null>;
  results: RowResult[];
}

export abstract class CustomerImports extends CustomerWrites {
  /** While an import is checked: the store's settings and date, read once for every row instead of once per row. */
  private importMemo: { config: CustomersConfig; today: string } | null = null;

  override config(): CustomersConfig {
    return this.importMemo?.config ?? super.config();
  }

  override today(): string {
    return this.importMemo?.today ?? super.today();
  }

  previewImport(bytes: Uint8Array, mapping: CustomerMapping | null): CustomerImportPreview {
    const { table, mapping: used, results } = this.analyseImport(bytes, mapping);
    const problems: ImportProblem[] = [];
    const duplicates: ImportProblem[] = [];
    for (const row of results) {
      if (row.problem) problems.push({ line: row.line, message: row.problem });
      else if (row.duplicate) duplicates.push({ line: row.line, message: row.duplicate });
    }
    return {
      columns: table.headers,
      mapping: used,
      rows: results.length,
      ready: results.filter((row) => !row.problem && !row.duplicate).length,
      problems: problems.slice(0, 500),
      duplicates: duplicates.slice(0, 500),
      sample: results.slice(0, 25).map((row) => {
        const source = table.rows.find((candidate) => candidate.line === row.line)!;
        const cell = (field: CustomerImportField) => (used[field] ? (source.values.get(used[field]) ?? '') : '');
        return {
          line: row.line,
          name: row.form ? `${row.form.firstName} ${row.form.lastName}` : `${cell('first_name')} ${cell('last_name')}`.trim(),
          dateOfBirth: row.form?.dateOfBirth ?? cell('date_of_birth'),
          customerType: (row.kind ?? cell('customer_type')).replace(/_/g, ' '),
          medicalId: row.form?.medicalId ?? null,
          status: row.problem ? 'problem' : row.duplicate ? 'duplicate' : 'ready',
        };
      }),
    };
  }

  commitImport(actor: Actor, commandId: string, bytes: Uint8Array, mapping: CustomerMapping): { imported: number; skippedDuplicates: number } {
    const now = this.deps.clock();
    const { result } = applyCommand(
      this.sqlite,
      { commandId, name: 'customers.import', actorId: actor.id },
      () => {
        // Checked again inside the transaction: a customer added meanwhile is a duplicate now.
        const { results } = this.analyseImport(bytes, mapping);
        const problems = results.filter((row) => row.problem);
        if (problems.length > 0) {
          throw new CoreError(
            'invalid_message',
            `Nothing was imported: ${problems.length} row${problems.length === 1 ? ' has a problem' : 's have problems'} (first: line ${problems[0]!.line}, ${problems[0]!.problem}). Fix the file and check it again.`,
          );
        }
        const insert = this.prepare(
          `INSERT INTO customers (id, customer_type, first_name, middle_name, last_name, date_of_birth, identification_expires,
             medical_id, medical_id_expires, caregiver_id, caregiver_id_expires, phone, email, created_at, updated_at,
             licence_number, licence_key, licence_state, nickname, gender, banned, warning_1, warning_2, notes,
             adult_use, state_medical_id, caregiver_licence)
           VALUES (@id, @kind, @firstName, @middleName, @lastName, @dateOfBirth, @identificationExpires,
             @medicalId, @medicalIdExpires, @caregiverId, @caregiverIdExpires, @phone, @email, @now, @now,
             @licenceNumber, @licenceKey, @licenceState, @nickname, @gender, @banned, @warning1, @warning2, @notes,
             @adultUse, @stateMedicalId, @caregiverLicence)`,
        );
        const keep = this.mayKeepLicenceData();
        let imported = 0;
        for (const row of results) {
          if (row.duplicate || !row.form || !row.kind) continue;
          const id = newId(now);
          const licence = { number: keep ? row.form.licenceNumber : null, key: row.licenceKey };
          insert.run(this.customerParams(id, row.kind, row.form, licence, now));
          const links = this.writeProfile(id, row.form, now, null);
          captureCustomer(this.sqlite, id, null, now);
          captureCaregiverLinks(this.sqlite, links, now);
          imported += 1;
        }
        const skippedDuplicates = results.filter((row) => row.duplicate).length;
        return { result: { imported, skippedDuplicates }, audit: { details: { rows: results.length, imported, skippedDuplicates } } };
      },
      now,
    );
    return result;
  }

  /** Every customer in the import's columns (licence numbers only where the state lets the store keep them). */
  exportCsv(): { fileName: string; text: string; rows: number } {
    // Its own statement (not the shared cache): raw() changes how the statement answers.
    const rows = this.sqlite.prepare(
      `SELECT c.first_name, c.middle_name, c.last_name, c.date_of_birth, c.customer_type, c.licence_number, c.licence_state,
              c.identification_expires, c.medical_id, c.medical_id_expires, c.caregiver_id, c.caregiver_id_expires,
              p.recommendation_expires, c.phone, c.email, p.address_street, p.address_city, p.address_state, p.address_postal_code, c.notes
         FROM customers c LEFT JOIN customer_profiles p ON p.customer_id = c.id ORDER BY c.last_name, c.first_name, c.id`,
    ).raw().all() as Array<Array<string | null>>;
    const lines = [CUSTOMER_IMPORT_FIELDS.join(','), ...rows.map((row) => csvLine(row))];
    return { fileName: `customers-${this.today()}.csv`, text: `${lines.join('\r\n')}\r\n`, rows: rows.length };
  }

  // -------------------------------------------------------------------------------------------

  private analyseImport(bytes: Uint8Array, requested: CustomerMapping | null): Analysis {
    this.importMemo = { config: super.config(), today: super.today() };
    try {
      return this.analyseRows(bytes, requested);
    } finally {
      this.importMemo = null;
    }
  }

  private analyseRows(bytes: Uint8Array, requested: CustomerMapping | null): Analysis {
    const table = readCsv(bytes, MAX_IMPORT_BYTES);
    const mapping = this.resolveMapping(table.headers, requested);
    const missing = REQUIRED_CUSTOMER_FIELDS.filter((field) => !mapping[field]);
    if (missing.length > 0) {
      throw new CoreError(
        'invalid_message',
        `The file has no column for the ${missing.map((field) => FIELD_WORDS[field]).join(', ')}: choose which column holds ${missing.length === 1 ? 'it' : 'them'} below, or add ${missing.length === 1 ? 'it' : 'them'} to the file.`,
      );
    }
    const config = this.config();
    const secret = table.rows.some((row) => mapping.licence_number && row.values.get(mapping.licence_number)) ? this.licenceSecret(true) : null;
    const duplicateOf = this.prepareDuplicateLookups();
    const seen = new Map<string, { line: number; what: string }>();
    const results: RowResult[] = [];
    for (const row of table.rows) {
      const result: RowResult = { line: row.line, problem: null, duplicate: null, form: null, kind: null, licenceKey: null };
      results.push(result);
      if (row.shapeProblem) {
        result.problem = row.shapeProblem;
        continue;
      }
      const cell = (field: CustomerImportField): string => (mapping[field] ? (row.values.get(mapping[field]) ?? '') : '');
      const built = this.formFromRow(cell, config.adultUseAvailable);
      if ('problem' in built) {
        result.problem = built.problem;
        continue;
      }
      let kind: CustomerKind;
      try {
        kind = this.validate(built.form, null);
      } catch (error) {
        result.problem = error instanceof CoreError ? error.message : 'the row could not be read.';
        continue;
      }
      result.form = built.form;
      result.kind = kind;
      result.licenceKey = built.form.licenceNumber && secret ? licenceFingerprint(secret, built.form.licenceNumber) : null;
      const keys: Array<{ key: string; what: string }> = [];
      if (result.licenceKey) keys.push({ key: `l:${result.licenceKey}`, what: 'licence number' });
      if (built.form.medicalId) keys.push({ key: `m:${idKey(built.form.medicalId)}`, what: 'medical ID' });
      keys.push({ key: `n:${nameKey(built.form.firstName)}|${nameKey(built.form.lastName)}|${built.form.dateOfBirth}`, what: 'name and birth date' });
      const earlier = keys.map((entry) => ({ ...entry, at: seen.get(entry.key) })).find((entry) => entry.at);
      if (earlier) {
        result.problem = `the same ${earlier.what} as line ${earlier.at!.line}: keep one of the two rows.`;
        continue;
      }
      for (const entry of keys) seen.set(entry.key, { line: row.line, what: entry.what });
      result.duplicate = duplicateOf(result.licenceKey, built.form);
    }
    return { table, mapping, results };
  }

  private resolveMapping(headers: string[], requested: CustomerMapping | null): Record<CustomerImportField, string | null> {
    const byKey = new Map(headers.map((header) => [headerKey(header), header]));
    const mapping = {} as Record<CustomerImportField, string | null>;
    for (const field of CUSTOMER_IMPORT_FIELDS) {
      if (requested && field in requested) {
        const column = requested[field] ?? null;
        if (column !== null && !headers.includes(column)) {
          throw new CoreError('invalid_message', `The file has no column "${column}" (chosen for the ${FIELD_WORDS[field]}): choose another column.`);
        }
        mapping[field] = column;
        continue;
      }
      const names = [headerKey(field), ...(ALIASES[field] ?? [])];
      mapping[field] = names.map((name) => byKey.get(name)).find((header) => header !== undefined) ?? null;
    }
    return mapping;
  }

  private formFromRow(cell: (field: CustomerImportField) => string, adultUseAvailable: boolean): { form: CustomerForm } | { problem: string } {
    const dates = new Map<CustomerImportField, string | null>();
    for (const field of DATE_FIELDS) {
      const text = cell(field);
      if (text === '') {
        dates.set(field, null);
        continue;
      }
      const parsed = parseDateEntry(text);
      if (!parsed) return { problem: `the ${FIELD_WORDS[field]} "${text.slice(0, 40)}" is not a date: write it as 1990-05-31 or 05/31/1990.` };
      dates.set(field, parsed);
    }
    for (const field of REQUIRED_CUSTOMER_FIELDS) {
      if (cell(field) === '') return { problem: `the ${FIELD_WORDS[field]} is empty.` };
    }
    const typeText = headerKey(cell('customer_type'));
    let kind: CustomerKind | null = typeText === '' ? null : (TYPE_WORDS[typeText] ?? null);
    if (typeText !== '' && !kind) {
      return { problem: `the customer type "${cell('customer_type').slice(0, 40)}" is not one the register knows: write adult_use, medical, caregiver or medical_recommendation.` };
    }
    if (!kind) kind = cell('caregiver_id') ? 'caregiver' : cell('medical_id') ? 'medical' : adultUseAvailable ? 'adult_use' : 'medical';
    const optional = (field: CustomerImportField): string | null => (cell(field) === '' ? null : cell(field));
    const input: CustomerFormInput = {
      ...emptyForm({ adultUseAvailable }),
      firstName: cell('first_name'),
      middleName: optional('middle_name'),
      lastName: cell('last_name'),
      dateOfBirth: dates.get('date_of_birth') ?? '',
      licenceNumber: optional('licence_number'),
      licenceState: optional('licence_state'),
      identificationExpires: dates.get('licence_expires') ?? null,
      address: { street: optional('street'), street2: null, city: optional('city'), state: optional('state'), postalCode: optional('postal_code') },
      adultUse: kind === 'adult_use',
      stateMedicalId: kind === 'medical',
      medicalId: optional('medical_id'),
      medicalIdExpires: dates.get('medical_id_expires') ?? null,
      recommendationExpires: dates.get('recommendation_expires') ?? null,
      caregiverLicence: kind === 'caregiver',
      caregiverId: optional('caregiver_id'),
      caregiverIdExpires: dates.get('caregiver_id_expires') ?? null,
      phone: optional('phone'),
      email: optional('email'),
      notes: optional('notes'),
    };
    const parsed = customerFormSchema.safeParse(input);
    if (!parsed.success) return { problem: describeIssue(parsed.error) };
    return { form: parsed.data };
  }

  /** Whether a customer like this one is already here, in words, or null. */
  private prepareDuplicateLookups(): (licenceKey: string | null, form: CustomerForm) => string | null {
    const byLicence = this.prepare('SELECT first_name, last_name FROM customers WHERE licence_key = ? LIMIT 1');
    const byMedical = this.prepare('SELECT first_name, last_name FROM customers WHERE search_medical_id = ? LIMIT 1');
    const byName = this.prepare('SELECT first_name, last_name FROM customers WHERE date_of_birth = ? AND search_last = ? AND search_first = ? LIMIT 1');
    type Found = { first_name: string; last_name: string } | undefined;
    const words = (found: Found, what: string) => (found ? `already here as ${found.first_name} ${found.last_name} (the same ${what}): skipped.` : null);
    return (licenceKey, form) =>
      (licenceKey ? words(byLicence.get(licenceKey) as Found, 'licence number') : null) ??
      (form.medicalId ? words(byMedical.get(idKey(form.medicalId)) as Found, 'medical ID') : null) ??
      words(byName.get(form.dateOfBirth, nameKey(form.lastName), nameKey(form.firstName)) as Found, 'name and birth date');
  }
}

function describeIssue(error: ZodError): string {
  const issue = error.issues[0]!;
  const path = issue.path.join('.');
  const field = CUSTOMER_IMPORT_FIELDS.find((name) => name.replace(/_(.)/g, (_m, c: string) => c.toUpperCase()) === path);
  const what = field ? FIELD_WORDS[field] : path === 'address.postalCode' ? 'postal code' : path.replace(/^address\./, '');
  return `${what ? `the ${what}: ` : ''}${issue.message.replace(/\.$/, '')}.`;
}
