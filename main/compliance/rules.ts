/**
 * Jurisdiction rules as data: `resources/jurisdictions/<CODE>.json`, validated here.
 *
 * Code reads these rules; it never hard-codes a state. Every figure in a rules file carries the
 * research source it comes from (`source`, ids of research/rules.md §7) and how sure we are
 * (`confidence`: H primary text, M secondary, L single secondary source, GUESS design advice),
 * so a reviewer can trace any number on a receipt back to a statute or a stated guess.
 *
 * Units: weights in milligrams, THC in milligrams, tax rates in parts per million of the price
 * (ratePpm: 62_500 = 6.25%, 86_250 = 8.625%: any rate with up to four decimals of a percent is exact),
 * money in integer cents, dates as yyyy-mm-dd calendar dates in the store's time zone.
 *
 * Using the rules (the rate on a date, a line's tax, a customer's profile, card formats): using-rules.ts,
 * re-exported here.
 *
 * Shape, in short:
 *   top level      traceSystem, sellWhileTraceDown, mayKeepScannedLicenceData, idScanRequired,
 *                  identificationMustBeUnexpired, gramsPerOunce, leapDayBirthday, salesHours
 *   caregivers     maxPatientsPerCaregiver, maxCaregiversPerPatient(+Minor), recordPatientAndCaregiverIds
 *   profiles[]     one per kind of customer (adult-use resident, medical minor, caregiver...):
 *                  match (customerType + residency + age band), minimumAge, whoMayBuy, credential,
 *                  allowedCategories, buysFor, stateSystemIsTruth, taxStack, limits[]
 *   limits[]       amount + unit (mg | mg_thc | plants) + window + equivalences (which product
 *                  categories count, by which measure of the product)
 *   taxes          pricesIncludeTax, base, rounding, stacks{id: taxes[]}; each tax applies to
 *                  categories (and a potency band) with effective-dated rates or a rate the store
 *                  configures in settings.
 *
 * No Electron or React here: the core, tests and tools all read rules through this file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { customers } from '../store/schema.js';
import { isRealDate, isRegExp } from './text-checks.js';

// ---------------------------------------------------------------------------------------------
// Vocabulary shared with products and customers
// ---------------------------------------------------------------------------------------------

/** Product categories the rules speak about. A product's `category` must be one of these. */
export const PRODUCT_CATEGORIES = [
  'flower',
  'pre_roll',
  'concentrate',
  'vape',
  'edible',
  'beverage',
  'tincture',
  'capsule',
  'topical',
  'plant_immature',
  'plant_mature',
] as const;
export const productCategorySchema = z.enum(PRODUCT_CATEGORIES);
export type ProductCategory = z.infer<typeof productCategorySchema>;

export const CUSTOMER_TYPES = ['adult_use', 'medical', 'medical_recommendation', 'caregiver'] as const;
export type CustomerType = (typeof CUSTOMER_TYPES)[number];
// The rules must name exactly the customer types the store's schema knows: fails to compile otherwise.
type StoredCustomerType = (typeof customers.$inferSelect)['customerType'];
const customerTypesMatchSchema: [StoredCustomerType, CustomerType] extends [CustomerType, StoredCustomerType]
  ? true
  : never = true;
void customerTypesMatchSchema;

export const confidenceSchema = z.enum(['H', 'M', 'L', 'GUESS']);
export type Confidence = z.infer<typeof confidenceSchema>;

const SOURCE_ID = '(?:IL|OK|CA|G)-\\d+[a-z]?';
const sourceSchema = z
  .string()
  .regex(
    new RegExp(`^${SOURCE_ID}(?:, ${SOURCE_ID})*$`),
    'a source is one or more ids from research/rules.md §7 separated by ", " (e.g. "IL-8" or "OK-1, OK-6")',
  );

const isoDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is written yyyy-mm-dd')
  .refine((text) => isRealDate(text), 'not a real calendar date');

const idSchema = z.string().regex(/^[a-z][a-z0-9_]*$/, 'an id is lower_snake_case');

