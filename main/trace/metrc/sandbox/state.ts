/**
 * The Metrc sandbox's world (shared/research/metrc.md §6.1): facilities with their FacilityType
 * flags, users (API keys) with permissions, packages decremented by sales, patients whose status
 * is computed from a purchases ledger and served through a 60-second cache, caregivers with their
 * patients, and sales receipts (by id, by external number — duplicates allowed — and in the
 * active and inactive lists).
 *
 * Everything here is plain data and arithmetic on a clock the harness can move; HTTP, faults and
 * rate limits live in server.ts.
 */
import { z } from 'zod';

export const PERMISSIONS = ['View Sales', 'Manage Sales', 'Lookup Patients', 'Lookup Caregivers', 'View Packages'] as const;
export type Permission = (typeof PERMISSIONS)[number];
export const ALLOTMENT_CATEGORIES = ['Flower', 'Thc', 'Concentrate', 'Infused'] as const;
export type AllotmentCategory = (typeof ALLOTMENT_CATEGORIES)[number];

const allowanceSchema = z.strictObject({
  /** PurchaseAmountDays: the window the amounts apply to. */
  days: z.number().positive(),
  Flower: z.number().nonnegative(),
  Thc: z.number().nonnegative().default(0),
  Concentrate: z.number().nonnegative(),
  Infused: z.number().nonnegative(),
});

export const metrcSandboxDataSchema = z.strictObject({
  notes: z.array(z.string()).optional(),
  vendorKeys: z.array(z.string().min(1)).min(1),
  users: z
    .array(
      z.strictObject({
        userKey: z.string().min(1),
        name: z.string().min(1),
        /** Licence numbers of the facilities this user may act for. */
        facilities: z.array(z.string()).min(1),
        /** Omitted = all permissions. */
        permissions: z.array(z.enum(PERMISSIONS)).optional(),
        /** A key made for the retired v1 API: every v2 call is a 401 in text/html. */
        v1Only: z.boolean().default(false),
      }),
    )
    .min(1),
  facilities: z
    .array(
      z.strictObject({
        licenseNumber: z.string().min(1),
        name: z.string().min(1),
        licenseType: z.string().min(1),
        timeZone: z.string().default('America/Chicago'),
        canSellToPatients: z.boolean().default(true),
        canSellToCaregivers: z.boolean().default(true),
        canSellToConsumers: z.boolean().default(false),
        salesRequirePatientNumber: z.boolean().default(true),
        salesRequireCaregiverNumber: z.boolean().default(true),
        isMedical: z.boolean().default(true),
        isRetail: z.boolean().default(false),
      }),
    )
    .min(1),
  customerTypes: z.array(z.string()).default(['Consumer', 'Patient', 'Caregiver', 'ExternalPatient']),
  packages: z.array(
    z.strictObject({
      label: z.string().min(1),
      facility: z.string().min(1),
      itemName: z.string().min(1),
      /** Item.ProductCategoryName, e.g. "Packaged Flower (Final Form)". */
      category: z.string().min(1),
      /** Which patient allotment the item counts against. */
      allotment: z.enum(ALLOTMENT_CATEGORIES),
      unitOfMeasure: z.string().default('Each'),
      /** Item.UnitWeight in ounces: what one unit debits from the allotment. */
      unitWeightOz: z.number().nonnegative(),
      quantity: z.number().nonnegative(),
      status: z.enum(['Active', 'Finished', 'OnHold']).default('Active'),
    }),
  ),
  patients: z.array(
    z.strictObject({
      licenseNumber: z.string().min(1),
      active: z.boolean().default(true),
      expiresOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      /** One status row per allowance (a daily and a monthly one may both apply). */
      allowances: z.array(allowanceSchema).min(1),
    }),
  ),
  caregivers: z.array(
    z.strictObject({
      licenseNumber: z.string().min(1),
      active: z.boolean().default(true),
      patients: z.array(z.string()),
    }),
  ),
});
export type MetrcSandboxData = z.infer<typeof metrcSandboxDataSchema>;
export type MetrcSandboxDataInput = z.input<typeof metrcSandboxDataSchema>;
type Facility = MetrcSandboxData['facilities'][number];
type Package = MetrcSandboxData['packages'][number];

