/**
 * Catalogue and stock (issue 18): products staff add and edit, packages received from the state's
 * track-and-trace system, adjustments and counts (a manager approves each), and the catalogue as
 * CSV. Stock is a ledger: every change here is a movement, never a new total.
 *
 * Every write carries a commandId made by the caller.
 */
import { z } from 'zod';
import { commandIdSchema } from './common.js';

const idText = z.string().min(1).max(40);
const ulid = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/);

/** A barcode as printed: digits and letters (spaces dropped). */
const barcodeText = z
  .string()
  .max(40)
  .transform((value) => value.replace(/\s+/g, ''))
  .pipe(z.string().regex(/^[0-9A-Za-z-]{4,40}$/, 'A barcode is 4 to 40 letters or digits: scan it, or type what is printed under the bars.'));

export const productInputSchema = z
  .object({
    name: z.string().trim().min(1, 'Give the product a name.').max(120, 'A product name is at most 120 characters.'),
    /** One of the categories catalogue.config lists for the store's state. */
    category: z.string().min(1, 'Choose a category.').max(40),
    /** The manufacturer's UPC, when the product carries one. */
    upc: barcodeText.nullable(),
    /** Other barcodes the product answers to (a vendor label, a shelf tag). */
    barcodes: z.array(barcodeText).max(10, 'At most 10 extra barcodes.'),
    priceCents: z.number().int('The price is in whole cents.').min(0, 'The price cannot be negative.').max(10_000_000, 'The price is at most $100,000.'),
    /** Whole unit (an edible with its packaging counts as sold), in mg. */
    unitWeightMg: z.number().int().min(0).max(1_000_000_000),
    /** Cannabis weight in the unit (flower weight, concentrate content), in mg. */
    usableWeightMg: z.number().int().min(0).max(1_000_000_000),
    /** mg per unit (edibles, tinctures...) or hundredths of a percent (flower, concentrate). */
    thcValue: z.number().int().min(0).max(100_000_000),
    thcUnit: z.enum(['mg', 'pct_x100']),
    soldMedical: z.boolean(),
    soldAdultUse: z.boolean(),
  })
  .strict();
export type ProductInput = z.infer<typeof productInputSchema>;
export type ProductInputRaw = z.input<typeof productInputSchema>;

export const productViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  category: z.string(),
  categoryLabel: z.string(),
  /** The package it sells from (the state's id), or null before one is received. */
  packageLabel: z.string().nullable(),
  upc: z.string().nullable(),
  barcodes: z.array(z.string()),
  priceCents: z.number().int(),
  unitWeightMg: z.number().int(),
  usableWeightMg: z.number().int(),
  thcValue: z.number().int(),
  thcUnit: z.enum(['mg', 'pct_x100']),
  soldMedical: z.boolean(),
  soldAdultUse: z.boolean(),
  archived: z.boolean(),
  onHand: z.number().int(),
  /** The taxes the state's rules charge on it (by category and potency), as shown on receipts. */
  taxes: z.array(z.string()),
});
export type ProductView = z.infer<typeof productViewSchema>;

export const categoryInfoSchema = z.object({
  id: z.string(),
  label: z.string(),
  /** What the state's limits read of a product of this category: those fields are required. */
  needsUsableWeight: z.boolean(),
  needsUnitWeight: z.boolean(),
  needsThc: z.boolean(),
  /** How THC is stated for this category. */
  thcUnit: z.enum(['mg', 'pct_x100']),
});
export type CategoryInfo = z.infer<typeof categoryInfoSchema>;

export const tracePackageSchema = z.object({
  /** The state's id (BioTrack barcode id, Metrc package label). */
  label: z.string(),
  name: z.string(),
  /** The state's kind of product, in its words (BioTrack inventory type, Metrc item category). */
  stateCategory: z.string(),
  /** The category it most likely is here, or null. */
  suggestedCategory: z.string().nullable(),
  /** What the state says is left in the package. */
  quantity: z.number(),
  usableWeightMg: z.number().int().nullable(),
  medical: z.boolean().nullable(),
  /** The product it was received onto (null: not received yet). */
  productId: z.string().nullable(),
  productName: z.string().nullable(),
  /** Received earlier: how many, and when. */
  receivedQuantity: z.number().int().nullable(),
  receivedAt: z.number().int().nullable(),
});
export type TracePackageView = z.infer<typeof tracePackageSchema>;

export const ADJUST_REASONS = ['damaged', 'expired', 'theft_or_loss', 'found', 'returned_to_vendor', 'sample', 'correction', 'count'] as const;
export const adjustReasonSchema = z.enum(ADJUST_REASONS);
export type AdjustReason = z.infer<typeof adjustReasonSchema>;
export const ADJUST_REASON_WORDS: Record<AdjustReason, string> = {
  damaged: 'Damaged',
  expired: 'Expired',
  theft_or_loss: 'Theft or loss',
  found: 'Found',
  returned_to_vendor: 'Returned to vendor',
  sample: 'Sample',
  correction: 'Correction',
  count: 'Stock count',
};

