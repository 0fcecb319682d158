/**
 * X and Z reports for a business day (the store's time zone, its day-end hour): sales, returns and
 * voids, totals by tender, taxes by kind, medical vs adult use, discounts, points, each drawer's
 * cash (and, on a Z, its count and over/short), cash taken with no drawer open, and track-and-trace
 * sync: sales not yet posted. An X is a snapshot (nothing resets, no counts); a Z is made once per
 * business date, stored, and only reprinted afterwards.
 */
import type Database from 'better-sqlite3';
import type { TillReport } from '../../preload/contract/till.js';
import { businessDayBounds } from './business-day.js';
import type { ReceiptBlock, ReceiptDoc } from './doc.js';
import { totalsOf, type MovementKind } from './drawer.js';
import { money, storeTime, tenderName } from './format.js';
import { storeHeader, storeTimeZone } from './receipt.js';

export function buildReport(sqlite: Database.Database, kind: 'x' | 'z', businessDate: string, dayEndHour: number, now: number): TillReport {
  const timeZone = storeTimeZone(sqlite);
  const { start, end } = businessDayBounds(businessDate, timeZone, dayEndHour);
  const inDay = 'completed_at >= ? AND completed_at < ?';
  const sales = sqlite
    .prepare(
      `SELECT COUNT(*) AS count, COALESCE(SUM(gross_cents), 0) AS grossCents, COALESCE(SUM(discount_cents), 0) AS discountCents,
              COALESCE(SUM(net_cents), 0) AS netCents, COALESCE(SUM(tax_cents), 0) AS taxCents, COALESCE(SUM(total_cents), 0) AS totalCents
         FROM sales WHERE ${inDay}`,
    )
    .get(start, end) as TillReport['sales'];
  const byChannel = sqlite
    .prepare(`SELECT channel, COUNT(*) AS count, SUM(total_cents) AS totalCents FROM sales WHERE ${inDay} GROUP BY channel ORDER BY channel DESC`)
    .all(start, end) as TillReport['byChannel'];
  const taxes = sqlite
    .prepare(
      `SELECT r.kind, r.label, SUM(t.tax_cents) AS cents
         FROM sales s JOIN sale_lines l ON l.sale_no = s.receipt_number JOIN sale_taxes t ON t.sale_line_id = l.id JOIN tax_rates r ON r.id = t.rate_id
        WHERE s.completed_at >= ? AND s.completed_at < ?
        GROUP BY r.kind, r.label ORDER BY MIN(r.id)`,
    )
    .all(start, end) as TillReport['taxes'];
  const tenderSales = sqlite
    .prepare(
      `SELECT t.kind, SUM(t.applied_cents) AS cents FROM sales s JOIN sale_tenders t ON t.sale_no = s.receipt_number
        WHERE s.completed_at >= ? AND s.completed_at < ? GROUP BY t.kind`,
    )
    .all(start, end) as Array<{ kind: string; cents: number }>;
  const returns = sqlite
    .prepare(
      `SELECT kind, COUNT(*) AS count, SUM(refund_cents) AS refundCents, SUM(tax_cents) AS taxCents FROM sale_returns WHERE at >= ? AND at < ? GROUP BY kind ORDER BY kind`,
    )
    .all(start, end) as TillReport['returns'];
  const refundsByTender = sqlite
    .prepare(`SELECT refund_tender AS kind, SUM(refund_cents) AS cents FROM sale_returns WHERE at >= ? AND at < ? GROUP BY refund_tender`)
    .all(start, end) as Array<{ kind: string; cents: number }>;
  const tenderKinds = [...new Set([...tenderSales.map((t) => t.kind), ...refundsByTender.map((t) => t.kind)])].sort();
  const tenders = tenderKinds.map((tender) => {
    const salesCents = tenderSales.find((t) => t.kind === tender)?.cents ?? 0;
    const refundCents = refundsByTender.find((t) => t.kind === tender)?.cents ?? 0;
    return { kind: tender, salesCents, refundCents, netCents: salesCents - refundCents };
  });
  const points = sqlite
    .prepare(
      `SELECT COALESCE(SUM(CASE WHEN kind = 'earn' THEN points END), 0) AS earned, COALESCE(-SUM(CASE WHEN kind = 'redeem' THEN points END), 0) AS redeemed,
              COALESCE(-SUM(CASE WHEN kind = 'reverse' THEN points END), 0) AS reversed
         FROM rewards_ledger WHERE at >= ? AND at < ?`,
    )
    .get(start, end) as TillReport['points'];
  // Drawers: every session opened in the day (and one still open from before it).
  const sessionRows = sqlite
    .prepare(
      `SELECT s.id, s.drawer_id AS drawerId, s.status, e.name AS openedByName, s.opened_at AS openedAt, s.closed_at AS closedAt,
              s.counted_cents AS countedCents, s.over_short_cents AS overShortCents
         FROM drawer_sessions s JOIN employees e ON e.id = s.opened_by
        WHERE (s.opened_at >= ? AND s.opened_at < ?) OR (s.status = 'open' AND s.opened_at < ?) ORDER BY s.opened_at`,
    )
    .all(start, end, start) as Array<{ id: string; drawerId: string; status: 'open' | 'closed'; openedByName: string; openedAt: number; closedAt: number | null; countedCents: number | null; overShortCents: number | null }>;
  const movementsOf = sqlite.prepare('SELECT kind, amount_cents AS amountCents FROM cash_movements WHERE session_id = ?');
  const drawers = sessionRows.map((row) => ({
    ...row,
    totals: totalsOf(movementsOf.all(row.id) as Array<{ kind: MovementKind; amountCents: number }>),
    // An X report shows no counts: it is taken mid-shift.
    countedCents: kind === 'z' ? row.countedCents : null,
    overShortCents: kind === 'z' ? row.overShortCents : null,
  }));
  const unassigned = sqlite.prepare(`SELECT COALESCE(SUM(amount_cents), 0) AS cents FROM cash_movements WHERE session_id IS NULL AND at >= ? AND at < ? AND kind IN ('sale', 'refund')`).get(start, end) as {
    cents: number;
  };
  const unposted = sqlite
    .prepare(
      `SELECT COUNT(*) AS n FROM sales s JOIN trace_outbox o ON o.id = s.trace_outbox_id
        WHERE s.completed_at >= ? AND s.completed_at < ? AND o.state NOT IN ('acknowledged', 'dismissed')`,
    )
    .get(start, end) as { n: number };
  return {
    kind,
    businessDate,
    timeZone,
    from: start,
    to: end,
    madeAt: now,
    zNo: null,
    sales,
    byChannel,
    taxes,
    tenders,
    returns,
    points,
    drawers,
    cashWithoutDrawerCents: unassigned.cents,
    traceUnposted: unposted.n,
  };
}

