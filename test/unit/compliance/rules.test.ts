import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  findCustomerProfile,
  jurisdictionRulesSchema,
  lineTaxCents,
  loadJurisdictionRules,
  rateOn,
  type CustomerProfile,
  type JurisdictionRules,
  type PurchaseLimit,
  type Tax,
} from '../../../main/compliance/rules.js';
import { resourcesDir, tempDir } from '../../support/paths.js';

const jurisdictionsDir = join(resourcesDir, 'jurisdictions');
const IL = () => loadJurisdictionRules(resourcesDir, 'IL');
const OK = () => loadJurisdictionRules(resourcesDir, 'OK');
const CA = () => loadJurisdictionRules(resourcesDir, 'CA');

function profile(rules: JurisdictionRules, id: string): CustomerProfile {
  const found = rules.profiles.find((p) => p.id === id);
  if (!found) throw new Error(`no profile ${id} in ${rules.code}`);
  return found;
}

function limit(rules: JurisdictionRules, profileId: string, limitId: string): PurchaseLimit {
  const found = profile(rules, profileId).limits.find((l) => l.id === limitId);
  if (!found) throw new Error(`no limit ${limitId} in ${rules.code}/${profileId}`);
  return found;
}

function tax(rules: JurisdictionRules, stackId: string, taxId: string): Tax {
  const found = rules.taxes.stacks[stackId]?.taxes.find((t) => t.id === taxId);
  if (!found) throw new Error(`no tax ${taxId} in ${rules.code}/${stackId}`);
  return found;
}

function fixedRate(t: Tax, date: string): number | null {
  return rateOn(t.rates ?? [], date)?.ratePpm ?? null;
}

describe('jurisdiction files', () => {
  const codes = readdirSync(jurisdictionsDir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => name.replace(/\.json$/, ''));

  it('include Illinois, Oklahoma and California', () => {
    expect(codes.sort()).toEqual(['CA', 'IL', 'OK']);
  });

  it.each(codes)('%s validates against the schema', (code) => {
    const rules = loadJurisdictionRules(resourcesDir, code);
    expect(rules.code).toBe(code);
    expect(rules.profiles.length).toBeGreaterThan(0);
  });

  it.each(codes)('%s: every object that states a figure names a research source and a confidence', (code) => {
    const raw: unknown = JSON.parse(readFileSync(join(jurisdictionsDir, `${code}.json`), 'utf8'));
    const unsourced: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) return node.forEach((child, index) => walk(child, `${path}[${index}]`));
      if (typeof node !== 'object' || node === null) return;
      const record = node as Record<string, unknown>;
      const statesFigure = ['value', 'amount', 'ratePpm', 'measure', 'opens', 'provider', 'idPattern', 'settingKey', 'document'].some(
        (key) => key in record,
      );
      if (statesFigure && (typeof record.source !== 'string' || typeof record.confidence !== 'string')) unsourced.push(path);
      for (const [key, child] of Object.entries(record)) walk(child, `${path}.${key}`);
    };
    walk(raw, code);
    // statedAs only restates its limit's amount in the law's unit; the limit carries the source.
    expect(unsourced.filter((path) => !path.endsWith('.statedAs'))).toEqual([]);
  });
});