/** Where a figure comes from. Spread into every object that states a figure. */
const provenance = {
  source: sourceSchema,
  confidence: confidenceSchema,
  note: z.string().min(1).optional(),
};

/** A single figure (number, flag, choice) with its provenance. */
function sourced<T extends z.ZodType>(value: T) {
  return z.strictObject({ value, ...provenance });
}

// ---------------------------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------------------------

/**
 * Which quantity of a product counts against a limit:
 * - usable_weight: the product's usableWeightMg (flower weight; concentrate content; for an
 *   infused product the pre-mixed weight of cannabis used to make it),
 * - product_weight: the product's unitWeightMg (the whole edible),
 * - thc: milligrams of THC (thcUnit mg: thcValue; pct_x100: unitWeightMg × thcValue / 10000),
 * - units: one per unit sold (plants).
 */
export const limitMeasureSchema = z.enum(['usable_weight', 'product_weight', 'thc', 'units']);
export type LimitMeasure = z.infer<typeof limitMeasureSchema>;

export const limitUnitSchema = z.enum(['mg', 'mg_thc', 'plants']);
export type LimitUnit = z.infer<typeof limitUnitSchema>;

const UNIT_OF_MEASURE: Record<LimitMeasure, LimitUnit> = {
  usable_weight: 'mg',
  product_weight: 'mg',
  thc: 'mg_thc',
  units: 'plants',
};

export const limitWindowSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('per_transaction') }),
  /** The store's local calendar day, counting only this retailer's sales. */
  z.strictObject({ kind: z.literal('calendar_day_per_retailer') }),
  z.strictObject({
    kind: z.literal('rolling_days'),
    days: z.number().int().positive(),
    /** "unresolved" means the law does not say: the state system's figure decides. */
    anchoring: z.enum(['rolling', 'from_first_purchase', 'unresolved']),
  }),
]);
export type LimitWindow = z.infer<typeof limitWindowSchema>;

/** How products of some categories count against a limit: the equivalence table. */
export const equivalenceSchema = z.strictObject({
  categories: z.array(productCategorySchema).min(1),
  measure: limitMeasureSchema,
  ...provenance,
});
export type Equivalence = z.infer<typeof equivalenceSchema>;

export const purchaseLimitSchema = z.strictObject({
  id: idSchema,
  label: z.string().min(1),
  amount: z.number().int().positive(),
  unit: limitUnitSchema,
  /** The figure as the law states it, when that is not in the stored unit (checked against amount). */
  statedAs: z.strictObject({ value: z.number().positive(), unit: z.enum(['oz', 'g']) }).optional(),
  window: limitWindowSchema,
  equivalences: z.array(equivalenceSchema).min(1),
  /** A document that may raise this limit for one customer; a manager override needs one. Null: never. */
  raisedBy: z
    .strictObject({ document: z.enum(['state_waiver', 'physician_recommendation']), ...provenance })
    .nullable(),
  ...provenance,
});
export type PurchaseLimit = z.infer<typeof purchaseLimitSchema>;

// ---------------------------------------------------------------------------------------------
// Customer profiles
// ---------------------------------------------------------------------------------------------

export const residencySchema = z.enum(['in_state', 'out_of_state']);
export type Residency = z.infer<typeof residencySchema>;

