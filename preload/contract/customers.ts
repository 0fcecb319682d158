/**
 * Customers (issue 5): intake by licence scan, profiles of every customer type, caregivers and
 * their patients, documents, drafts, search and event history.
 *
 * Dates are yyyy-mm-dd calendar dates (the screen turns `11/30/2017` and `11302017` into
 * 2017-11-30 before they are sent). Every write carries a commandId made by the caller.
 */
import { z } from 'zod';
import { commandIdSchema } from './common.js';
import { scannedLicenceSchema } from './devices.js';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'A date is written yyyy-mm-dd.');
const text = (max: number) => z.string().trim().max(max);
/** An optional text field: blank is null. */
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .nullable()
    .transform((value) => (value === null || value === '' ? null : value));
const optionalDate = isoDate.nullable();
const idText = z.string().min(1).max(40);

export const genderSchema = z.enum(['male', 'female', 'non_binary', 'unspecified']);
export type Gender = z.infer<typeof genderSchema>;
export const customerTypeSchema = z.enum(['adult_use', 'medical', 'medical_recommendation', 'caregiver']);
export type CustomerKind = z.infer<typeof customerTypeSchema>;

export const addressSchema = z
  .object({
    street: optionalText(120),
    street2: optionalText(120),
    city: optionalText(80),
    state: optionalText(40),
    postalCode: optionalText(20),
  })
  .strict();
export type Address = z.infer<typeof addressSchema>;

/** Everything a person can type on the profile form. */
export const customerFormSchema = z
  .object({
    firstName: text(80).min(1, 'Enter the first name.'),
    middleName: optionalText(80),
    lastName: text(80).min(1, 'Enter the last name.'),
    nickname: optionalText(80),
    dateOfBirth: isoDate,
    gender: genderSchema,
    /** Identification (the licence or ID card): its number, issuing state and expiration. */
    licenceNumber: optionalText(40),
    licenceState: optionalText(3),
    identificationExpires: optionalDate,
    address: addressSchema,
    /** Customer type toggles (see customers.config for which the store's state shows). */
    adultUse: z.boolean(),
    stateMedicalId: z.boolean(),
    medicalId: optionalText(40),
    medicalIdExpires: optionalDate,
    recommendationExpires: optionalDate,
    physician: z.object({ name: optionalText(80), licence: optionalText(40), phone: optionalText(30) }).strict(),
    caregiverLicence: z.boolean(),
    caregiverId: optionalText(40),
    caregiverIdExpires: optionalDate,
    /** A patient naming their caregiver: the id of a customer with Caregiver Licence on. */
    caregiverCustomerId: idText.nullable(),
    /** Further caregivers of the same patient, where the state allows more than one (Illinois: up to 3 in all). */
    otherCaregiverIds: z.array(idText).max(10).default([]),
    phone: optionalText(30),
    otherPhone: optionalText(30),
    email: optionalText(120),
    delivery: addressSchema,
    notes: optionalText(2000),
    warning1: z.boolean(),
    warning2: z.boolean(),
    banned: z.boolean(),
    /** Group names chosen by hand; "senior" is added by age and never needs choosing. */
    groups: z.array(text(40).min(1)).max(20),
    /** The form was filled from a licence scan (progress: scanned). */
    scanned: z.boolean(),
  })
  .strict();
export type CustomerForm = z.infer<typeof customerFormSchema>;
export type CustomerFormInput = z.input<typeof customerFormSchema>;

export const documentKindSchema = z.enum(['full_licence', 'doctors_permit', 'medical_card', 'profile_photo', 'other', 'membership_agreement']);
export type DocumentKind = z.infer<typeof documentKindSchema>;

export const customerDocumentSchema = z.object({
  id: z.string(),
  kind: documentKindSchema,
  title: z.string(),
  sha256: z.string(),
  mime: z.string(),
  sizeBytes: z.number().int(),
  addedAt: z.number().int(),
  addedByName: z.string().nullable(),
  /** Set while the file has not reached this station from the store hub: the station that added it. */
  notCopiedFrom: z.string().optional(),
  /** Set while the file is not on this station: on its way through the store hub, or missing at the station that added it (scan it again there). */
  notCopied: z.enum(['waiting', 'missing']).optional(),
});
export type CustomerDocument = z.infer<typeof customerDocumentSchema>;

