/**
 * The store's own settings: name, licence number, jurisdiction, time zone, and the tax rates the
 * jurisdiction leaves to the store (taxes with `storeConfigured` in its rules file). Each rate has
 * the date it takes effect; a sale uses the rate in force on its date (compliance/rules.ts rateOn),
 * so a new rate ends the previous one the day before and history is never rewritten.
 */
import type Database from 'better-sqlite3';
import { formatRatePercent, MAX_RATE_PPM } from '../../preload/contract/rates.js';
import type { StoreRate, StoreTax, TaxRateEntry } from '../../preload/contract/setup.js';
import { loadJurisdictionRules, type JurisdictionRules } from '../compliance/rules.js';
import { CoreError } from '../core/errors.js';

export const STORE_SETTING = {
  name: 'store.name',
  licenceNumber: 'store.licenceNumber',
  jurisdiction: 'store.jurisdiction',
  timeZone: 'store.timeZone',
} as const;

/** Time zones offered first; the computer's own is added when it is not among them. */
const US_TIME_ZONES = [
  'America/New_York',
  'America/Detroit',
  'America/Chicago',
  'America/Denver',
  'America/Phoenix',
  'America/Los_Angeles',
  'America/Anchorage',
  'Pacific/Honolulu',
];

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export function timeZoneChoices(current: string | null): string[] {
  const list = [...US_TIME_ZONES];
  if (current && isTimeZone(current) && !list.includes(current)) list.unshift(current);
  return list;
}

/** This computer's time zone, or Chicago when it has none the register knows. */
export function computerTimeZone(): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return zone && isTimeZone(zone) && zone !== 'UTC' && zone !== 'Etc/UTC' ? zone : 'America/Chicago';
}

/** The calendar date (yyyy-mm-dd) of an instant in a time zone. */
export function dateIn(at: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at);
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

function dayBefore(date: string): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day - 1)).toISOString().slice(0, 10);
}

function isRealDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === text;
}

/** The taxes of a jurisdiction that the store enters, once each (one rate may serve several kinds of sale). */
export function storeTaxesOf(rules: JurisdictionRules): Array<StoreTax & { suggestedRatePpm: number | null }> {
  const byKey = new Map<string, StoreTax & { suggestedRatePpm: number | null }>();
  for (const stack of Object.values(rules.taxes.stacks)) {
    for (const tax of stack.taxes) {
      const configured = tax.storeConfigured;
      if (!configured) continue;
      const known = byKey.get(configured.settingKey);
      if (known) {
        if (!known.appliesTo.includes(stack.label)) known.appliesTo.push(stack.label);
        continue;
      }
      const suggested = configured.demoRates.at(-1)?.ratePpm ?? null;
      byKey.set(configured.settingKey, {
        settingKey: configured.settingKey,
        label: tax.label,
        kind: tax.kind,
        appliesTo: [stack.label],
        maxRatePpm: configured.maxRatePpm,
        stepRatePpm: configured.stepRatePpm,
        note: configured.note ?? tax.note ?? null,
        suggestedRatePpm: suggested,
      });
    }
  }
  return [...byKey.values()];
}

export function readJson(sqlite: Database.Database, key: string): unknown {
  const row = sqlite.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
  if (!row) return undefined;
  try {
    return JSON.parse(row.value);
  } catch {
    return undefined;
  }
}

export function writeJson(sqlite: Database.Database, key: string, value: unknown, now: number): void {
  sqlite
    .prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at')
    .run(key, JSON.stringify(value), now);
}

/** The store's rates for one tax as the screen shows them (rules' demo rates carry no author). */
export function readStoreRates(sqlite: Database.Database, settingKey: string): StoreRate[] {
  const value = readJson(sqlite, settingKey);
  if (!Array.isArray(value)) return [];
  const rates: StoreRate[] = [];
  for (const item of value as Array<Record<string, unknown>>) {
    if (typeof item?.from !== 'string' || typeof item.ratePpm !== 'number') continue;
    rates.push({
      from: item.from,
      to: typeof item.to === 'string' ? item.to : null,
      ratePpm: item.ratePpm,
      enteredAt: typeof item.enteredAt === 'number' ? item.enteredAt : null,
      enteredBy: typeof item.enteredBy === 'string' ? item.enteredBy : null,
    });
  }
  return rates;
}