/** How the sandbox answers where Metrc's own behaviour is undocumented (switchable per test). */
export const metrcModesSchema = z.strictObject({
  /** What an unknown patient's status answers: 404, 400, [] or a row with Active:false. */
  patientNotFound: z.enum(['404', '400', 'empty', 'inactive']).default('404'),
  /**
   * GET receipts/external/{n}: an array (2024 OK docs), a single object (2026 docs), or always
   * 404 (a state where the lookup does not find receipts: only the lists do).
   */
  externalLookup: z.enum(['array', 'object', 'missing']).default('array'),
  /** POST receipts answers {Ids,Warnings}, or nothing at all (v1 and quirk mode). */
  postAnswer: z.enum(['ids', 'empty']).default('ids'),
  /** Patient status is cached for this long (Metrc: "up to one minute"). */
  statusCacheMs: z.number().int().nonnegative().default(60_000),
});
export type MetrcModes = z.output<typeof metrcModesSchema>;

export interface Transaction {
  PackageLabel: string;
  Quantity: number;
  UnitOfMeasure: string;
  TotalAmount: number;
}

export interface Receipt {
  Id: number;
  ReceiptNumber: string;
  ExternalReceiptNumber: string | null;
  SalesDateTime: string;
  SalesCustomerType: string;
  PatientLicenseNumber: string | null;
  CaregiverLicenseNumber: string | null;
  IdentificationMethod: string | null;
  TotalPackages: number;
  TotalPrice: number;
  Transactions: Transaction[];
  IsFinal: boolean;
  ArchivedDate: string | null;
  RecordedDateTime: string;
  RecordedByUserName: string;
  LastModified: string;
  /** Not in Metrc's answer: the facility it belongs to, and when it was recorded (ms). */
  facility: string;
  recordedAt: number;
}

/** A refusal in Metrc's 400 shape. */
export class MetrcError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly row: number | null = 0,
  ) {
    super(message);
  }
  body(): unknown {
    return this.row === null ? { Message: this.message } : [{ row: this.row, message: this.message }];
  }
}

interface CachedStatus {
  at: number;
  rows: unknown[];
}

export class MetrcSandboxState {
  data: MetrcSandboxData;
  modes: MetrcModes = metrcModesSchema.parse({});
  receipts: Receipt[] = [];
  packages = new Map<string, Package>();
  /** User keys revoked since the last reset (a key revoked mid-day). */
  revoked = new Set<string>();
  clockOffsetMs = 0;
  private nextId = 1001;
  private statusCache = new Map<string, CachedStatus>();

  constructor(data: MetrcSandboxData) {
    this.data = data;
    this.reset(data);
  }

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  reset(data?: MetrcSandboxData): void {
    if (data) this.data = data;
    this.modes = metrcModesSchema.parse({});
    this.receipts = [];
    this.packages = new Map(this.data.packages.map((pkg) => [`${pkg.facility}|${pkg.label}`, { ...pkg }]));
    this.revoked.clear();
    this.statusCache.clear();
    this.clockOffsetMs = 0;
    this.nextId = 1001;
  }

  user(userKey: string) {
    return this.data.users.find((user) => user.userKey === userKey) ?? null;
  }

  facility(licenseNumber: string): Facility | null {
    return this.data.facilities.find((facility) => facility.licenseNumber === licenseNumber) ?? null;
  }

  facilitiesFor(userKey: string): unknown[] {
    const user = this.user(userKey);
    if (!user) return [];
    return this.data.facilities
      .filter((facility) => user.facilities.includes(facility.licenseNumber))
      .map((facility) => ({
        HireDate: '2025-06-01',
        IsOwner: false,
        IsManager: true,
        Occupations: [],
        Name: facility.name,
        Alias: facility.name,
        DisplayName: facility.name,
        CredentialedDate: '2025-06-01',
        SupportActivationDate: null,
        SupportExpirationDate: null,
        SupportLastPaidDate: null,
        FacilityType: {
          IsMedical: facility.isMedical,
          IsRetail: facility.isRetail,
          CanSellToPatients: facility.canSellToPatients,
          CanSellToCaregivers: facility.canSellToCaregivers,
          CanSellToExternalPatients: false,
          SalesRequirePatientNumber: facility.salesRequirePatientNumber,
          SalesRequireCaregiverNumber: facility.salesRequireCaregiverNumber,
          SalesRequireCaregiverPatientNumber: facility.salesRequireCaregiverNumber,
          SalesRequireExternalPatientNumber: false,
          SalesRequireExternalPatientIdentificationMethod: false,
          EnableExternalIdentifier: true,
          CanReportPatientCheckIns: false,
        },
        License: { Number: facility.licenseNumber, StartDate: '2025-06-01', EndDate: '2030-06-01', LicenseType: facility.licenseType },
      }));
  }