export const caregiverPatientInputSchema = z
  .object({
    firstName: text(80).min(1, 'Enter the patient\'s first name.'),
    lastName: text(80).min(1, 'Enter the patient\'s last name.'),
    medicalLicence: text(40).min(1, 'Enter the patient\'s medical licence number.'),
    licenceExpires: isoDate,
    /** Needed before the patient can be sold to: a minor patient has the minor's rules. */
    dateOfBirth: isoDate.nullable().optional(),
  })
  .strict();
export const caregiverPatientSchema = caregiverPatientInputSchema.extend({ id: z.string(), caregiverId: z.string(), dateOfBirth: isoDate.nullable() });
export type CaregiverPatient = z.infer<typeof caregiverPatientSchema>;

/** One line of a search result or a match. */
export const customerSummarySchema = z.object({
  id: z.string(),
  customerType: customerTypeSchema,
  /** First "Nick" Last. */
  displayName: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  nickname: z.string().nullable(),
  dateOfBirth: z.string(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  medicalId: z.string().nullable(),
  caregiverId: z.string().nullable(),
  banned: z.boolean(),
  warnings: z.array(z.string()),
  updatedAt: z.number().int(),
});
export type CustomerSummary = z.infer<typeof customerSummarySchema>;

export const customerDetailSchema = z.object({
  id: z.string(),
  customerType: customerTypeSchema,
  displayName: z.string(),
  form: customerFormSchema,
  /** Groups including the automatic ones (senior). */
  groups: z.array(z.object({ name: z.string(), automatic: z.boolean() })),
  age: z.number().int().nullable(),
  /** Problems to show at the top: expired identification, expired medical document, banned... */
  alerts: z.array(z.string()),
  documents: z.array(customerDocumentSchema),
  patients: z.array(caregiverPatientSchema),
  caregiver: z.object({ id: z.string(), displayName: z.string(), caregiverId: z.string().nullable() }).nullable(),
  /** The patient's further caregivers (where the state allows several). */
  otherCaregivers: z.array(z.object({ id: z.string(), displayName: z.string(), caregiverId: z.string().nullable() })).default([]),
  photoDocumentId: z.string().nullable(),
  progress: z.object({ scanned: z.boolean(), photo: z.boolean(), mdRec: z.boolean(), signature: z.boolean(), saved: z.boolean() }),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type CustomerDetail = z.infer<typeof customerDetailSchema>;

export const customerHistoryEntrySchema = z.object({
  id: z.string(),
  at: z.number().int(),
  employeeName: z.string().nullable(),
  action: z.string(),
  /** Short sentence: "Profile edited", "Document added: Doctors Permit 2026-…", "Checked in". */
  summary: z.string(),
  changes: z.array(z.object({ field: z.string(), from: z.string().nullable(), to: z.string().nullable() })),
});
export type CustomerHistoryEntry = z.infer<typeof customerHistoryEntrySchema>;

export const customerDraftSummarySchema = z.object({
  id: z.string(),
  customerId: z.string().nullable(),
  title: z.string(),
  employeeName: z.string().nullable(),
  updatedAt: z.number().int(),
});
export type CustomerDraftSummary = z.infer<typeof customerDraftSummarySchema>;

/** A draft's form: any part may still be missing or invalid. */
export const draftFormSchema = z.record(z.string(), z.unknown()).refine((value) => JSON.stringify(value).length <= 20_000, 'A draft is at most 20,000 characters.');

export const searchFieldSchema = z.enum(['name', 'phone', 'email', 'licence', 'medical_id', 'rewards_card', 'birth_date']);
export type SearchField = z.infer<typeof searchFieldSchema>;

export const licenceCheckSchema = z.object({ code: z.string(), message: z.string() });

/** Profile fields a store may require on every profile besides the ones the law needs (Settings › Customer profiles). */
export const REQUIRABLE_FIELDS = ['phone', 'email', 'address', 'identificationExpires', 'middleName'] as const;
export const requirableFieldSchema = z.enum(REQUIRABLE_FIELDS);
export type RequirableField = z.infer<typeof requirableFieldSchema>;

/** The store's profile settings: what a profile must hold, and the automatic senior group. */
export const customerSettingsSchema = z
  .object({
    requiredFields: z.array(requirableFieldSchema).max(REQUIRABLE_FIELDS.length),
    seniorGroup: z.object({ enabled: z.boolean(), age: z.number().int().min(40, 'A senior age under 40 is not a senior age.').max(120) }).strict(),
  })
  .strict();
export type CustomerSettings = z.infer<typeof customerSettingsSchema>;

export const customersConfigSchema = z.object({
  jurisdiction: z.string(),
  jurisdictionName: z.string(),
  /** Which toggles and sections this state shows. */
  adultUseAvailable: z.boolean(),
  medicalRecommendationAvailable: z.boolean(),
  /** Patients always need a state ID here: the State Medical ID toggle is hidden. */
  stateMedicalIdAlwaysRequired: z.boolean(),
  physicianCardForRecommendation: z.boolean(),
  caregiverAvailable: z.boolean(),
  maxPatientsPerCaregiver: z.number().int().nullable(),
  /** How many caregivers one patient may have (null: no cap), and a patient under 18. */
  maxCaregiversPerPatient: z.number().int().nullable(),
  maxCaregiversPerMinorPatient: z.number().int().nullable(),
  mayKeepScannedLicenceData: z.boolean(),
  /** What the screen says about scanned licence data in this state. */
  licenceDataNotice: z.string(),
  /** The age customers join "senior" by themselves; null: the store turned the automatic group off. */
  seniorAge: z.number().int().nullable(),
  /** Fields this store requires on every profile (shown required, in red). */
  requiredFields: z.array(requirableFieldSchema),
  warningLabels: z.tuple([z.string(), z.string()]),
  groups: z.array(z.string()),
  /** Document kinds "+ Upload" offers here. */
  uploadKinds: z.array(documentKindSchema),
  maxUploadBytes: z.number().int(),
});
export type CustomersConfig = z.infer<typeof customersConfigSchema>;

/** One field a save changed, as staff read it: dates as 11/30/2017. */
export const fieldChangeSchema = z.object({ field: z.string(), from: z.string().nullable(), to: z.string().nullable() });
export type FieldChange = z.infer<typeof fieldChangeSchema>;

export const duplicatesSchema = z.object({
  /** Profiles holding the same state medical ID (case, spaces and dashes ignored): never saved twice. */
  sameMedicalId: z.array(customerSummarySchema),
  /** Profiles with the same first name, last name (case and spaces ignored) and birth date. */
  sameNameAndBirth: z.array(customerSummarySchema),
});
export type Duplicates = z.infer<typeof duplicatesSchema>;

export const lookupResultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('not_a_licence'), message: z.string() }),
  z.object({
    kind: z.literal('licence'),
    licence: scannedLicenceSchema,
    /** Problems for the sale at the strictest age this store serves: under age, expired... */
    checks: z.array(licenceCheckSchema),
    matchedBy: z.enum(['licence_number', 'name_and_birth_date', 'none']),
    matches: z.array(customerSummarySchema),
    /** The signup form filled from the barcode (Member section and Address of Record). */
    prefill: customerFormSchema,
    tookMs: z.number(),
  }),
]);
export type LookupResult = z.infer<typeof lookupResultSchema>;