export const customerProfileSchema = z.strictObject({
  id: idSchema,
  label: z.string().min(1),
  /** Which customers this profile is for; the first (only) profile that matches applies. */
  match: z.strictObject({
    customerType: z.enum(CUSTOMER_TYPES),
    /** Omitted: any residency. Residency comes from the state on the scanned ID. */
    residency: residencySchema.optional(),
    /** Age band in whole years: atLeast <= age < below. */
    ageYears: z
      .strictObject({ atLeast: z.number().int().min(0).optional(), below: z.number().int().positive().optional() })
      .optional(),
  }),
  minimumAge: sourced(z.number().int().min(0)),
  /** Who may make the purchase for this customer at the counter. */
  whoMayBuy: sourced(z.enum(['customer', 'caregiver', 'parent_guardian_or_caregiver'])),
  /** The document besides a valid ID that this customer must show. */
  credential: z.strictObject({
    kind: z.enum([
      'none',
      'state_patient_card',
      'state_caregiver_card',
      'physician_recommendation',
      'county_mmic',
      'out_of_state_patient_card',
    ]),
    /** A regular expression for the card number, or null where no format is published. */
    idPattern: z
      .string()
      .min(1)
      .refine((pattern) => isRegExp(pattern), 'not a valid regular expression')
      .nullable(),
    /** The pattern in staff words ("nine digits"); given with every idPattern. */
    idFormat: z.string().min(1).optional(),
    expiryChecked: z.boolean(),
    ...provenance,
  }),
  allowedCategories: sourced(z.union([z.literal('all'), z.array(productCategorySchema).min(1)])),
  /** "patient": a caregiver buys on a patient's limits and taxes, so limits is empty, taxStack null. */
  buysFor: z.enum(['self', 'patient']),
  /** The state system's remaining allotment is the truth; limits here are only the legal ceiling. */
  stateSystemIsTruth: sourced(z.boolean()),
  taxStack: idSchema.nullable(),
  limits: z.array(purchaseLimitSchema),
  /**
   * Categories the rules limit in a form nobody has published a way to count (California's
   * medicinal "8 oz of dried flower or the plant conversion"): the register does not guess a
   * conversion; a sale with one of these needs a manager's approval with the reason recorded.
   */
  unconvertedCategories: z
    .strictObject({
      categories: z.array(productCategorySchema).min(1),
      /** What staff are told, in their words: why a manager must approve. */
      staffReason: z.string().min(1),
      ...provenance,
    })
    .optional(),
  notes: z.array(z.string().min(1)).optional(),
});
export type CustomerProfile = z.infer<typeof customerProfileSchema>;

// ---------------------------------------------------------------------------------------------
// Taxes
// ---------------------------------------------------------------------------------------------

/** One rate over a period: from and to are inclusive calendar dates; to null = until further notice. */
export const effectiveRateSchema = z.strictObject({
  from: isoDateSchema,
  to: isoDateSchema.nullable(),
  /** Parts per million of the line's net price: 150_000 = 15%, 102_500 = 10.25%. */
  ratePpm: z.number().int().min(0).max(1_000_000),
  /** A date by which someone must re-check the rate (sources disagree on when it ends). */
  reviewBy: isoDateSchema.optional(),
  ...provenance,
});
export type EffectiveRate = z.infer<typeof effectiveRateSchema>;

const effectiveRatesSchema = z.array(effectiveRateSchema).superRefine((rates, context) => {
  rates.forEach((rate, index) => {
    if (rate.to !== null && rate.to < rate.from) {
      context.addIssue({ code: 'custom', path: [index, 'to'], message: `ends (${rate.to}) before it starts (${rate.from})` });
    }
    const previous = rates[index - 1];
    if (previous && (previous.to === null || previous.to >= rate.from)) {
      context.addIssue({
        code: 'custom',
        path: [index, 'from'],
        message: 'rates must be in date order without overlapping: the previous rate is still in force on this date',
      });
    }
  });
});