/** The report as a document for the receipt printer (and, line by line, for the PDF). */
export function reportDoc(sqlite: Database.Database, report: TillReport): ReceiptDoc {
  const at = (ms: number) => storeTime(ms, report.timeZone);
  const pair = (left: string, right: string, bold = false): ReceiptBlock => ({ kind: 'pair', left, right, bold });
  const blocks: ReceiptBlock[] = [
    ...storeHeader(sqlite),
    { kind: 'rule' },
    { kind: 'center', text: report.kind === 'z' ? `Z REPORT${report.zNo ? ` No. ${report.zNo}` : ''} (end of day)` : 'X REPORT (mid-shift)', bold: true },
    pair('Business date', report.businessDate),
    pair('From', at(report.from)),
    pair('To', at(report.to)),
    pair('Made', at(report.madeAt)),
    { kind: 'rule' },
    { kind: 'text', text: 'SALES', bold: true },
    pair('Sales', String(report.sales.count)),
    pair('Gross', money(report.sales.grossCents)),
    pair('Discounts', money(-report.sales.discountCents)),
    pair('Net', money(report.sales.netCents)),
    pair('Tax', money(report.sales.taxCents)),
    pair('Total', money(report.sales.totalCents), true),
  ];
  for (const channel of report.byChannel) blocks.push(pair(`${channel.channel === 'medical' ? 'Medical' : 'Adult use'} (${channel.count})`, money(channel.totalCents)));
  blocks.push({ kind: 'rule' }, { kind: 'text', text: 'TAXES', bold: true });
  for (const tax of report.taxes) blocks.push(pair(tax.label, money(tax.cents)));
  blocks.push({ kind: 'rule' }, { kind: 'text', text: 'RETURNS AND VOIDS', bold: true });
  if (report.returns.length === 0) blocks.push({ kind: 'text', text: 'None' });
  for (const entry of report.returns) blocks.push(pair(`${entry.kind === 'void' ? 'Voids' : 'Returns'} (${entry.count})`, money(-entry.refundCents)));
  blocks.push({ kind: 'rule' }, { kind: 'text', text: 'TENDERS', bold: true });
  for (const tender of report.tenders) {
    blocks.push(pair(tenderName(tender.kind), money(tender.netCents)));
    if (tender.refundCents) blocks.push(pair('  refunded', money(-tender.refundCents)));
  }
  blocks.push({ kind: 'rule' }, { kind: 'text', text: 'POINTS', bold: true }, pair('Earned', String(report.points.earned)), pair('Redeemed', String(report.points.redeemed)));
  if (report.points.reversed) blocks.push(pair('Taken back', String(report.points.reversed)));
  for (const drawer of report.drawers) {
    const t = drawer.totals;
    blocks.push(
      { kind: 'rule' },
      { kind: 'text', text: `DRAWER ${drawer.drawerId}`, bold: true },
      pair('Opened', `${at(drawer.openedAt)} ${drawer.openedByName}`),
      pair('Closed', drawer.closedAt ? at(drawer.closedAt) : 'still open'),
      pair('Float', money(t.floatCents)),
      pair('Cash sales', money(t.cashSalesCents)),
      pair('Cash refunds', money(-t.cashRefundsCents)),
      pair('Drops', money(-t.dropsCents)),
      pair('Pick-ups', money(-t.pickupsCents)),
      pair('Paid in', money(t.paidInCents)),
      pair('Paid out', money(-t.paidOutCents)),
      pair('No sale opens', String(t.noSales)),
      pair('Expected cash', money(t.expectedCents), true),
    );
    if (report.kind === 'z' && drawer.countedCents !== null) {
      blocks.push(pair('Counted', money(drawer.countedCents)));
      const overShort = drawer.overShortCents ?? 0;
      blocks.push(pair(overShort > 0 ? 'Over' : overShort < 0 ? 'Short' : 'Over/short', money(Math.abs(overShort)), true));
    }
  }
  if (report.cashWithoutDrawerCents !== 0) blocks.push({ kind: 'rule' }, pair('Cash with no drawer open', money(report.cashWithoutDrawerCents), true));
  blocks.push(
    { kind: 'rule' },
    { kind: 'text', text: 'TRACK AND TRACE', bold: true },
    report.traceUnposted === 0 ? { kind: 'text', text: 'Every sale is posted.' } : pair('Sales not yet posted', String(report.traceUnposted), true),
  );
  return { blocks };
}

