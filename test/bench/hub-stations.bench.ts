/**
 * Store hub figures with real stations (issue 15): a real hub on a real PostgreSQL, an intake desk
 * and a register core, each on its own SQLite file and its own link (fault proxy, passing).
 *   hub.queue_propagation_p95_ms   a check-in at intake until the entry is in the register's own
 *                                  database (push, doorbell, pull, apply): p95 of 20. Reference: the
 *                                  check-in call at intake alone.
 * The partition and allotment figures are not measured yet (see the note printed with them).
 */
import { performance } from 'node:perf_hooks';
import { newId } from '../../main/store/ids.js';
import { startTestHub } from '../support/hub-server.js';
import { customerIdByName, fastSync, makeTemplate, openQueue, startStation, stopHub, synced, until } from '../support/stations.js';
import { notMeasured, percentile, type BenchLine, type BenchSuite } from './harness.js';

const SAMPLES = 20;

async function propagation(): Promise<BenchLine[]> {
  fastSync();
  const hub = await startTestHub();
  const template = await makeTemplate();
  const intake = await startStation(hub.hub, template, 'Intake', 'intake');
  const register = await startStation(hub.hub, template, 'Register 1', 'register');
  try {
    await synced(intake, 120_000);
    await synced(register, 120_000);
    const customers = ['Olivia Hart', 'Marcus Bell', 'Dana Kowalski'].map((name) => customerIdByName(intake, name.split(' ')[0]!, name.split(' ')[1]!));
    const seen: number[] = [];
    const local: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const customerId = customers[i % customers.length]!;
      const started = performance.now();
      const entry = await intake.call<{ id: string }>('queue.checkIn', { commandId: newId(), customerId, as: 'adult_use', allotments: [] });
      local.push(performance.now() - started);
      await until('the register shows the check-in', () => openQueue(register).some((row) => row.id === entry.id), 10_000);
      seen.push(performance.now() - started);
      await intake.call('queue.remove', { commandId: newId(), entryId: entry.id });
      await until('the register no longer shows it', () => !openQueue(register).some((row) => row.id === entry.id), 10_000);
    }
    return [
      {
        name: 'hub.queue_propagation_p95_ms',
        value: Math.round(percentile(seen, 95)),
        target: '< 250',
        note: `reference: the check-in at intake alone p95 ${Math.round(percentile(local, 95))} ms; ${SAMPLES} check-ins, polled every 20 ms`,
      },
    ];
  } finally {
    await intake.stop();
    await register.stop();
    await stopHub(hub);
    template.cleanup();
  }
}

export const suites: BenchSuite[] = [
  {
    prefix: 'hub',
    async run() {
      return [
        ...(await propagation()),
        notMeasured('hub.partition_lost_sales', '0', 'not scripted yet: the 500-sale rush across 3 registers with the hub killed; the grants test covers one sale cut off'),
        notMeasured('hub.partition_duplicate_sales', '0', 'not scripted yet (see hub.partition_lost_sales)'),
        notMeasured('hub.allotment_oversold_mg', '0', 'not scripted yet: test/hub/stations-grants.test.ts checks used <= granted for one patient'),
      ];
    },
  },
];