/** Why a rate is not allowed for this tax (over the legal maximum, off its steps), or null. */
export function rateProblem(tax: StoreTax, ratePpm: number): string | null {
  if (!Number.isInteger(ratePpm) || ratePpm < 0 || ratePpm > MAX_RATE_PPM) return `${tax.label}: enter a rate between 0% and 100%, with at most four decimals.`;
  if (tax.maxRatePpm !== null && ratePpm > tax.maxRatePpm) {
    return `${tax.label} is at most ${formatRatePercent(tax.maxRatePpm)} by law: check the rate your city or county set.`;
  }
  if (tax.stepRatePpm !== null && ratePpm % tax.stepRatePpm !== 0) {
    return `${tax.label} is set in steps of ${formatRatePercent(tax.stepRatePpm)} (for example ${formatRatePercent(tax.stepRatePpm * Math.max(1, Math.round(ratePpm / tax.stepRatePpm)))}).`;
  }
  return null;
}

/**
 * The rates after a new one: rates already in force before its date stay as they were (the one
 * in force ends the day before); a rate entered for a later date that has not started is replaced.
 * `today` is the store's date: a new rate cannot start before it once the tax has a rate, since
 * sales already made used the old one.
 */
export function withNewRate(
  rates: readonly StoreRate[],
  tax: StoreTax,
  entry: TaxRateEntry,
  today: string,
  author: { at: number; by: string | null },
): StoreRate[] {
  const problem = rateProblem(tax, entry.ratePpm);
  if (problem) throw new CoreError('invalid_message', problem);
  if (!isRealDate(entry.from)) throw new CoreError('invalid_message', `${entry.from} is not a date: write it as yyyy-mm-dd.`);
  if (rates.length > 0 && entry.from < today) {
    throw new CoreError('invalid_message', `${tax.label}: a new rate starts today (${today}) or later. Sales already made keep the rate they were charged.`);
  }
  const kept = rates.filter((rate) => rate.from < entry.from).map((rate) => ({ ...rate }));
  const last = kept.at(-1);
  if (last && (last.to === null || last.to >= entry.from)) last.to = dayBefore(entry.from);
  return [...kept, { from: entry.from, to: null, ratePpm: entry.ratePpm, enteredAt: author.at, enteredBy: author.by }];
}

/** Check a store's chosen jurisdiction, time zone and one first rate for every tax it must enter. */
export function checkNewStore(
  resourcesDir: string,
  input: { jurisdiction: string; timeZone: string; taxRates: TaxRateEntry[] },
  now: number,
): { rules: JurisdictionRules; taxes: StoreTax[] } {
  let rules: JurisdictionRules;
  try {
    rules = loadJurisdictionRules(resourcesDir, input.jurisdiction);
  } catch {
    throw new CoreError('invalid_message', `The register has no rules for ${input.jurisdiction}: choose a state from the list.`);
  }
  if (!isTimeZone(input.timeZone)) throw new CoreError('invalid_message', `"${input.timeZone}" is not a time zone: choose one from the list.`);
  const taxes = storeTaxesOf(rules);
  const keys = new Set(taxes.map((tax) => tax.settingKey));
  for (const entry of input.taxRates) {
    if (!keys.has(entry.settingKey)) throw new CoreError('invalid_message', `${rules.name} has no tax the store enters as ${entry.settingKey}.`);
  }
  for (const tax of taxes) {
    const entries = input.taxRates.filter((entry) => entry.settingKey === tax.settingKey);
    if (entries.length === 0) {
      throw new CoreError('invalid_message', `Enter the store's rate for ${tax.label} (0% if it does not apply here): sales cannot be taxed without it.`);
    }
    if (entries.length > 1) throw new CoreError('invalid_message', `Enter one rate for ${tax.label}; later rates are added in Settings › Store.`);
    const problem = rateProblem(tax, entries[0]!.ratePpm);
    if (problem) throw new CoreError('invalid_message', problem);
    if (!isRealDate(entries[0]!.from)) throw new CoreError('invalid_message', `${tax.label}: ${entries[0]!.from} is not a date (yyyy-mm-dd).`);
    const today = dateIn(now, input.timeZone);
    if (entries[0]!.from > today) {
      throw new CoreError('invalid_message', `${tax.label}: the first rate must apply from today (${today}) or earlier, or today's sales could not be taxed. Add later rates in Settings › Store.`);
    }
  }
  return { rules, taxes };
}