export const taxSchema = z
  .strictObject({
    id: idSchema,
    /** Shown on the receipt; several tiers of one tax share a label. */
    label: z.string().min(1),
    kind: z.enum(['excise', 'state_sales', 'local_sales', 'local_cannabis']),
    appliesTo: z.strictObject({
      categories: z.union([z.literal('all'), z.array(productCategorySchema).min(1)]),
      /** Potency band on adjusted Δ9-THC in hundredths of a percent (products with thcUnit pct_x100). */
      adjustedThcPctX100: z
        .strictObject({ atMost: z.number().int().min(0).optional(), above: z.number().int().min(0).optional() })
        .optional(),
    }),
    /** Rates fixed by law. Exactly one of rates and storeConfigured. */
    rates: effectiveRatesSchema.optional(),
    /** Rates each store looks up and enters (local taxes): kept in settings under settingKey. */
    storeConfigured: z
      .strictObject({
        /** Settings key; its value is a JSON array of effective rates (the shape of `rates`). */
        settingKey: z.string().regex(/^tax\.rates\.[a-z0-9_]+$/, 'a tax setting key looks like tax.rates.<tax id>'),
        maxRatePpm: z.number().int().min(0).max(1_000_000).nullable(),
        stepRatePpm: z.number().int().positive().nullable(),
        /** What the demo store uses; written into its settings by the demo seed. */
        demoRates: effectiveRatesSchema,
        ...provenance,
      })
      .optional(),
    note: z.string().min(1).optional(),
  })
  .superRefine((tax, context) => {
    if ((tax.rates === undefined) === (tax.storeConfigured === undefined)) {
      context.addIssue({
        code: 'custom',
        path: ['rates'],
        message: 'give exactly one of "rates" (fixed by law) and "storeConfigured" (a rate the store enters)',
      });
    }
    const { maxRatePpm, demoRates } = tax.storeConfigured ?? { maxRatePpm: null, demoRates: [] };
    demoRates.forEach((rate, index) => {
      if (maxRatePpm !== null && rate.ratePpm > maxRatePpm) {
        context.addIssue({
          code: 'custom',
          path: ['storeConfigured', 'demoRates', index, 'ratePpm'],
          message: `above the legal maximum of ${maxRatePpm} parts per million`,
        });
      }
    });
  });
export type Tax = z.infer<typeof taxSchema>;

export const taxStackSchema = z.strictObject({
  label: z.string().min(1),
  taxes: z.array(taxSchema),
  notes: z.array(z.string().min(1)).optional(),
});
export type TaxStack = z.infer<typeof taxStackSchema>;

export const taxRulesSchema = z.strictObject({
  /** Shelf prices are before tax; taxes are added and shown per line. */
  pricesIncludeTax: z.literal(false),
  /** Each tax is computed on the line's price after discounts, never on another tax. */
  base: z.literal('line_net_price'),
  rounding: z.strictObject({
    unit: z.literal('cent'),
    mode: z.enum(['half_up']),
    scope: z.enum(['per_line_per_tax']),
    note: z.string().min(1),
  }),
  stacks: z.record(idSchema, taxStackSchema),
});
export type TaxRules = z.infer<typeof taxRulesSchema>;

// ---------------------------------------------------------------------------------------------
// The whole file
// ---------------------------------------------------------------------------------------------

export const jurisdictionRulesSchema = z
  .strictObject({
    schemaVersion: z.literal(1),
    code: z.string().regex(/^[A-Z]{2}$/, 'a two-letter state code in capitals'),
    name: z.string().min(1),
    /** The date research/rules.md was compiled: every figure is a snapshot of that day. */
    researchCompiled: isoDateSchema,
    traceSystem: z.strictObject({
      name: z.string().min(1),
      provider: z.enum(['biotrack_v1', 'metrc']),
      ...provenance,
    }),
    sellWhileTraceDown: sourced(z.boolean()),
    mayKeepScannedLicenceData: sourced(z.boolean()),
    idScanRequired: sourced(z.boolean()),
    identificationMustBeUnexpired: sourced(z.boolean()),
    gramsPerOunce: sourced(z.number().positive()),
    /** In common years a 29 February birthday counts on this day (age computed in the store's zone). */
    leapDayBirthday: sourced(z.enum(['march_1', 'feb_28'])),
    salesHours: z
      .strictObject({
        opens: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time is HH:MM, 24-hour'),
        closes: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time is HH:MM, 24-hour'),
        ...provenance,
      })
      .nullable(),
    caregivers: z.strictObject({
      /** Null: no cap in the law. */
      maxPatientsPerCaregiver: sourced(z.number().int().positive().nullable()),
      maxCaregiversPerPatient: sourced(z.number().int().positive().nullable()),
      maxCaregiversPerMinorPatient: sourced(z.number().int().positive().nullable()),
      recordPatientAndCaregiverIds: sourced(z.boolean()),
    }),
    profiles: z.array(customerProfileSchema).min(1),
    taxes: taxRulesSchema,
    notes: z.array(z.string().min(1)).optional(),
  })
  .superRefine((rules, context) => checkCrossReferences(rules, context));