describe('Illinois figures', () => {
  it('adult-use flower: 30 g for residents, 15 g for non-residents, per transaction', () => {
    const rules = IL();
    expect(limit(rules, 'adult_use_resident', 'flower')).toMatchObject({ amount: 30_000, unit: 'mg', window: { kind: 'per_transaction' } });
    expect(limit(rules, 'adult_use_non_resident', 'flower')).toMatchObject({ amount: 15_000, unit: 'mg' });
    expect(limit(rules, 'adult_use_resident', 'concentrate').amount).toBe(5_000);
    expect(limit(rules, 'adult_use_non_resident', 'concentrate').amount).toBe(2_500);
    expect(limit(rules, 'adult_use_resident', 'infused_thc')).toMatchObject({ amount: 500, unit: 'mg_thc' });
    expect(limit(rules, 'adult_use_non_resident', 'infused_thc')).toMatchObject({ amount: 250, unit: 'mg_thc' });
    expect(limit(rules, 'adult_use_resident', 'flower').source).toBe('IL-8');
  });

  it('medical: 2.5 oz = 70.87 g of usable cannabis in 14 days, the state system deciding', () => {
    const rules = IL();
    const usable = limit(rules, 'medical_patient', 'usable_cannabis');
    expect(rules.gramsPerOunce.value).toBe(28.3495);
    expect(usable.statedAs).toEqual({ value: 2.5, unit: 'oz' });
    expect((usable.amount / 1000).toFixed(2)).toBe('70.87');
    expect(usable.amount).toBe(70_873); // 70 873.75 mg rounded down: never more than the law allows
    expect(usable.window).toEqual({ kind: 'rolling_days', days: 14, anchoring: 'unresolved' });
    expect(usable.raisedBy?.document).toBe('state_waiver');
    expect(profile(rules, 'medical_patient').stateSystemIsTruth.value).toBe(true);
    // Infused products count by the pre-mixed weight of cannabis used, and say the text is cut off.
    const infused = usable.equivalences.find((e) => e.categories.includes('edible'));
    expect(infused?.measure).toBe('usable_weight');
    expect(infused?.note).toMatch(/cut off/);
  });

  it('minors buy infused products only, through a caregiver; caregivers are 21+ with one patient', () => {
    const rules = IL();
    const minor = profile(rules, 'medical_minor');
    expect(minor.whoMayBuy.value).toBe('caregiver');
    expect(minor.allowedCategories.value).toEqual(['edible', 'beverage', 'tincture', 'capsule', 'topical']);
    expect(profile(rules, 'caregiver').minimumAge.value).toBe(21);
    expect(profile(rules, 'caregiver').buysFor).toBe('patient');
    expect(rules.caregivers.maxPatientsPerCaregiver).toMatchObject({ value: 1, source: 'IL-2', confidence: 'H' });
  });

  it('sells while the state system is down by default (quoting the local-code rule), may not keep scanned licence data', () => {
    const rules = IL();
    expect(rules.sellWhileTraceDown.value).toBe(true);
    expect(rules.sellWhileTraceDown.note).toMatch(/shall not operate while the point-of-sale equipment or the state's cannabis electronic verification system is inoperative/);
    expect(rules.mayKeepScannedLicenceData).toMatchObject({ value: false, source: 'IL-10', confidence: 'H' });
    expect(rules.idScanRequired.value).toBe(true);
    expect(rules.traceSystem.provider).toBe('biotrack_v1');
    expect(rules.traceSystem.name).toMatch(/BioTrack/);
    expect(rules.leapDayBirthday.value).toBe('march_1');
  });

  it('adult-use taxes: excise 10% / 25% above 35% adjusted THC / 20% infused, ROT 6.25%, local rates from the store', () => {
    const rules = IL();
    const low = tax(rules, 'adult_use', 'il_excise_low_potency');
    const high = tax(rules, 'adult_use', 'il_excise_high_potency');
    expect(fixedRate(low, '2026-12-01')).toBe(100_000);
    expect(low.appliesTo.adjustedThcPctX100).toEqual({ atMost: 3500 });
    expect(fixedRate(high, '2026-12-01')).toBe(250_000);
    expect(high.appliesTo.adjustedThcPctX100).toEqual({ above: 3500 });
    expect(fixedRate(tax(rules, 'adult_use', 'il_excise_infused'), '2026-12-01')).toBe(200_000);
    expect(fixedRate(tax(rules, 'adult_use', 'il_state_rot'), '2026-12-01')).toBe(62_500);
    const municipal = tax(rules, 'adult_use', 'il_municipal_cannabis_rot').storeConfigured;
    expect(municipal).toMatchObject({ settingKey: 'tax.rates.il_municipal_cannabis_rot', maxRatePpm: 30_000, stepRatePpm: 2_500 });
    expect(rateOn(municipal?.demoRates ?? [], '2026-12-01')?.ratePpm).toBe(30_000);
    expect(tax(rules, 'adult_use', 'il_county_cannabis_rot').storeConfigured?.maxRatePpm).toBe(37_500);
  });

  it('medical taxes: 1% state ROT, no excise, no cannabis ROT', () => {
    const rules = IL();
    const medical = rules.taxes.stacks.medical;
    expect(fixedRate(tax(rules, 'medical', 'il_medical_state_rot'), '2026-12-01')).toBe(10_000);
    expect(medical?.taxes.map((t) => t.kind)).toEqual(['state_sales', 'local_sales']);
    expect(profile(rules, 'medical_patient').taxStack).toBe('medical');
    expect(profile(rules, 'adult_use_resident').taxStack).toBe('adult_use');
  });

  it('picks the profile from type, residency and age', () => {
    const rules = IL();
    const pick = (customerType: 'adult_use' | 'medical' | 'medical_recommendation' | 'caregiver', residency: 'in_state' | 'out_of_state' | null, ageYears: number) =>
      findCustomerProfile(rules, { customerType, residency, ageYears })?.id ?? null;
    expect(pick('adult_use', 'in_state', 30)).toBe('adult_use_resident');
    expect(pick('adult_use', 'out_of_state', 30)).toBe('adult_use_non_resident');
    expect(pick('adult_use', null, 30)).toBeNull(); // residency unknown: the caller must find it out
    expect(pick('medical', 'out_of_state', 18)).toBe('medical_patient');
    expect(pick('medical', 'in_state', 17)).toBe('medical_minor');
    expect(pick('caregiver', 'in_state', 40)).toBe('caregiver');
    expect(pick('medical_recommendation', 'in_state', 40)).toBeNull();
  });
});

describe('Oklahoma figures', () => {
  it('caregiver cap 5 is a low-confidence default (the statute caps cultivation rights, not purchases), both licence numbers recorded', () => {
    const rules = OK();
    expect(rules.caregivers.maxPatientsPerCaregiver).toMatchObject({ value: 5, source: 'OK-2, OK-4', confidence: 'L' });
    expect(rules.caregivers.maxPatientsPerCaregiver.note).toMatch(/cultivation/);
    expect(rules.caregivers.recordPatientAndCaregiverIds.value).toBe(true);
  });

  it('per-transaction limits in the statute\'s 28.3 g ounce', () => {
    const rules = OK();
    expect(rules.gramsPerOunce.value).toBe(28.3);
    expect(limit(rules, 'medical_patient', 'marijuana')).toMatchObject({ amount: 84_900, window: { kind: 'per_transaction' } });
    expect(limit(rules, 'medical_patient', 'concentrate').amount).toBe(28_300);
    expect(limit(rules, 'medical_patient', 'medical_marijuana_products')).toMatchObject({ amount: 2_037_600 });
    expect(limit(rules, 'medical_patient', 'medical_marijuana_products').equivalences[0]?.measure).toBe('product_weight');
    expect(limit(rules, 'medical_patient', 'mature_plants')).toMatchObject({ amount: 6, unit: 'plants' });
  });

  it('medical only: no adult-use profile; trace system Metrc; may keep licence data; sells while Metrc is down', () => {
    const rules = OK();
    expect(findCustomerProfile(rules, { customerType: 'adult_use', residency: 'in_state', ageYears: 30 })).toBeNull();
    expect(findCustomerProfile(rules, { customerType: 'medical', residency: 'out_of_state', ageYears: 30 })?.id).toBe('medical_temporary');
    expect(rules.traceSystem.provider).toBe('metrc');
    expect(rules.mayKeepScannedLicenceData.value).toBe(true);
    expect(rules.sellWhileTraceDown).toMatchObject({ value: true, confidence: 'GUESS' });
  });

  it('taxes: excise 7% and state sales 4.5%', () => {
    const rules = OK();
    expect(fixedRate(tax(rules, 'medical', 'ok_excise'), '2026-12-01')).toBe(70_000);
    expect(fixedRate(tax(rules, 'medical', 'ok_state_sales'), '2026-12-01')).toBe(45_000);
  });
});

describe('California figures', () => {
  it('excise 19% on 2025-08-01 and 15% on 2025-11-01, with the window edges', () => {
    const excise = tax(CA(), 'standard', 'ca_excise').rates ?? [];
    expect(rateOn(excise, '2025-08-01')?.ratePpm).toBe(190_000);
    expect(rateOn(excise, '2025-11-01')?.ratePpm).toBe(150_000);
    expect(rateOn(excise, '2025-06-30')?.ratePpm).toBe(150_000);
    expect(rateOn(excise, '2025-07-01')?.ratePpm).toBe(190_000);
    expect(rateOn(excise, '2025-09-30')?.ratePpm).toBe(190_000);
    expect(rateOn(excise, '2025-10-01')?.ratePpm).toBe(150_000);
    expect(rateOn(excise, '2025-10-01')?.reviewBy).toBe('2028-06-30');
    expect(rateOn(excise, '2022-12-31')).toBeNull();
    expect(() => rateOn(excise, '2025-02-30')).toThrow(/yyyy-mm-dd/);
  });

  it('MMIC holders pay the excise but no sales tax; recommendation-only patients pay both', () => {
    const rules = CA();
    expect(profile(rules, 'medical_mmic').taxStack).toBe('mmic');
    expect(rules.taxes.stacks.mmic?.taxes.map((t) => t.kind)).toEqual(['excise']);
    expect(profile(rules, 'medical_recommendation').taxStack).toBe('standard');
    expect(rules.taxes.stacks.standard?.taxes.map((t) => t.kind)).toContain('state_sales');
    expect(profile(rules, 'medical_mmic').credential.idPattern).toBe('^\\d{9}$');
  });

  it('per-day limits, no caregiver cap, sells while CCTT is down, keeps no licence data', () => {
    const rules = CA();
    expect(limit(rules, 'adult_use', 'non_concentrated')).toMatchObject({ amount: 28_500, window: { kind: 'calendar_day_per_retailer' } });
    expect(limit(rules, 'adult_use', 'concentrate').amount).toBe(8_000);
    expect(limit(rules, 'medical_recommendation', 'dried_flower').raisedBy?.document).toBe('physician_recommendation');
    expect(rules.caregivers.maxPatientsPerCaregiver.value).toBeNull();
    expect(rules.sellWhileTraceDown.value).toBe(true);
    expect(rules.mayKeepScannedLicenceData.value).toBe(false);
    expect(rules.traceSystem.provider).toBe('metrc');
  });
});

describe('tax rounding', () => {
  it('rounds each line tax to the cent, half up, and mirrors refunds', () => {
    expect(lineTaxCents(1999, 62_500)).toBe(125); // 124.9375
    expect(lineTaxCents(200, 2_500)).toBe(1); // exactly half a cent
    expect(lineTaxCents(199, 2_500)).toBe(0); // 0.4975
    expect(lineTaxCents(4500, 100_000)).toBe(450);
    expect(lineTaxCents(-1999, 62_500)).toBe(-125);
    expect(lineTaxCents(0, 250_000)).toBe(0);
    expect(() => lineTaxCents(10.5, 62_500)).toThrow(/integer/);
  });

  it('charges rates with three and four decimals exactly (8.625%, 10.25%, 9.8725%), half up', () => {
    expect(lineTaxCents(4000, 86_250)).toBe(345); // 345.0 exactly
    expect(lineTaxCents(1000, 86_250)).toBe(86); // 86.25
    expect(lineTaxCents(2000, 86_250)).toBe(173); // 172.5: half up
    expect(lineTaxCents(-2000, 86_250)).toBe(-173); // a refund mirrors it
    expect(lineTaxCents(3999, 102_500)).toBe(410); // 409.8975
    expect(lineTaxCents(200, 102_500)).toBe(21); // 20.5: half up
    expect(lineTaxCents(10_000, 98_725)).toBe(987); // 987.25
    expect(lineTaxCents(1, 500_000)).toBe(1); // half a cent
    expect(lineTaxCents(1, 499_999)).toBe(0);
    // Past 2^53 the product is exact too (BigInt): 9e13 cents at 8.625% = 7.7625e12 cents.
    expect(lineTaxCents(90_000_000_000_000, 86_250)).toBe(7_762_500_000_000);
    expect(lineTaxCents(90_000_000_000_001, 86_250)).toBe(7_762_500_000_000); // + 0.08625 of a cent: rounds down
    expect(() => lineTaxCents(100, 62.5)).toThrow(/whole/);
  });

  it('is stated in every file as per line, half up, on the net price', () => {
    for (const rules of [IL(), OK(), CA()]) {
      expect(rules.taxes.rounding).toMatchObject({ unit: 'cent', mode: 'half_up', scope: 'per_line_per_tax' });
      expect(rules.taxes.base).toBe('line_net_price');
    }
  });
});

describe('a broken rules file', () => {
  let cleanup: (() => void) | null = null;
  afterEach(() => {
    cleanup?.();
    cleanup = null;
  });

  /** A copy of the resources folder whose IL.json has been edited. */
  function brokenIllinois(edit: (rules: Record<string, unknown>) => void): string {
    const temp = tempDir('rules-test-');
    cleanup = temp.cleanup;
    mkdirSync(join(temp.dir, 'jurisdictions'));
    cpSync(jurisdictionsDir, join(temp.dir, 'jurisdictions'), { recursive: true });
    const file = join(temp.dir, 'jurisdictions', 'IL.json');
    const rules = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    edit(rules);
    writeFileSync(file, JSON.stringify(rules, null, 2));
    return temp.dir;
  }

  function errorOf(run: () => unknown): string {
    try {
      run();
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    return 'no error';
  }

  type Json = Record<string, unknown> & { profiles: Array<Record<string, unknown> & { limits: Array<Record<string, unknown>> }> };

  it('names the file and the field, with the ids on the way, and says what to do', () => {
    const dir = brokenIllinois((rules) => {
      (rules as Json).profiles[0]!.limits[0]!.amount = '30 g';
    });
    const message = errorOf(() => loadJurisdictionRules(dir, 'IL'));
    expect(message).toContain(join(dir, 'jurisdictions', 'IL.json'));
    expect(message).toContain('profiles[0] (id adult_use_resident).limits[0] (id flower).amount');
    expect(message).toMatch(/Correct the field/);
  });

  it('rejects a misspelt field name', () => {
    const dir = brokenIllinois((rules) => {
      const first = (rules as Json).profiles[0]!;
      first.minimumAges = first.minimumAge;
      delete first.minimumAge;
    });
    const message = errorOf(() => loadJurisdictionRules(dir, 'IL'));
    expect(message).toMatch(/profiles\[0\] \(id adult_use_resident\)/);
    expect(message).toMatch(/minimumAges/);
  });

  it('rejects a figure without its source', () => {
    const dir = brokenIllinois((rules) => {
      delete (rules.sellWhileTraceDown as Record<string, unknown>).source;
    });
    expect(errorOf(() => loadJurisdictionRules(dir, 'IL'))).toMatch(/field sellWhileTraceDown\.source/);
  });

  it('rejects an amount that does not match the ounces the law states', () => {
    const dir = brokenIllinois((rules) => {
      (rules as Json).profiles[2]!.limits[0]!.amount = 70_870;
    });
    expect(errorOf(() => loadJurisdictionRules(dir, 'IL'))).toMatch(
      /profiles\[2\] \(id medical_patient\)\.limits\[0\] \(id usable_cannabis\)\.amount: 2\.5 oz is 70873 mg/,
    );
  });

  it('rejects overlapping tax rates and a store rate above the legal maximum', () => {
    const dir = brokenIllinois((rules) => {
      const stacks = (rules.taxes as { stacks: Record<string, { taxes: Array<Record<string, unknown>> }> }).stacks;
      const excise = stacks.adult_use!.taxes[0]!;
      excise.rates = [
        { from: '2020-01-01', to: '2024-12-31', ratePpm: 100_000, source: 'IL-11', confidence: 'H' },
        { from: '2024-06-01', to: null, ratePpm: 110_000, source: 'IL-11', confidence: 'H' },
      ];
      const municipal = stacks.adult_use!.taxes[5]!.storeConfigured as { demoRates: Array<{ ratePpm: number }> };
      municipal.demoRates[0]!.ratePpm = 40_000;
    });
    const message = errorOf(() => loadJurisdictionRules(dir, 'IL'));
    expect(message).toMatch(/taxes\.stacks\.adult_use\.taxes\[0\] \(id il_excise_low_potency\)\.rates\[1\]\.from: .*overlapping/);
    expect(message).toMatch(/il_municipal_cannabis_rot\)\.storeConfigured\.demoRates\[0\]\.ratePpm: above the legal maximum of 30000/);
  });

  it('rejects a profile naming a tax stack that does not exist', () => {
    const dir = brokenIllinois((rules) => {
      (rules as Json).profiles[0]!.taxStack = 'recreational';
    });
    expect(errorOf(() => loadJurisdictionRules(dir, 'IL'))).toMatch(/taxStack: no tax stack "recreational"/);
  });

  it('rejects two profiles that match the same customers', () => {
    const dir = brokenIllinois((rules) => {
      delete ((rules as Json).profiles[1]!.match as Record<string, unknown>).residency;
    });
    expect(errorOf(() => loadJurisdictionRules(dir, 'IL'))).toMatch(/could match the same customers as profile "adult_use_resident"/);
  });

  it('says when the file is not JSON, is missing, or names another state', () => {
    const temp = tempDir('rules-test-');
    cleanup = temp.cleanup;
    mkdirSync(join(temp.dir, 'jurisdictions'));
    writeFileSync(join(temp.dir, 'jurisdictions', 'IL.json'), '{ "schemaVersion": 1,');
    writeFileSync(join(temp.dir, 'jurisdictions', 'OK.json'), readFileSync(join(jurisdictionsDir, 'CA.json')));
    expect(errorOf(() => loadJurisdictionRules(temp.dir, 'IL'))).toMatch(/IL\.json cannot be read as JSON/);
    expect(errorOf(() => loadJurisdictionRules(temp.dir, 'NY'))).toMatch(/No rules file for jurisdiction NY: .* Set store\.jurisdiction to one of IL, OK/);
    expect(errorOf(() => loadJurisdictionRules(temp.dir, 'OK'))).toMatch(/field code is "CA" but the file is named OK\.json/);
    expect(errorOf(() => loadJurisdictionRules(temp.dir, 'il'))).toMatch(/not a jurisdiction code/);
  });

  it('the schema alone accepts each shipped file (for tools that validate without reading from disk)', () => {
    for (const code of ['IL', 'OK', 'CA']) {
      const raw: unknown = JSON.parse(readFileSync(join(jurisdictionsDir, `${code}.json`), 'utf8'));
      expect(jurisdictionRulesSchema.safeParse(raw).success).toBe(true);
    }
  });
});