const documentSourceSchema = z.discriminatedUnion('from', [
  /** Bytes sent with customers.uploadPart under this uploadId. */
  z.object({ from: z.literal('upload'), uploadId: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/) }).strict(),
  /** An image the document scanner left in the data folder (devices' document.received). */
  z.object({ from: z.literal('device'), file: z.string().min(1).max(500), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict(),
]);

export const MAX_UPLOAD_BYTES = 15 * 1024 * 1024;
export const UPLOAD_PART_BYTES = 512 * 1024;

export const customersCalls = {
  'customers.config': { request: z.object({}).strict(), response: customersConfigSchema },
  'customers.settings.get': { request: z.object({}).strict(), response: customerSettingsSchema },
  /** A manager changes the profile settings; audited with before and after. */
  'customers.settings.save': {
    request: z.object({ commandId: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/), settings: customerSettingsSchema }).strict(),
    response: customerSettingsSchema,
  },
  /** A scanned licence's decoded text in: the parsed licence, its checks and matching profiles out. */
  'customers.lookupByLicence': {
    request: z.object({ raw: z.string().min(1).max(8192) }).strict(),
    response: lookupResultSchema,
  },
  'customers.search': {
    request: z
      .object({
        field: searchFieldSchema,
        query: z.string().max(100),
        limit: z.number().int().min(1).max(100).default(25),
        /** Only customers with this status or location tag (rewards.config lists them); with an empty query, all of them. */
        tagId: idText.nullable().default(null),
      })
      .strict(),
    response: z.object({ results: z.array(customerSummarySchema), note: z.string().nullable(), tookMs: z.number() }),
  },
  /** Recent profile activity: the newest audit events that name a customer. */
  'customers.recent': {
    request: z.object({ limit: z.number().int().min(1).max(100).default(20) }).strict(),
    response: z.array(customerSummarySchema.extend({ lastActivityAt: z.number().int(), lastActivity: z.string() })),
  },
  /**
   * The Directory: customers by their latest check-in (the queue's entries, kept after they leave
   * the queue), newest first, one line per customer.
   */
  'customers.recentCheckIns': {
    request: z.object({ limit: z.number().int().min(1).max(100).default(20) }).strict(),
    response: z.array(
      customerSummarySchema.extend({
        checkedInAt: z.number().int(),
        checkedInAs: customerTypeSchema,
        checkedInByName: z.string().nullable(),
        /** Still waiting in the queue (not served, removed or cleared yet). */
        inQueue: z.boolean(),
      }),
    ),
  },
  'customers.get': { request: z.object({ id: idText }).strict(), response: customerDetailSchema },
  'customers.history': {
    request: z.object({ id: idText, limit: z.number().int().min(1).max(500).default(100) }).strict(),
    response: z.array(customerHistoryEntrySchema),
  },
  /**
   * A new profile refuses a medical ID already on another profile, and stops at the same first
   * name, last name and birth date unless duplicateReason says why this is a different person
   * (audited). Either refusal is a 'conflict' whose detail.duplicate names the existing profiles.
   */
  'customers.create': {
    request: z
      .object({
        commandId: commandIdSchema,
        form: customerFormSchema,
        draftId: idText.nullable().default(null),
        duplicateReason: z.string().trim().min(3, 'Say why this is a different person.').max(200).nullable().default(null),
      })
      .strict(),
    response: customerDetailSchema,
  },
  /** Profiles a signup (or an edit) would duplicate: the same medical ID, or the same names and birth date. */
  'customers.duplicates': {
    request: z
      .object({
        customerId: idText.nullable(),
        firstName: z.string().max(80),
        lastName: z.string().max(80),
        dateOfBirth: z.string().max(10),
        medicalId: z.string().max(40).nullable(),
      })
      .strict(),
    response: duplicatesSchema,
  },
  /**
   * A returning customer's licence scanned again: the ID expiration, licence state and number and
   * the Address of Record are brought up to date from the barcode, audited as field: old → new.
   */
  'customers.updateFromScan': {
    request: z.object({ commandId: commandIdSchema, customerId: idText, raw: z.string().min(1).max(8192) }).strict(),
    response: z.object({ detail: customerDetailSchema, changes: z.array(fieldChangeSchema) }),
  },
  'customers.update': {
    request: z
      .object({ commandId: commandIdSchema, id: idText, form: customerFormSchema, draftId: idText.nullable().default(null) })
      .strict(),
    response: customerDetailSchema,
  },
  /** Customers with Caregiver Licence on, for a patient naming their caregiver. */
  'customers.caregivers': {
    request: z.object({ query: z.string().max(80).default('') }).strict(),
    response: z.array(customerSummarySchema),
  },
  'customers.addPatient': {
    request: z.object({ commandId: commandIdSchema, caregiverId: idText, patient: caregiverPatientInputSchema }).strict(),
    response: caregiverPatientSchema,
  },
  'customers.updatePatient': {
    request: z.object({ commandId: commandIdSchema, id: idText, patient: caregiverPatientInputSchema }).strict(),
    response: caregiverPatientSchema,
  },
  'customers.removePatient': {
    request: z.object({ commandId: commandIdSchema, id: idText }).strict(),
    response: z.object({ removed: z.literal(true) }),
  },
  /** Drafts, newest first (the queue lists them in orange above the queue). */
  'customers.drafts': { request: z.object({}).strict(), response: z.array(customerDraftSummarySchema) },
  'customers.getDraft': {
    request: z.object({ id: idText }).strict(),
    response: customerDraftSummarySchema.extend({ form: draftFormSchema }),
  },
  'customers.saveDraft': {
    request: z
      .object({
        commandId: commandIdSchema,
        draftId: idText.nullable(),
        customerId: idText.nullable(),
        title: z.string().trim().max(120),
        form: draftFormSchema,
      })
      .strict(),
    response: customerDraftSummarySchema,
  },
  'customers.discardDraft': {
    request: z.object({ commandId: commandIdSchema, id: idText }).strict(),
    response: z.object({ discarded: z.literal(true) }),
  },
  /** Sends one part of a file for "+ Upload" (the browser host carries at most 1 MB a message). */
  'customers.uploadPart': {
    request: z
      .object({
        uploadId: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/),
        index: z.number().int().min(0).max(100),
        dataBase64: z.string().max(Math.ceil((UPLOAD_PART_BYTES * 4) / 3) + 4),
      })
      .strict(),
    response: z.object({ receivedBytes: z.number().int() }),
  },
  'customers.addDocument': {
    request: z
      .object({
        commandId: commandIdSchema,
        /** The profile, or (before its first save) the signup's draft: the document joins the profile when it is created. */
        customerId: idText.optional(),
        draftId: idText.optional(),
        kind: documentKindSchema,
        mime: z.enum(['image/jpeg', 'image/png', 'image/tiff', 'image/webp', 'application/pdf']),
        source: documentSourceSchema,
        /** Use this image as the profile photo too (Capture Photo). */
        useAsPhoto: z.boolean().default(false),
      })
      .strict()
      .refine((request) => (request.customerId === undefined) !== (request.draftId === undefined), 'Give either the profile or the draft the document is for.'),
    response: customerDocumentSchema,
  },
  /** Documents added to a signup's draft, before its first save. */
  'customers.draftDocuments': {
    request: z.object({ draftId: idText }).strict(),
    response: z.array(customerDocumentSchema),
  },
  /** The file of a document, for the eye icon. */
  'customers.document': {
    request: z.object({ id: idText, draftId: idText.optional() }).strict(),
    response: z.object({ mime: z.string(), dataBase64: z.string(), title: z.string() }),
  },
} as const;