export type JurisdictionRules = z.infer<typeof jurisdictionRulesSchema>;

/** Checks that span several fields: ids, references, units, stated amounts, ambiguous matches. */
function checkCrossReferences(rules: JurisdictionRules, context: z.RefinementCtx): void {
  const issue = (path: PropertyKey[], message: string) => context.addIssue({ code: 'custom', path, message });

  const profileIds = new Set<string>();
  rules.profiles.forEach((profile, profileIndex) => {
    const at = (...rest: PropertyKey[]) => ['profiles', profileIndex, ...rest];
    if (profileIds.has(profile.id)) issue(at('id'), `duplicate profile id "${profile.id}"`);
    profileIds.add(profile.id);

    if (profile.buysFor === 'patient') {
      if (profile.limits.length > 0) issue(at('limits'), 'a profile that buys for a patient uses the patient\'s limits: leave limits empty');
      if (profile.taxStack !== null) issue(at('taxStack'), 'a profile that buys for a patient uses the patient\'s taxes: set taxStack to null');
    } else if (profile.taxStack === null) {
      issue(at('taxStack'), 'name one of taxes.stacks');
    } else if (!Object.hasOwn(rules.taxes.stacks, profile.taxStack)) {
      issue(at('taxStack'), `no tax stack "${profile.taxStack}" in taxes.stacks (have: ${Object.keys(rules.taxes.stacks).join(', ')})`);
    }

    const band = profile.match.ageYears;
    if (band?.atLeast !== undefined && band.below !== undefined && band.atLeast >= band.below) {
      issue(at('match', 'ageYears'), 'atLeast must be below "below"');
    }

    const limitIds = new Set<string>();
    profile.limits.forEach((limit, limitIndex) => {
      const limitAt = (...rest: PropertyKey[]) => at('limits', limitIndex, ...rest);
      if (limitIds.has(limit.id)) issue(limitAt('id'), `duplicate limit id "${limit.id}"`);
      limitIds.add(limit.id);
      limit.equivalences.forEach((equivalence, equivalenceIndex) => {
        const expectedUnit = UNIT_OF_MEASURE[equivalence.measure];
        if (expectedUnit !== limit.unit) {
          issue(
            limitAt('equivalences', equivalenceIndex, 'measure'),
            `measure "${equivalence.measure}" is counted in ${expectedUnit}, but the limit's unit is ${limit.unit}`,
          );
        }
      });
      if (limit.statedAs) {
        const expected = statedAmountInMilligrams(limit.statedAs.value, limit.statedAs.unit, rules.gramsPerOunce.value);
        if (limit.unit !== 'mg') {
          issue(limitAt('statedAs'), 'statedAs is only for weight limits (unit mg)');
        } else if (limit.amount !== expected) {
          issue(
            limitAt('amount'),
            `${limit.statedAs.value} ${limit.statedAs.unit} is ${expected} mg at ${rules.gramsPerOunce.value} g/oz (rounded down), not ${limit.amount}`,
          );
        }
      }
    });
  });

  // Two profiles that could match the same customer make the choice depend on file order.
  rules.profiles.forEach((first, firstIndex) => {
    rules.profiles.slice(firstIndex + 1).forEach((second, offset) => {
      if (profilesOverlap(first, second)) {
        issue(
          ['profiles', firstIndex + 1 + offset, 'match'],
          `could match the same customers as profile "${first.id}": make residency or ageYears tell them apart`,
        );
      }
    });
  });

  for (const [stackId, stack] of Object.entries(rules.taxes.stacks)) {
    const taxIds = new Set<string>();
    stack.taxes.forEach((tax, taxIndex) => {
      if (taxIds.has(tax.id)) issue(['taxes', 'stacks', stackId, 'taxes', taxIndex, 'id'], `duplicate tax id "${tax.id}"`);
      taxIds.add(tax.id);
    });
  }
}

