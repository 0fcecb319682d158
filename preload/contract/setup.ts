/**
 * First run (the setup screen) and the store's own settings (Settings › Store): name, licence,
 * jurisdiction, time zone and the tax rates the store enters, each with the date it takes effect.
 */
import { z } from 'zod';
import { calendarDateSchema, commandIdSchema, jurisdictionCodeSchema, pinSchema, sessionSchema } from './common.js';
import { ratePpmSchema } from './rates.js';

const empty = z.object({}).strict();


/** One tax the store enters itself (a local rate the rules cannot know). */
export const storeTaxSchema = z.object({
  settingKey: z.string(),
  label: z.string(),
  kind: z.string(),
  /** Which sales it applies to (e.g. "Adult use", "Medical"). */
  appliesTo: z.array(z.string()),
  /** In parts per million, like every rate (see rates.ts). */
  maxRatePpm: z.number().int().nullable(),
  stepRatePpm: z.number().int().nullable(),
  /** What the rules say about it, for the person entering it. */
  note: z.string().nullable(),
});
export type StoreTax = z.infer<typeof storeTaxSchema>;

export const storeRateSchema = z.object({
  from: calendarDateSchema,
  /** The last day it applies; null while in force. */
  to: calendarDateSchema.nullable(),
  ratePpm: ratePpmSchema,
  enteredAt: z.number().int().nullable(),
  enteredBy: z.string().nullable(),
});
export type StoreRate = z.infer<typeof storeRateSchema>;

export const jurisdictionChoiceSchema = z.object({
  code: jurisdictionCodeSchema,
  name: z.string(),
  /** The state's track-and-trace system, in words. */
  traceSystem: z.string(),
  /** The provider id the rules name (it may not be one the register can talk to yet). */
  traceProvider: z.string(),
  taxes: z.array(storeTaxSchema.extend({ suggestedRatePpm: z.number().int().nullable() })),
});
export type JurisdictionChoice = z.infer<typeof jurisdictionChoiceSchema>;

export const storeSettingsViewSchema = z.object({
  name: z.string(),
  licenceNumber: z.string(),
  jurisdiction: jurisdictionCodeSchema,
  jurisdictionName: z.string(),
  timeZone: z.string(),
  /** The store's calendar date today, the earliest a new rate may start. */
  today: calendarDateSchema,
  taxes: z.array(storeTaxSchema.extend({ rates: z.array(storeRateSchema), current: ratePpmSchema.nullable() })),
  timeZones: z.array(z.string()),
});
export type StoreSettingsView = z.infer<typeof storeSettingsViewSchema>;

const storeFields = {
  name: z.string().trim().min(1, 'Enter the store name.').max(80),
  licenceNumber: z.string().trim().min(1, "Enter the store's licence number.").max(60),
  timeZone: z.string().trim().min(1).max(64),
};

export const taxRateEntrySchema = z
  .object({ settingKey: z.string().regex(/^tax\.rates\.[a-z0-9_]+$/), from: calendarDateSchema, ratePpm: ratePpmSchema })
  .strict();
export type TaxRateEntry = z.infer<typeof taxRateEntrySchema>;

export const setupCalls = {
  /** Only on the setup screen: what a new store can choose from. */
  'setup.options': {
    request: empty,
    response: z.object({
      jurisdictions: z.array(jurisdictionChoiceSchema),
      timeZones: z.array(z.string()),
      /** This computer's time zone: the store's, unless the register runs elsewhere. */
      suggestedTimeZone: z.string(),
      today: calendarDateSchema,
      /** Demo stores that can be opened (by jurisdiction). */
      demos: z.array(z.object({ code: jurisdictionCodeSchema, storeName: z.string() })),
    }),
  },
  /**
   * Only on the setup screen: create the store and its first admin, and log this screen in as
   * them (so the setup can go on to track-and-trace).
   */
  'setup.createStore': {
    request: z
      .object({
        commandId: commandIdSchema,
        store: z.object({ ...storeFields, jurisdiction: jurisdictionCodeSchema }).strict(),
        taxRates: z.array(taxRateEntrySchema).max(50),
        admin: z.object({ name: z.string().trim().min(1, 'Enter the admin’s name.').max(80), pin: pinSchema }).strict(),
      })
      .strict(),
    response: sessionSchema,
  },
  /** Only on the setup screen: create the demo store of a jurisdiction. */
  'setup.openDemo': {
    request: z.object({ jurisdiction: jurisdictionCodeSchema }).strict(),
    response: z.object({ storeName: z.string() }),
  },

  /** Settings › Store. */
  'store.settings.get': { request: empty, response: storeSettingsViewSchema },
  'store.settings.save': {
    request: z.object({ commandId: commandIdSchema, ...storeFields }).strict(),
    response: storeSettingsViewSchema,
  },
  /**
   * A new rate for one of the store's taxes from a date (today or later): the rate in force
   * until then ends the day before. A sale uses the rate in force on its date.
   */
  'store.settings.addTaxRate': {
    request: z.object({ commandId: commandIdSchema }).extend(taxRateEntrySchema.shape).strict(),
    response: storeSettingsViewSchema,
  },
} as const;

export const setupEvents = {} as const;
