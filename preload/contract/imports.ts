/**
 * Files brought in from elsewhere (issue 18): a CSV is uploaded in parts (imports.uploadPart),
 * then checked (preview: nothing written) and, once a person confirms, written in one
 * transaction. Customers exported by another POS come in here; the catalogue's CSV uses the same
 * upload (preload/contract/catalogue.ts).
 */
import { z } from 'zod';
import { commandIdSchema } from './common.js';
import { csvFileSchema, importProblemSchema } from './catalogue.js';

const ulid = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/);

/** The largest file an import takes (a 10,000-customer export is about 2 MB). */
export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;
export const IMPORT_PART_BYTES = 512 * 1024;

/**
 * The customer CSV's columns (docs/customer-import.md). A file may name them differently: the
 * mapping says which of the file's columns holds each field.
 */
export const CUSTOMER_IMPORT_FIELDS = [
  'first_name',
  'middle_name',
  'last_name',
  'date_of_birth',
  'customer_type',
  'licence_number',
  'licence_state',
  'licence_expires',
  'medical_id',
  'medical_id_expires',
  'caregiver_id',
  'caregiver_id_expires',
  'recommendation_expires',
  'phone',
  'email',
  'street',
  'city',
  'state',
  'postal_code',
  'notes',
] as const;
export const customerImportFieldSchema = z.enum(CUSTOMER_IMPORT_FIELDS);
export type CustomerImportField = z.infer<typeof customerImportFieldSchema>;
export const REQUIRED_CUSTOMER_FIELDS: readonly CustomerImportField[] = ['first_name', 'last_name', 'date_of_birth'];

/** Field → the file's column header (null: not in the file). */
export const customerMappingSchema = z.partialRecord(customerImportFieldSchema, z.string().max(200).nullable());
export type CustomerMapping = z.infer<typeof customerMappingSchema>;

export const customerImportPreviewSchema = z.object({
  /** The file's column headers, in order. */
  columns: z.array(z.string()),
  /** The mapping used (the one sent, or the one guessed from the headers). */
  mapping: z.record(z.string(), z.string().nullable()),
  rows: z.number().int(),
  /** Rows that will be imported. */
  ready: z.number().int(),
  /** Rows with a problem, each with its line: nothing is imported while there is one. */
  problems: z.array(importProblemSchema),
  /** Rows for customers already here (same licence, medical ID, or name and birth date): skipped. */
  duplicates: z.array(importProblemSchema),
  /** The first rows as they will be imported. */
  sample: z.array(
    z.object({
      line: z.number().int(),
      name: z.string(),
      dateOfBirth: z.string(),
      customerType: z.string(),
      medicalId: z.string().nullable(),
      status: z.enum(['ready', 'problem', 'duplicate']),
    }),
  ),
});
export type CustomerImportPreview = z.infer<typeof customerImportPreviewSchema>;

export const importsCalls = {
  /** One part of a file, in order from 0; a file over MAX_IMPORT_BYTES is refused. */
  'imports.uploadPart': {
    request: z
      .object({
        uploadId: ulid,
        index: z.number().int().min(0).max(Math.ceil(MAX_IMPORT_BYTES / IMPORT_PART_BYTES) + 1),
        dataBase64: z.string().max(Math.ceil((IMPORT_PART_BYTES * 4) / 3) + 4),
      })
      .strict(),
    response: z.object({ receivedBytes: z.number().int() }),
  },
  'customers.import.preview': {
    request: z.object({ uploadId: ulid, mapping: customerMappingSchema.nullable().default(null) }).strict(),
    response: customerImportPreviewSchema,
  },
  /** Import the checked file in one transaction; refused, with nothing written, while a row has a problem. */
  'customers.import.commit': {
    request: z.object({ commandId: commandIdSchema, uploadId: ulid, mapping: customerMappingSchema }).strict(),
    response: z.object({ imported: z.number().int(), skippedDuplicates: z.number().int() }),
  },
  'customers.exportCsv': { request: z.object({}).strict(), response: csvFileSchema },
} as const;

export const importsEvents = {} as const;