/** The report as CSV: section, item, value (cents as dollars with two decimals). */
export function reportCsv(report: TillReport): string {
  const rows: Array<[string, string, string]> = [];
  const dollars = (cents: number) => (cents / 100).toFixed(2);
  rows.push(['report', 'kind', report.kind.toUpperCase()], ['report', 'business_date', report.businessDate], ['report', 'time_zone', report.timeZone]);
  if (report.zNo) rows.push(['report', 'z_number', String(report.zNo)]);
  rows.push(
    ['sales', 'count', String(report.sales.count)],
    ['sales', 'gross', dollars(report.sales.grossCents)],
    ['sales', 'discounts', dollars(report.sales.discountCents)],
    ['sales', 'net', dollars(report.sales.netCents)],
    ['sales', 'tax', dollars(report.sales.taxCents)],
    ['sales', 'total', dollars(report.sales.totalCents)],
  );
  for (const c of report.byChannel) rows.push([`channel_${c.channel}`, 'count', String(c.count)], [`channel_${c.channel}`, 'total', dollars(c.totalCents)]);
  for (const t of report.taxes) rows.push(['tax', `${t.kind}: ${t.label}`, dollars(t.cents)]);
  for (const r of report.returns) rows.push([r.kind, 'count', String(r.count)], [r.kind, 'refunded', dollars(r.refundCents)]);
  for (const t of report.tenders) rows.push(['tender', t.kind, dollars(t.netCents)]);
  rows.push(['points', 'earned', String(report.points.earned)], ['points', 'redeemed', String(report.points.redeemed)]);
  for (const d of report.drawers) {
    const section = `drawer ${d.drawerId} ${new Date(d.openedAt).toISOString()}`;
    rows.push([section, 'float', dollars(d.totals.floatCents)], [section, 'cash_sales', dollars(d.totals.cashSalesCents)], [section, 'cash_refunds', dollars(d.totals.cashRefundsCents)]);
    rows.push([section, 'drops', dollars(d.totals.dropsCents)], [section, 'pickups', dollars(d.totals.pickupsCents)], [section, 'paid_in', dollars(d.totals.paidInCents)]);
    rows.push([section, 'paid_out', dollars(d.totals.paidOutCents)], [section, 'expected', dollars(d.totals.expectedCents)]);
    if (d.countedCents !== null) rows.push([section, 'counted', dollars(d.countedCents)], [section, 'over_short', dollars(d.overShortCents ?? 0)]);
  }
  rows.push(['cash', 'without_drawer', dollars(report.cashWithoutDrawerCents)], ['trace', 'sales_not_posted', String(report.traceUnposted)]);
  const cell = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  return ['section,item,value', ...rows.map((row) => row.map(cell).join(','))].join('\r\n') + '\r\n';
}