function profilesOverlap(first: CustomerProfile, second: CustomerProfile): boolean {
  if (first.match.customerType !== second.match.customerType) return false;
  const a = first.match;
  const b = second.match;
  if (a.residency !== undefined && b.residency !== undefined && a.residency !== b.residency) return false;
  const aFrom = a.ageYears?.atLeast ?? 0;
  const bFrom = b.ageYears?.atLeast ?? 0;
  const aTo = a.ageYears?.below ?? Number.POSITIVE_INFINITY;
  const bTo = b.ageYears?.below ?? Number.POSITIVE_INFINITY;
  return aFrom < bTo && bFrom < aTo;
}

/**
 * A statute's ounces or grams in milligrams. Rounded down so the register never allows more than
 * the law; the tiny epsilon absorbs binary floating point (3 × 28.3 is 84.899999…).
 */
export function statedAmountInMilligrams(value: number, unit: 'oz' | 'g', gramsPerOunce: number): number {
  const grams = unit === 'oz' ? value * gramsPerOunce : value;
  return Math.floor(grams * 1000 + 1e-6);
}

// ---------------------------------------------------------------------------------------------
// Reading rules
// ---------------------------------------------------------------------------------------------

/**
 * Read and validate resources/jurisdictions/<CODE>.json. Throws an Error whose message names the
 * file, the field and what to do: the register must not sell on rules it could not read.
 */
export function loadJurisdictionRules(resourcesDir: string, code: string): JurisdictionRules {
  const folder = join(resourcesDir, 'jurisdictions');
  if (!/^[A-Z]{2}$/.test(code)) {
    throw new Error(
      `"${code}" is not a jurisdiction code: use a two-letter state code in capitals (${availableCodes(folder)}) in the store.jurisdiction setting.`,
    );
  }
  const file = join(folder, `${code}.json`);
  if (!existsSync(file)) {
    throw new Error(
      `No rules file for jurisdiction ${code}: ${file} does not exist. Set store.jurisdiction to one of ${availableCodes(folder)}, or add ${code}.json in the format of main/compliance/rules.ts.`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`The rules file ${file} cannot be read as JSON (${detail}). Fix its syntax, or restore it from the installer.`);
  }
  const parsed = jurisdictionRulesSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((issue) => `field ${describePath(raw, issue.path)}: ${issue.message}`);
    const more = parsed.error.issues.length > 5 ? ` (and ${parsed.error.issues.length - 5} more)` : '';
    throw new Error(
      `The rules file ${file} is invalid: ${problems.join('; ')}${more}. Correct the field (the format is jurisdictionRulesSchema in main/compliance/rules.ts); the register will not sell on rules it cannot read.`,
    );
  }
  if (parsed.data.code !== code) {
    throw new Error(`The rules file ${file} is invalid: field code is "${parsed.data.code}" but the file is named ${code}.json. Make them agree.`);
  }
  return parsed.data;
}

function availableCodes(folder: string): string {
  try {
    const codes = readdirSync(folder)
      .filter((name) => /^[A-Z]{2}\.json$/.test(name))
      .map((name) => name.slice(0, 2));
    return codes.length > 0 ? codes.join(', ') : 'none found';
  } catch {
    return `none: the folder ${folder} is missing`;
  }
}

/** "profiles[3] (id medical_minor).limits[0].amount": the path, with ids so a person finds the spot. */
function describePath(raw: unknown, path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(the whole file)';
  let text = '';
  let node: unknown = raw;
  for (const key of path) {
    if (typeof key === 'number') {
      text += `[${key}]`;
      node = Array.isArray(node) ? node[key] : undefined;
      const id = isRecord(node) && typeof node.id === 'string' ? node.id : null;
      if (id !== null) text += ` (id ${id})`;
    } else {
      const name = String(key);
      text += text === '' ? name : `.${name}`;
      node = isRecord(node) ? node[name] : undefined;
    }
  }
  return text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export { credentialNumberProblem, credentialNumberProblemFor, findCustomerProfile, lineTaxCents, rateOn, type CustomerFacts } from './using-rules.js';
