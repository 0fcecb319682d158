/**
 * A scripted rush across an intake desk and three registers on a hub run as its own process
 * (./child-hub.ts), for the hub-killed and partition tests and the hub bench.
 */
import { DEMO_PINS } from '../../main/demo/seed.js';
import { newId } from '../../main/store/ids.js';
import type { ChildHub } from './child-hub.js';
import { compareSales, customerIdByName, HUB_SALES_SQL, localSaleIds, openQueue, ringAdultUse, synced, type Station } from './stations.js';

/**
 * The scripted rush for issue 15's partition figures (bench hub.partition_* and
 * hub.allotment_oversold_mg, and a smaller run in test/hub/stations-rush.test.ts).
 *
 * Three registers ring adult-use sales as fast as they can while the intake desk checks medical
 * patients in, visit after visit (the same few patients again and again); every register that
 * sees a visit in its queue tries to serve the patient and sell them three 28 g items (more than
 * their 2.5 oz allotment allows), so only the holder of the patient's grant may sell and only
 * within it. Part-way the links are cut (Register 2 black-holed, Register 3 reset), then the hub
 * is SIGKILLed, started again, and the links healed. Then, bounded:
 *   lostSales       sales on a register's SQLite that are not on the hub's PostgreSQL
 *   duplicateSales  sales on the hub more than once (rows by id, or sale.record commands applied)
 *   oversoldMg      per visit, what all registers together sold against it beyond the allotment
 *                   agreed at check-in (from each register's own allotment use rows), summed
 * The store's outage policy is "no medical sale without the hub" (Settings › Track & Trace):
 * under "sell and flag" a register cut off from the hub may sell to a patient nobody holds, and
 * such sales are flagged for a manager instead (stations-grants.test.ts).
 */
export interface RushResult {
  sold: number;
  medicalSold: number;
  medicalRefused: number;
  /** Adult-use sales refused (a product out of stock here): that product left the register's rotation. */
  adultRefused: number;
  visits: number;
  lostSales: number;
  duplicateSales: number;
  oversoldMg: number;
  flaggedOnHub: number;
  elapsedMs: number;
  events: string[];
}

/** Light adult-use products with the most stock in the demo store (a product whose stock runs out leaves the rotation). */
const RUSH_ADULT_CODES = ['0988', '0840', '0396', '0507', '0692', '0803', '0914', '0137', '0433', '0877', '0729', '0470', '0100', '1099', '1025'].map((tail) => `719422040550${tail}`);
/** 28 g items (Sour Diesel Medical, House Shake): three are more than a 2.5 oz allotment. */
const RUSH_MEDICAL_CODES = ['7194220405500359', '7194220405500322'];