  packageOf(facility: string, label: string): Package | null {
    return this.packages.get(`${facility}|${label}`) ?? null;
  }

  packageView(pkg: Package): unknown {
    return {
      Id: Math.abs(hash(pkg.label)),
      Label: pkg.label,
      Quantity: round(pkg.quantity),
      UnitOfMeasureName: pkg.unitOfMeasure,
      FinishedDate: pkg.status === 'Finished' ? '2025-01-01' : null,
      IsOnHold: pkg.status === 'OnHold',
      Item: {
        Name: pkg.itemName,
        ProductCategoryName: pkg.category,
        UnitWeight: pkg.unitWeightOz,
        UnitWeightUnitOfMeasureName: 'Ounces',
        UnitThcContent: null,
      },
      LastModified: isoUtc(this.now()),
    };
  }

  // ---- patients and caregivers ------------------------------------------------------------

  /** Status rows as Metrc serves them: through a cache of up to a minute. */
  patientStatus(licenseNumber: string): { kind: 'rows'; rows: unknown[] } | { kind: 'unknown' } {
    const patient = this.data.patients.find((p) => p.licenseNumber === licenseNumber);
    if (!patient) return { kind: 'unknown' };
    const now = this.now();
    const cached = this.statusCache.get(licenseNumber);
    if (cached && now - cached.at < this.modes.statusCacheMs) return { kind: 'rows', rows: cached.rows };
    const rows = patient.allowances.map((allowance) => {
      const purchased = this.purchased(licenseNumber, allowance.days);
      const row: Record<string, unknown> = {
        PatientLicenseNumber: patient.licenseNumber,
        RegistrationNumber: null,
        IdentificationMethod: null,
        Active: patient.active && patient.expiresOn >= isoDate(now),
        PurchaseAmountDays: allowance.days,
        PatientLicenseExpirationDate: patient.expiresOn,
        PatientRegistrationStartDate: '2024-01-01',
      };
      for (const category of ALLOTMENT_CATEGORIES) {
        row[`${category}OuncesAllowed`] = allowance[category];
        row[`${category}OuncesPurchased`] = round(purchased[category]);
        row[`${category}OuncesAvailable`] = round(Math.max(0, allowance[category] - purchased[category]));
      }
      return row;
    });
    this.statusCache.set(licenseNumber, { at: now, rows });
    return { kind: 'rows', rows };
  }

  caregiverStatus(licenseNumber: string): unknown | null {
    const caregiver = this.data.caregivers.find((c) => c.licenseNumber === licenseNumber);
    if (!caregiver) return null;
    return { CaregiverLicenseNumber: caregiver.licenseNumber, Active: caregiver.active, Patients: caregiver.patients.map((p) => ({ PatientLicenseNumber: p })) };
  }

  /** Ounces bought per allotment category by a patient in the last `days` days (live receipts). */
  private purchased(patient: string, days: number): Record<AllotmentCategory, number> {
    const since = this.now() - days * 24 * 3600_000;
    const totals: Record<AllotmentCategory, number> = { Flower: 0, Thc: 0, Concentrate: 0, Infused: 0 };
    for (const receipt of this.receipts) {
      if (receipt.ArchivedDate || receipt.PatientLicenseNumber !== patient || receipt.recordedAt < since) continue;
      for (const t of receipt.Transactions) {
        const pkg = this.packageOf(receipt.facility, t.PackageLabel);
        if (pkg) totals[pkg.allotment] += t.Quantity * pkg.unitWeightOz;
      }
    }
    return totals;
  }

  // ---- receipts ------------------------------------------------------------------------------