export const customersEvents = {
  /** A profile or draft changed (the queue refreshes its orange drafts list). */
  'customers.changed': z.object({ customerId: z.string().nullable(), draftsChanged: z.boolean() }),
} as const;

/**
 * A date as people type it at the counter (shared by the core and the screens): `11/30/2017`, `11302017`, `2017-11-30` (also `11-30-2017`).
 * Returns yyyy-mm-dd, or null when it is not a real calendar date.
 */
export function parseDateEntry(input: string): string | null {
  const text = input.trim();
  let year: number;
  let month: number;
  let day: number;
  let match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match) {
    [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else if ((match = /^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$/.exec(text))) {
    [month, day, year] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else if ((match = /^(\d{2})(\d{2})(\d{4})$/.exec(text))) {
    [month, day, year] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else {
    return null;
  }
  const date = new Date(Date.UTC(year, month - 1, day));
  if (year < 1900 || date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** A yyyy-mm-dd date as the store shows dates (11/30/2017); anything else as it is. */
export function showStoreDate(iso: string | null | undefined): string {
  if (!iso) return '';
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return match ? `${match[2]}/${match[3]}/${match[1]}` : iso;
}

/** A blank profile form, shaped by whether the store sells adult use (shared by the core and the screens). */
export function emptyForm(config: Pick<CustomersConfig, 'adultUseAvailable'>): CustomerForm {
  const address = { street: null, street2: null, city: null, state: null, postalCode: null };
  return {
    firstName: '',
    middleName: null,
    lastName: '',
    nickname: null,
    dateOfBirth: '',
    gender: 'unspecified',
    licenceNumber: null,
    licenceState: null,
    identificationExpires: null,
    address,
    adultUse: config.adultUseAvailable,
    stateMedicalId: !config.adultUseAvailable,
    medicalId: null,
    medicalIdExpires: null,
    recommendationExpires: null,
    physician: { name: null, licence: null, phone: null },
    caregiverLicence: false,
    caregiverId: null,
    caregiverIdExpires: null,
    caregiverCustomerId: null,
    otherCaregiverIds: [],
    phone: null,
    otherPhone: null,
    email: null,
    delivery: { ...address },
    notes: null,
    warning1: false,
    warning2: false,
    banned: false,
    groups: [],
    scanned: false,
  };
}