export async function runRush(options: { hub: ChildHub; intake: Station; registers: Station[]; sales: number; timeoutMs: number }): Promise<RushResult> {
  const { hub, intake, registers, sales } = options;
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const events: string[] = [];
  const note = (text: string) => events.push(`${((Date.now() - started) / 1000).toFixed(1)} s, ${completed} sales: ${text}`);
  let completed = 0;
  let medicalSold = 0;
  let medicalRefused = 0;
  let adultRefused = 0;
  const agreed = new Map<string, Map<string, number>>();

  // The store sells medical only with the hub's grant (or the state's answer at hand).
  for (const station of registers) {
    await station.call('session.logout');
    await station.call('session.login', { pin: DEMO_PINS.manager });
    await station.call('compliance.traceDown.save', { commandId: newId(), allowed: false });
    await station.call('session.logout');
    await station.call('session.login', { pin: DEMO_PINS.budtender });
  }
  const adults = [['Olivia', 'Hart'], ['Marcus', 'Bell'], ['Dana', 'Kowalski']].map(([f, l]) => customerIdByName(intake, f!, l!));
  const patients = [['Samuel', 'Okafor'], ['Rosa', 'Delgado'], ['Walter', 'Briggs']].map(([f, l]) => customerIdByName(intake, f!, l!));
  const [r1, r2, r3] = registers as [Station, Station, Station];

  const plan: Array<{ at: number; what: string; act: () => void | Promise<void> }> = [
    {
      at: 0.25,
      what: 'links cut: Register 2 black-holed, Register 3 reset',
      act: () => {
        r2.proxy.set('blackhole');
        r3.proxy.set('reset');
      },
    },
    { at: 0.4, what: 'hub SIGKILLed', act: () => hub.kill() },
    { at: 0.55, what: 'hub started again on its folder', act: () => hub.restart() },
    {
      at: 0.7,
      what: 'links healed',
      act: () => {
        r2.proxy.set('pass');
        r2.proxy.resetOpen();
        r3.proxy.set('pass');
      },
    },
  ];
  // Phases: each fault waits until its share of the sales is rung AND two medical visits have been
  // through the phase before, so every phase has patients to get wrong. Adult sales pause at a
  // phase's share until the next fault is in place.
  let phase = 0;
  let visitsInPhase = 0;
  const share = (at: number) => Math.round(at * sales);
  const quota = () => (phase < plan.length ? share(plan[phase]!.at) : sales);
  const faults = (async () => {
    for (const step of plan) {
      while ((completed < share(step.at) || visitsInPhase < 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      note(step.what);
      await step.act();
      if (step.what.startsWith('hub started')) note('hub running again');
      phase += 1;
      visitsInPhase = 0;
    }
  })();

  const going = () => completed < sales && Date.now() < deadline;
  const adultLoop = async (station: Station, index: number) => {
    const codes = [...RUSH_ADULT_CODES];
    for (let i = 0; going(); i++) {
      // A sale every ~30 ms per register at most: the visits and the faults get their turn.
      await new Promise((r) => setTimeout(r, 30));
      if (completed >= quota()) continue;
      const code = codes[i % codes.length]!;
      const result = await ringAdultUse(station, adults[(index + i) % adults.length]!, code);
      if ('refused' in result) {
        // Out of stock, or a purchase limit: that product leaves this register's rotation.
        adultRefused += 1;
        codes.splice(codes.indexOf(code), 1);
        if (codes.length === 0) throw new Error(`${station.name} has nothing left to sell: ${result.refused}`);
      } else completed += 1;
    }
  };

  let medicalTry = 0;
  const attempt = async (station: Station, customerId: string, entryId: string): Promise<boolean> => {
    const commandId = newId();
    const code = RUSH_MEDICAL_CODES[medicalTry++ % RUSH_MEDICAL_CODES.length]!;
    const opened = await station.r.call('checkout.ticket.open', { saleCommandId: commandId, customerId, queueEntryId: entryId });
    if (!opened.ok) return false;
    const ticketId = (opened.value as { ticketId: string }).ticketId;
    const scanned = await station.r.call('checkout.ticket.scan', { ticketId, code });
    const change = scanned.ok ? (scanned.value as { ticket: { totals: { totalCents: number } }; refusal: unknown }) : null;
    let paid = false;
    if (change && change.refusal === null) {
      const done = await station.r.call('checkout.sale.complete', { commandId, ticketId, tenders: [{ kind: 'cash', amountCents: change.ticket.totals.totalCents }] });
      paid = done.ok;
    }
    if (!paid) await station.r.call('checkout.ticket.discard', { ticketId });
    return paid;
  };

  let visits = 0;
  const visitLoop = async () => {
    for (let v = 0; going(); v++) {
      const customerId = patients[v % patients.length]!;
      const prepared = await intake.r.call('queue.checkIn.prepare', { customerId, as: 'medical' });
      const entry = prepared.ok ? await intake.r.call('queue.checkIn', { commandId: newId(), customerId, as: 'medical', allotments: [] }) : prepared;
      if (!entry.ok) {
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      visits += 1;
      const entryId = (entry.value as { id: string }).id;
      const rows = intake.db.prepare('SELECT limit_id, amount FROM queue_allotments WHERE entry_id = ?').all(entryId) as Array<{ limit_id: string; amount: number }>;
      agreed.set(entryId, new Map(rows.map((row) => [row.limit_id, row.amount])));
      // Every register that sees the patient tries to serve them (bounded: a cut-off one never sees them).
      const seenBy = async (station: Station) => {
        const until = Date.now() + 5000;
        while (Date.now() < until && going()) {
          if (openQueue(station).some((row) => row.id === entryId)) return true;
          await new Promise((r) => setTimeout(r, 50));
        }
        return false;
      };
      const sellers = await Promise.all(
        registers.map(async (station) => {
          if (!(await seenBy(station))) return false;
          let sold = false;
          for (let i = 0; i < 3; i++) {
            if (await attempt(station, customerId, entryId)) {
              sold = true;
              medicalSold += 1;
              completed += 1;
            } else medicalRefused += 1;
          }
          return sold;
        }),
      );
      // The visit ends: the register that served them, and the intake desk, take them off the queue.
      for (const [index, sold] of sellers.entries()) if (sold) await registers[index]!.r.call('queue.remove', { commandId: newId(), entryId });
      await intake.r.call('queue.remove', { commandId: newId(), entryId });
      visitsInPhase += 1;
    }
  };

  await Promise.all([adultLoop(r1, 0), adultLoop(r2, 1), adultLoop(r3, 2), visitLoop()]);
  await faults;
  note('rush over; waiting for every station to push everything');
  for (const station of [intake, ...registers]) await synced(station, Math.max(30_000, deadline - Date.now()));
  note('every station synced');

  const mine = registers.flatMap((station) => localSaleIds(station));
  const onHub = await hub.query<{ id: string; n: number }>(HUB_SALES_SQL);
  const commands = await hub.query<{ sale_id: string; n: number }>("SELECT payload->>'saleId' AS sale_id, count(*)::int AS n FROM commands WHERE kind = 'sale.record' AND status = 'applied' GROUP BY 1");
  const compared = compareSales(mine, onHub);
  const duplicated = new Set([...compared.duplicates, ...commands.filter((row) => row.n > 1).map((row) => row.sale_id)]);
  let oversoldMg = 0;
  for (const [entryId, allowed] of agreed) {
    const sold = new Map<string, number>();
    for (const station of registers) {
      const rows = station.db
        .prepare(
          `SELECT u.limit_id, SUM(u.amount) AS amount FROM allotment_uses u JOIN sales s ON s.receipt_number = u.sale_no
            WHERE s.queue_entry_id = ? AND u.return_id IS NULL GROUP BY u.limit_id`,
        )
        .all(entryId) as Array<{ limit_id: string; amount: number }>;
      for (const row of rows) sold.set(row.limit_id, (sold.get(row.limit_id) ?? 0) + row.amount);
    }
    for (const [limitId, amount] of sold) oversoldMg += Math.max(0, amount - (allowed.get(limitId) ?? 0));
  }
  const flagged = await hub.query<{ n: number }>('SELECT count(*)::int AS n FROM sales WHERE flagged');
  return {
    sold: mine.length,
    medicalSold,
    medicalRefused,
    adultRefused,
    visits,
    lostSales: compared.lost.length,
    duplicateSales: duplicated.size,
    oversoldMg,
    flaggedOnHub: flagged[0]?.n ?? 0,
    elapsedMs: Date.now() - started,
    events,
  };
}