  /** Validate and record one receipt (POST). Throws MetrcError with Metrc's 400 shape. */
  createReceipt(facilityNumber: string, body: unknown, row: number, userName: string): Receipt {
    const input = this.readReceipt(facilityNumber, body, row, false);
    const now = this.now();
    const receipt: Receipt = {
      Id: this.nextId++,
      ReceiptNumber: `0${String(this.nextId).padStart(7, '0')}`,
      ExternalReceiptNumber: input.external,
      SalesDateTime: input.salesDateTime,
      SalesCustomerType: input.customerType,
      PatientLicenseNumber: input.patient,
      CaregiverLicenseNumber: input.caregiver,
      IdentificationMethod: input.identificationMethod,
      TotalPackages: input.transactions.length,
      TotalPrice: round(input.transactions.reduce((sum, t) => sum + t.TotalAmount, 0)),
      Transactions: input.transactions,
      IsFinal: false,
      ArchivedDate: null,
      RecordedDateTime: isoUtc(now),
      RecordedByUserName: userName,
      LastModified: isoUtc(now),
      facility: facilityNumber,
      recordedAt: now,
    };
    this.checkAllotment(facilityNumber, receipt, row, null);
    for (const t of input.transactions) this.packageOf(facilityNumber, t.PackageLabel)!.quantity -= t.Quantity;
    this.receipts.push(receipt);
    return receipt;
  }

  /** PUT: replace a receipt's transactions (the receipt must be unfinalized and live). */
  updateReceipt(facilityNumber: string, body: unknown, row: number): Receipt {
    const id = typeof body === 'object' && body && 'Id' in body ? Number((body as { Id: unknown }).Id) : NaN;
    const receipt = this.receipts.find((r) => r.Id === id && r.facility === facilityNumber);
    if (!receipt) throw new MetrcError(400, `Sales Receipt with Id ${Number.isFinite(id) ? id : '(none)'} does not exist.`, row);
    if (receipt.ArchivedDate) throw new MetrcError(400, `Sales Receipt ${id} has been archived and cannot be modified.`, row);
    if (receipt.IsFinal) throw new MetrcError(400, `Sales Receipt ${id} is finalized and cannot be modified.`, row);
    const input = this.readReceipt(facilityNumber, body, row, true, receipt);
    this.checkAllotment(facilityNumber, { ...receipt, Transactions: input.transactions }, row, receipt);
    // Restore what the old version took, then take what the new one does.
    for (const t of receipt.Transactions) {
      const pkg = this.packageOf(facilityNumber, t.PackageLabel);
      if (pkg) pkg.quantity += t.Quantity;
    }
    for (const t of input.transactions) this.packageOf(facilityNumber, t.PackageLabel)!.quantity -= t.Quantity;
    receipt.Transactions = input.transactions;
    receipt.TotalPackages = input.transactions.length;
    receipt.TotalPrice = round(input.transactions.reduce((sum, t) => sum + t.TotalAmount, 0));
    receipt.LastModified = isoUtc(this.now());
    return receipt;
  }

  /** DELETE: archive a receipt and give its packages back. Archiving an archived receipt is a no-op. */
  archiveReceipt(facilityNumber: string, id: number): void {
    const receipt = this.receipts.find((r) => r.Id === id);
    if (!receipt) throw new MetrcError(404, `Sales Receipt with Id ${id} does not exist.`, null);
    if (receipt.facility !== facilityNumber) throw new MetrcError(401, 'Authorization has been denied for this request.', null);
    if (receipt.ArchivedDate) return;
    if (receipt.IsFinal) throw new MetrcError(400, `Sales Receipt ${id} is finalized and cannot be archived.`, null);
    for (const t of receipt.Transactions) {
      const pkg = this.packageOf(facilityNumber, t.PackageLabel);
      if (pkg) pkg.quantity += t.Quantity;
    }
    receipt.ArchivedDate = isoUtc(this.now());
    receipt.LastModified = receipt.ArchivedDate;
  }

  setFinal(facilityNumber: string, ids: number[], final: boolean): void {
    for (const id of ids) {
      const receipt = this.receipts.find((r) => r.Id === id && r.facility === facilityNumber);
      if (!receipt) throw new MetrcError(400, `Sales Receipt with Id ${id} does not exist.`, 0);
      receipt.IsFinal = final;
      receipt.LastModified = isoUtc(this.now());
    }
  }

  receiptView(receipt: Receipt): unknown {
    const { facility: _facility, recordedAt: _recordedAt, ...view } = receipt;
    return view;
  }