export const stockEntrySchema = z.object({
  at: z.number().int(),
  kind: z.enum(['receive', 'sale', 'return', 'adjust', 'count']),
  quantityDelta: z.number().int(),
  what: z.string(),
  employeeName: z.string().nullable(),
  approvedByName: z.string().nullable(),
});
export type StockEntry = z.infer<typeof stockEntrySchema>;

export const csvFileSchema = z.object({ fileName: z.string(), text: z.string(), rows: z.number().int() });

export const importProblemSchema = z.object({
  /** The line of the file (1 is the header). */
  line: z.number().int(),
  message: z.string(),
});
export type ImportProblem = z.infer<typeof importProblemSchema>;

export const catalogueCalls = {
  'catalogue.config': {
    request: z.object({}).strict(),
    response: z.object({
      categories: z.array(categoryInfoSchema),
      medicalAvailable: z.boolean(),
      adultUseAvailable: z.boolean(),
      /** The track-and-trace provider packages are received from, or null when none is set up. */
      provider: z.string().nullable(),
      adjustReasons: z.array(z.object({ id: adjustReasonSchema, label: z.string() })),
    }),
  },
  'catalogue.list': {
    request: z
      .object({
        query: z.string().max(100).default(''),
        includeArchived: z.boolean().default(false),
        limit: z.number().int().min(1).max(500).default(200),
      })
      .strict(),
    response: z.array(productViewSchema),
  },
  'catalogue.get': { request: z.object({ productId: idText }).strict(), response: productViewSchema },
  /** Add (productId null) or edit a product. */
  'catalogue.save': {
    request: z.object({ commandId: commandIdSchema, productId: idText.nullable(), product: productInputSchema }).strict(),
    response: productViewSchema,
  },
  /** Archived products leave the register's search but stay in sales history; unarchive brings them back. */
  'catalogue.archive': {
    request: z.object({ commandId: commandIdSchema, productId: idText, archived: z.boolean() }).strict(),
    response: productViewSchema,
  },
  /** The store's packages as the state lists them, with what was received of each. */
  'catalogue.packages': {
    request: z.object({}).strict(),
    response: z.object({ provider: z.string(), packages: z.array(tracePackageSchema) }),
  },
  /** Receive a package onto a product: its stock grows by the quantity (a ledger movement). */
  'catalogue.receive': {
    request: z
      .object({
        commandId: commandIdSchema,
        label: z.string().min(1).max(40),
        productId: idText,
        quantity: z.number().int('Receive whole units.').min(1, 'Receive at least 1.').max(1_000_000),
      })
      .strict(),
    response: productViewSchema,
  },
  /**
   * An adjustment (a change with a reason) or a count (what is on the shelf: the difference is the
   * movement). Needs a manager override grant for action 'catalogue.adjust', whoever is logged in.
   */
  'catalogue.adjust': {
    request: z
      .discriminatedUnion('kind', [
        z.object({
          kind: z.literal('adjust'),
          commandId: commandIdSchema,
          productId: idText,
          quantityDelta: z
            .number()
            .int('Whole units only.')
            .min(-1_000_000)
            .max(1_000_000)
            .refine((value) => value !== 0, 'Enter how many to add (e.g. 2) or take away (e.g. -2).'),
          reason: adjustReasonSchema,
          note: z.string().trim().max(200).nullable(),
          grantId: z.string().min(1).max(64),
        }).strict(),
        z.object({
          kind: z.literal('count'),
          commandId: commandIdSchema,
          productId: idText,
          counted: z.number().int('Whole units only.').min(0, 'A count cannot be negative.').max(1_000_000),
          note: z.string().trim().max(200).nullable(),
          grantId: z.string().min(1).max(64),
        }).strict(),
      ]),
    response: z.object({ product: productViewSchema, quantityDelta: z.number().int() }),
  },
  'catalogue.stockHistory': {
    request: z.object({ productId: idText, limit: z.number().int().min(1).max(200).default(50) }).strict(),
    response: z.array(stockEntrySchema),
  },
  'catalogue.exportCsv': { request: z.object({}).strict(), response: csvFileSchema },
  /** Check an uploaded catalogue CSV (imports.uploadPart): nothing is written. */
  'catalogue.importCsv.preview': {
    request: z.object({ uploadId: ulid }).strict(),
    response: z.object({
      rows: z.number().int(),
      creates: z.number().int(),
      updates: z.number().int(),
      problems: z.array(importProblemSchema),
      sample: z.array(z.object({ line: z.number().int(), name: z.string(), category: z.string(), priceCents: z.number().int(), action: z.enum(['create', 'update']) })),
    }),
  },
  /** Write the checked file in one transaction: refused, with nothing written, while any row has a problem. */
  'catalogue.importCsv.commit': {
    request: z.object({ commandId: commandIdSchema, uploadId: ulid }).strict(),
    response: z.object({ created: z.number().int(), updated: z.number().int() }),
  },
} as const;

export const catalogueEvents = {
  /** Products or stock changed (the catalogue and the register's search refresh). */
  'catalogue.changed': z.object({ productId: z.string().nullable() }),
} as const;
