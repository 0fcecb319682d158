/**
 * Reading Metrc's answers (metrc/client.ts sends the calls): an HTTP result read once, the write
 * outcome it means, receipts and packages as the register keeps them, and Metrc's own message.
 */
import type { ReconcileOutcome, RemoteSale, TraceLine, TracePackage, WriteOutcome } from '../provider.js';
import type { MetrcResponse } from './http.js';
import { fromFacilityTime } from '../wall-clock.js';

export type MetrcCall = Call;
export type Call = { kind: 'answer'; status: number; json: unknown; text: string; html: boolean; retryAfterMs: number | null } | { kind: 'not_sent'; reason: string } | { kind: 'unknown'; reason: string };

export interface MetrcReceipt {
  Id: number;
  ExternalReceiptNumber: string | null;
  SalesDateTime: string;
  SalesCustomerType: string;
  PatientLicenseNumber: string | null;
  CaregiverLicenseNumber: string | null;
  IdentificationMethod: string | null;
  Transactions: Array<{ PackageLabel: string; Quantity: number; UnitOfMeasure: string; TotalAmount: number }>;
  IsFinal: boolean;
  ArchivedDate: string | null;
}

/** An HTTP result read once: JSON when it is JSON, HTML pages told apart. */
export function readCall(result: MetrcResponse): MetrcCall {
  if (result.kind !== 'response') return result;
  const html = /html/i.test(result.contentType) || /^\s*<(!doctype|html|head|body)/i.test(result.body);
  let json: unknown = undefined;
  if (!html && result.body.trim()) {
    try {
      json = JSON.parse(result.body);
    } catch {
      json = undefined;
    }
  }
  return { kind: 'answer', status: result.status, json, text: result.body, html, retryAfterMs: result.retryAfterMs };
}

/** What a write's HTTP answer means, or null for a 2xx the caller reads itself. */
export function writeOutcomeOf(call: MetrcCall): WriteOutcome | null {
  if (call.kind === 'not_sent') return { kind: 'not_sent', reason: call.reason };
  if (call.kind === 'unknown') return { kind: 'unknown', reason: call.reason };
  if (call.status >= 200 && call.status < 300) return null;
  if (call.status === 401 || call.status === 403) return { kind: 'auth_failed', message: `Metrc refused the credentials: ${metrcMessage(call)}` };
  if (call.status === 429) return { kind: 'not_sent', reason: 'Metrc asked the register to slow down', retryAfterMs: call.retryAfterMs ?? 1_000 };
  if (call.status === 413) return { kind: 'rejected', code: '413', message: `Metrc refused the request as too large: ${metrcMessage(call)}` };
  if (call.status === 400) return { kind: 'rejected', code: '400', message: metrcMessage(call) };
  // 404/405: the address does not lead to Metrc's receipts: nothing was applied.
  if (call.status === 404 || call.status === 405) return { kind: 'not_sent', reason: `Metrc has no such address (HTTP ${call.status}): check the Metrc address in Settings › Track & Trace` };
  return { kind: 'unknown', reason: `Metrc system error (HTTP ${call.status})` };
}

export function pick(receipts: MetrcReceipt[], how: string): ReconcileOutcome {
  const live = receipts.filter((r) => !r.ArchivedDate);
  const chosen = live.length > 0 ? live : receipts;
  if (chosen.length === 1) return { kind: 'found', remoteTxnId: String(chosen[0]!.Id), how };
  return { kind: 'ambiguous', candidates: chosen.map((receipt) => remoteSale(receipt, 'UTC')), how };
}

export function undecided(outcome: WriteOutcome): ReconcileOutcome {
  if (outcome.kind === 'auth_failed') return { kind: 'undecided', reason: outcome.message, authFailed: true };
  if (outcome.kind === 'not_sent') return { kind: 'undecided', reason: outcome.reason, retryAfterMs: outcome.retryAfterMs };
  return { kind: 'undecided', reason: outcome.kind === 'rejected' ? outcome.message : outcome.kind === 'unknown' ? outcome.reason : 'unexpected answer' };
}

export function readReceipt(value: unknown): MetrcReceipt | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const row = value as Record<string, unknown>;
  if (typeof row.Id !== 'number') return null;
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    Id: row.Id,
    ExternalReceiptNumber: text(row.ExternalReceiptNumber),
    SalesDateTime: text(row.SalesDateTime) ?? '',
    SalesCustomerType: text(row.SalesCustomerType) ?? '',
    PatientLicenseNumber: text(row.PatientLicenseNumber),
    CaregiverLicenseNumber: text(row.CaregiverLicenseNumber),
    IdentificationMethod: text(row.IdentificationMethod),
    Transactions: (Array.isArray(row.Transactions) ? row.Transactions : []).map((t) => {
      const item = (t ?? {}) as Record<string, unknown>;
      return { PackageLabel: String(item.PackageLabel ?? ''), Quantity: Number(item.Quantity), UnitOfMeasure: String(item.UnitOfMeasure ?? ''), TotalAmount: Number(item.TotalAmount) };
    }),
    IsFinal: row.IsFinal === true,
    ArchivedDate: text(row.ArchivedDate),
  };
}