  private readReceipt(facilityNumber: string, body: unknown, row: number, update: boolean, existing?: Receipt) {
    const facility = this.facility(facilityNumber)!;
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new MetrcError(400, 'The receipt is not an object.', row);
    const r = body as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : null);
    const salesDateTime = text(r.SalesDateTime);
    if (!salesDateTime || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(salesDateTime)) {
      throw new MetrcError(400, 'SalesDateTime must be the date and time of the sale in the facility time zone, without an offset.', row);
    }
    const customerType = text(r.SalesCustomerType) ?? '';
    if (!this.data.customerTypes.includes(customerType)) throw new MetrcError(400, `Customer Type "${customerType}" is not valid.`, row);
    const patient = text(r.PatientLicenseNumber);
    const caregiver = text(r.CaregiverLicenseNumber);
    if (customerType === 'Patient') {
      if (!facility.canSellToPatients) throw new MetrcError(400, 'This facility cannot sell to patients.', row);
      if (facility.salesRequirePatientNumber && !patient) throw new MetrcError(400, 'Patient License Number is required.', row);
    } else if (customerType === 'Caregiver') {
      if (!facility.canSellToCaregivers) throw new MetrcError(400, 'This facility cannot sell to caregivers.', row);
      if (facility.salesRequireCaregiverNumber && !caregiver) throw new MetrcError(400, 'Caregiver License Number is required.', row);
      if (!patient) throw new MetrcError(400, 'Patient License Number is required for a caregiver sale.', row);
      const status = this.caregiverStatus(caregiver ?? '') as { Active: boolean; Patients: Array<{ PatientLicenseNumber: string }> } | null;
      if (!status || !status.Active) throw new MetrcError(400, `Caregiver License Number ${caregiver} is not active.`, row);
      if (!status.Patients.some((p) => p.PatientLicenseNumber === patient)) {
        throw new MetrcError(400, `Patient ${patient} is not assigned to caregiver ${caregiver}.`, row);
      }
    } else if (customerType === 'Consumer') {
      if (!facility.canSellToConsumers) throw new MetrcError(400, 'This facility cannot sell to consumers.', row);
    }
    if (patient && (customerType === 'Patient' || customerType === 'Caregiver')) {
      const known = this.data.patients.find((p) => p.licenseNumber === patient);
      if (!known) throw new MetrcError(400, `Patient License Number ${patient} was not found.`, row);
      if (!known.active || known.expiresOn < isoDate(this.now())) throw new MetrcError(400, `Patient License Number ${patient} is not active.`, row);
    }
    if (update && existing) {
      // An update keeps the receipt's identity: its sale time and customer.
      if (salesDateTime !== existing.SalesDateTime.slice(0, salesDateTime.length)) {
        throw new MetrcError(400, 'SalesDateTime cannot be changed on an existing receipt.', row);
      }
    }
    const list = Array.isArray(r.Transactions) ? r.Transactions : [];
    if (list.length === 0) throw new MetrcError(400, 'A receipt needs at least one transaction.', row);
    const transactions: Transaction[] = list.map((t) => {
      const item = (t ?? {}) as Record<string, unknown>;
      const label = text(item.PackageLabel) ?? '';
      const quantity = Number(item.Quantity);
      const unit = text(item.UnitOfMeasure) ?? '';
      const total = Number(item.TotalAmount);
      const pkg = this.packageOf(facilityNumber, label);
      if (!pkg) throw new MetrcError(400, `Package ${label} is not valid for the current Facility.`, row);
      if (pkg.status === 'Finished') throw new MetrcError(400, `Package ${label} is finished.`, row);
      if (pkg.status === 'OnHold') throw new MetrcError(400, `Package ${label} is on hold.`, row);
      if (!Number.isFinite(quantity) || quantity <= 0) throw new MetrcError(400, `Quantity for package ${label} must be greater than 0.`, row);
      if (unit !== pkg.unitOfMeasure) throw new MetrcError(400, `The Unit of Measure must match the Unit of Measure of package ${label} (${pkg.unitOfMeasure}).`, row);
      if (!Number.isFinite(total) || total < 0) throw new MetrcError(400, `TotalAmount for package ${label} is not valid.`, row);
      return { PackageLabel: label, Quantity: quantity, UnitOfMeasure: unit, TotalAmount: round(total) };
    });
    // Stock: the new quantities against what is on hand (plus what this receipt already took).
    const need = new Map<string, number>();
    for (const t of transactions) need.set(t.PackageLabel, (need.get(t.PackageLabel) ?? 0) + t.Quantity);
    for (const [label, quantity] of need) {
      const pkg = this.packageOf(facilityNumber, label)!;
      const already = existing?.Transactions.filter((t) => t.PackageLabel === label).reduce((sum, t) => sum + t.Quantity, 0) ?? 0;
      if (pkg.quantity + already + 1e-9 < quantity) throw new MetrcError(400, `Package ${label} does not have enough quantity (${round(pkg.quantity + already)} on hand).`, row);
    }
    return {
      external: text(r.ExternalReceiptNumber),
      salesDateTime,
      customerType,
      patient,
      caregiver,
      identificationMethod: text(r.IdentificationMethod),
      transactions,
    };
  }

  /** Metrc validates the allotment when the sale is posted (live ledger, not the cache). */
  private checkAllotment(facilityNumber: string, receipt: Receipt, row: number, replacing: Receipt | null): void {
    const patientNumber = receipt.PatientLicenseNumber;
    if (!patientNumber || (receipt.SalesCustomerType !== 'Patient' && receipt.SalesCustomerType !== 'Caregiver')) return;
    const patient = this.data.patients.find((p) => p.licenseNumber === patientNumber);
    if (!patient) return;
    const adding: Record<AllotmentCategory, number> = { Flower: 0, Thc: 0, Concentrate: 0, Infused: 0 };
    for (const t of receipt.Transactions) {
      const pkg = this.packageOf(facilityNumber, t.PackageLabel);
      if (pkg) adding[pkg.allotment] += t.Quantity * pkg.unitWeightOz;
    }
    if (replacing) {
      for (const t of replacing.Transactions) {
        const pkg = this.packageOf(facilityNumber, t.PackageLabel);
        if (pkg) adding[pkg.allotment] -= t.Quantity * pkg.unitWeightOz;
      }
    }
    for (const allowance of patient.allowances) {
      const purchased = this.purchased(patientNumber, allowance.days);
      for (const category of ALLOTMENT_CATEGORIES) {
        if (adding[category] > 1e-9 && purchased[category] + adding[category] > allowance[category] + 1e-9) {
          throw new MetrcError(
            400,
            `Patient ${patientNumber} would exceed the ${category.toLowerCase()} allotment: ${round(Math.max(0, allowance[category] - purchased[category]))} oz available over ${allowance.days} days.`,
            row,
          );
        }
      }
    }
  }

  byExternal(facilityNumber: string, external: string): Receipt[] {
    return this.receipts.filter((r) => r.facility === facilityNumber && r.ExternalReceiptNumber === external);
  }

  /** Active (unfinalized and not archived) or inactive (finalized or archived), filtered by one kind of window. */
  list(facilityNumber: string, which: 'active' | 'inactive', filter: { field: 'sales' | 'modified'; start: number; end: number }): Receipt[] {
    return this.receipts.filter((r) => {
      if (r.facility !== facilityNumber) return false;
      const active = !r.IsFinal && !r.ArchivedDate;
      if ((which === 'active') !== active) return false;
      const at = filter.field === 'sales' ? localToPseudoUtc(r.SalesDateTime) : Date.parse(r.LastModified);
      return at >= filter.start && at <= filter.end;
    });
  }

  snapshot() {
    return {
      now: this.now(),
      modes: this.modes,
      receipts: this.receipts.map((receipt) => ({ ...receipt })),
      packages: [...this.packages.values()].map((pkg) => ({ label: pkg.label, facility: pkg.facility, quantity: round(pkg.quantity) })),
      revoked: [...this.revoked],
    };
  }
}

/** Ounces and money to Metrc's precision. */
export function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

export function isoUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** A facility-local "YYYY-MM-DDTHH:mm:ss" read as if it were UTC: salesDate filters compare it as written. */
export function localToPseudoUtc(local: string): number {
  const value = Date.parse(`${local.replace(/\.\d+$/, '')}Z`);
  return Number.isFinite(value) ? value : NaN;
}

function hash(text: string): number {
  let h = 0;
  for (const char of text) h = (Math.imul(h, 31) + char.charCodeAt(0)) | 0;
  return h;
}
