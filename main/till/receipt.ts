/**
 * A sale's receipt as a ReceiptDoc, read from the sale's own rows: store name and licence, sale
 * number and time in store time, each item with quantity, price and weight, its discount and its
 * taxes by line, totals with each tax apart (excise separately from sales tax), tenders and change,
 * the medical patient's and caregiver's licence numbers on a medical sale, points, and a barcode of
 * the sale number for returns.
 */
import { formatRatePercent } from '../../preload/contract/rates.js';
import type Database from 'better-sqlite3';
import { cachedStatement } from '../store/statements.js';
import type { ReceiptBlock, ReceiptDoc } from './doc.js';
import { money, storeTime, tenderName, weight } from './format.js';

interface SaleRow {
  receiptNumber: number;
  status: string;
  channel: 'medical' | 'adult_use';
  completedAt: number;
  customerId: string;
  patientName: string | null;
  patientLicence: string | null;
  caregiverLicence: string | null;
  grossCents: number;
  discountCents: number;
  netCents: number;
  taxCents: number;
  totalCents: number;
  changeCents: number;
  employeeName: string;
}

function setting(sqlite: Database.Database, key: string): string | null {
  const row = cachedStatement(sqlite, 'SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
  if (!row) return null;
  try {
    const value: unknown = JSON.parse(row.value);
    return typeof value === 'string' && value.trim() ? value : null;
  } catch {
    return null;
  }
}

export function storeTimeZone(sqlite: Database.Database): string {
  return setting(sqlite, 'store.timeZone') ?? 'America/Chicago';
}

/** The store's header: name, licence number and address when Settings has them. */
export function storeHeader(sqlite: Database.Database): ReceiptBlock[] {
  const blocks: ReceiptBlock[] = [{ kind: 'title', text: setting(sqlite, 'store.name') ?? 'Dispensary' }];
  const address = setting(sqlite, 'store.address');
  if (address) for (const line of address.split('\n')) blocks.push({ kind: 'center', text: line });
  const licence = setting(sqlite, 'store.licence');
  if (licence) blocks.push({ kind: 'center', text: `Licence ${licence}` });
  return blocks;
}

/** The sale number as printed and as its barcode (returns scan it). */
export function saleBarcode(receiptNumber: number): string {
  return `S${String(receiptNumber).padStart(6, '0')}`;
}

export function buildReceipt(sqlite: Database.Database, saleId: string, options: { reprint?: boolean } = {}): ReceiptDoc | null {
  const sale = cachedStatement(
    sqlite,
    `SELECT s.receipt_number AS receiptNumber, s.status, s.channel, s.completed_at AS completedAt, s.customer_id AS customerId,
            s.patient_name AS patientName, s.patient_licence AS patientLicence, s.caregiver_licence AS caregiverLicence,
            s.gross_cents AS grossCents, s.discount_cents AS discountCents, s.net_cents AS netCents, s.tax_cents AS taxCents,
            s.total_cents AS totalCents, s.change_cents AS changeCents, e.name AS employeeName
       FROM sales s JOIN employees e ON e.id = s.employee_id WHERE s.id = ?`,
  ).get(saleId) as SaleRow | undefined;
  if (!sale) return null;
  const lines = cachedStatement(
    sqlite,
    `SELECT l.id, v.name, l.quantity, v.unit_price_cents AS unitPriceCents, p.unit_weight_mg AS unitWeightMg, l.gross_cents AS grossCents,
            l.group_discount_cents + l.line_discount_cents + l.rewards_discount_cents AS discountCents
       FROM sale_lines l JOIN product_versions v ON v.id = l.product_version_id JOIN products p ON p.id = v.product_id
      WHERE l.sale_no = ? ORDER BY l.line_no`,
  ).all(sale.receiptNumber) as Array<{ id: number; name: string; quantity: number; unitPriceCents: number; unitWeightMg: number; grossCents: number; discountCents: number }>;
  const taxes = cachedStatement(
    sqlite,
    `SELECT t.sale_line_id AS lineId, r.label, r.rate_ppm AS ratePpm, t.tax_cents AS cents
       FROM sale_lines l JOIN sale_taxes t ON t.sale_line_id = l.id JOIN tax_rates r ON r.id = t.rate_id WHERE l.sale_no = ? ORDER BY l.line_no, t.position`,
  ).all(sale.receiptNumber) as Array<{ lineId: number; label: string; ratePpm: number; cents: number }>;
  const tenders = cachedStatement(
    sqlite,
    'SELECT kind, tendered_cents AS tenderedCents, applied_cents AS appliedCents FROM sale_tenders WHERE sale_no = ? ORDER BY position',
  ).all(sale.receiptNumber) as Array<{ kind: string; tenderedCents: number; appliedCents: number }>;
  const points = cachedStatement(sqlite, `SELECT kind, points FROM rewards_ledger WHERE sale_id = ? AND kind IN ('earn', 'redeem')`).all(saleId) as Array<{
    kind: 'earn' | 'redeem';
    points: number;
  }>;
  const balance = cachedStatement(sqlite, 'SELECT points FROM rewards_balances WHERE customer_id = ?').get(sale.customerId) as { points: number } | undefined;

  const blocks: ReceiptBlock[] = storeHeader(sqlite);
  if (options.reprint) blocks.push({ kind: 'center', text: '*** REPRINT ***', bold: true });
  if (sale.status === 'voided') blocks.push({ kind: 'center', text: '*** VOIDED ***', bold: true });
  blocks.push(
    { kind: 'rule' },
    { kind: 'pair', left: `Sale ${sale.receiptNumber}`, right: storeTime(sale.completedAt, storeTimeZone(sqlite)) },
    { kind: 'text', text: `Served by ${sale.employeeName}` },
  );
  if (sale.channel === 'medical') {
    blocks.push({ kind: 'text', text: 'Medical sale' });
    if (sale.caregiverLicence) blocks.push({ kind: 'text', text: `Caregiver licence: ${sale.caregiverLicence}` });
    if (sale.patientName && sale.caregiverLicence) blocks.push({ kind: 'text', text: `Patient: ${sale.patientName}` });
    if (sale.patientLicence) blocks.push({ kind: 'text', text: `Patient licence: ${sale.patientLicence}` });
  }
  blocks.push({ kind: 'rule' });
  for (const line of lines) {
    blocks.push({ kind: 'pair', left: line.name, right: money(line.grossCents) });
    blocks.push({ kind: 'text', text: `  ${line.quantity} x ${money(line.unitPriceCents)}   ${weight(line.unitWeightMg * line.quantity)}` });
    if (line.discountCents > 0) blocks.push({ kind: 'pair', left: '  Discount', right: money(-line.discountCents) });
    for (const tax of taxes.filter((entry) => entry.lineId === line.id)) {
      blocks.push({ kind: 'pair', left: `  ${formatRatePercent(tax.ratePpm)} ${tax.label}`, right: money(tax.cents) });
    }
  }
  blocks.push({ kind: 'rule' }, { kind: 'pair', left: 'Subtotal', right: money(sale.grossCents) });
  if (sale.discountCents > 0) blocks.push({ kind: 'pair', left: 'Discounts', right: money(-sale.discountCents) });
  const byLabel = new Map<string, number>();
  for (const tax of taxes) byLabel.set(tax.label, (byLabel.get(tax.label) ?? 0) + tax.cents);
  for (const [label, cents] of byLabel) blocks.push({ kind: 'pair', left: label, right: money(cents) });
  blocks.push({ kind: 'pair', left: 'TOTAL', right: money(sale.totalCents), bold: true });
  for (const tender of tenders) blocks.push({ kind: 'pair', left: tenderName(tender.kind), right: money(tender.tenderedCents) });
  if (sale.changeCents > 0) blocks.push({ kind: 'pair', left: 'Change', right: money(sale.changeCents) });
  const earned = points.find((entry) => entry.kind === 'earn')?.points ?? 0;
  const redeemed = points.find((entry) => entry.kind === 'redeem')?.points ?? 0;
  if (earned !== 0 || redeemed !== 0 || (balance && balance.points !== 0)) {
    blocks.push({ kind: 'rule' });
    if (redeemed !== 0) blocks.push({ kind: 'pair', left: 'Points used', right: String(-redeemed) });
    if (earned !== 0) blocks.push({ kind: 'pair', left: 'Points earned', right: String(earned) });
    if (balance) blocks.push({ kind: 'pair', left: 'Points balance', right: String(balance.points) });
  }
  blocks.push({ kind: 'feed', lines: 1 }, { kind: 'barcode', value: saleBarcode(sale.receiptNumber) }, { kind: 'center', text: 'Thank you' });
  return { blocks };
}