export function remoteSale(receipt: MetrcReceipt, timeZone: string): RemoteSale {
  return {
    remoteTxnId: String(receipt.Id),
    terminalId: null,
    time: fromFacilityTime(receipt.SalesDateTime, timeZone),
    cardId: receipt.PatientLicenseNumber,
    deleted: !!receipt.ArchivedDate,
    originalRemoteTxnId: null,
    refund: false,
    lines: receipt.Transactions.map((t) => ({ barcode: t.PackageLabel, quantity: t.Quantity, unitPriceCents: t.Quantity > 0 ? Math.round((t.TotalAmount * 100) / t.Quantity) : 0 })),
  };
}

/** Quantity per label on the receipt ≤ what stays sold per label (all refunds only take away). */
export function atOrBelow(receipt: MetrcReceipt, remaining: TraceLine[]): boolean {
  const allowed = new Map<string, number>();
  for (const line of remaining) allowed.set(line.barcode, (allowed.get(line.barcode) ?? 0) + line.quantity);
  const listed = new Map<string, number>();
  for (const t of receipt.Transactions) listed.set(t.PackageLabel, (listed.get(t.PackageLabel) ?? 0) + t.Quantity);
  for (const [label, quantity] of listed) if (quantity > (allowed.get(label) ?? 0) + 1e-9) return false;
  return true;
}

/** The receipt's lines less a refund's (only for a refund queued without what stays sold). */
export function subtract(receipt: MetrcReceipt, lines: TraceLine[]): TraceLine[] {
  const left = receipt.Transactions.map((t) => ({ barcode: t.PackageLabel, quantity: t.Quantity, unitPriceCents: t.Quantity > 0 ? Math.round((t.TotalAmount * 100) / t.Quantity) : 0 }));
  for (const line of lines) {
    const match = left.find((l) => l.barcode === line.barcode && l.quantity > 0);
    if (match) match.quantity = Math.max(0, match.quantity - line.quantity);
  }
  return left.filter((line) => line.quantity > 0);
}

/** Metrc's message from a 4xx: `[{row, message}]`, `{Message}`, or the text of an HTML page. */
export function metrcMessage(call: { json: unknown; text: string; html: boolean; status: number }): string {
  const json = call.json;
  if (Array.isArray(json)) {
    const messages = json.map((item) => (item && typeof item === 'object' ? (item as Record<string, unknown>).message ?? (item as Record<string, unknown>).Message : null)).filter((m): m is string => typeof m === 'string' && !!m.trim());
    if (messages.length > 0) return messages.join(' ');
  } else if (json && typeof json === 'object') {
    const message = (json as Record<string, unknown>).Message ?? (json as Record<string, unknown>).message;
    if (typeof message === 'string' && message.trim()) return message.trim();
  }
  const text = call.text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
  return text ? text.slice(0, 200) : `HTTP ${call.status} without a reason`;
}


export function ounces(value: number): string {
  return String(Math.round(value * 10_000) / 10_000);
}

export function flatten(record: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, typeof value === 'object' ? JSON.stringify(value) : String(value)]));
}

/** A store with more active packages than this many pages (20 each) lists only the first ones. */
export const MAX_PACKAGE_PAGES = 250;

const GRAMS_PER_OUNCE = 28.349523125;

/** Metrc's item categories (their words vary by state) onto the register's, by the words they use. */
const CATEGORY_WORDS: Array<[RegExp, string]> = [
  [/pre-?roll|preroll|infused pre/i, 'pre_roll'],
  [/vape|cartridge|cart\b|pen/i, 'vape'],
  [/concentrate|extract|wax|shatter|rosin|resin|kief|hash/i, 'concentrate'],
  [/beverage|drink/i, 'beverage'],
  [/edible|gumm|chocolate|candy/i, 'edible'],
  [/tincture/i, 'tincture'],
  [/capsule|tablet/i, 'capsule'],
  [/topical|lotion|balm/i, 'topical'],
  [/clone|immature|seed/i, 'plant_immature'],
  [/flower|bud|shake|trim/i, 'flower'],
];

/** One row of /packages/v2/active, or null when it has no label. */
export function readPackage(row: unknown): TracePackage | null {
  if (!row || typeof row !== 'object') return null;
  const item = row as Record<string, unknown>;
  const label = typeof item.Label === 'string' && item.Label.trim() !== '' ? item.Label.trim() : null;
  if (!label) return null;
  const details = (item.Item && typeof item.Item === 'object' ? item.Item : {}) as Record<string, unknown>;
  const category = typeof details.ProductCategoryName === 'string' ? details.ProductCategoryName : 'Unknown';
  const weight = Number(details.UnitWeight);
  const unit = typeof details.UnitWeightUnitOfMeasureName === 'string' ? details.UnitWeightUnitOfMeasureName.toLowerCase() : '';
  const grams = !Number.isFinite(weight) || weight <= 0 ? null : unit.startsWith('ounce') ? weight * GRAMS_PER_OUNCE : unit.startsWith('gram') ? weight : unit.startsWith('milligram') ? weight / 1000 : null;
  const quantity = Number(item.Quantity);
  return {
    label,
    name: typeof details.Name === 'string' ? details.Name : null,
    stateCategory: category,
    suggestedCategory: CATEGORY_WORDS.find(([words]) => words.test(category))?.[1] ?? null,
    quantity: Number.isFinite(quantity) ? quantity : 0,
    usableWeightMg: grams === null ? null : Math.round(grams * 1000),
    medical: null,
  };
}
