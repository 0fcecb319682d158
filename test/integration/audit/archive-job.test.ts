/**
 * The audit archive job belongs to the core (main/audit/module.ts), not to the track-and-trace
 * sync worker: a store that reports to no track-and-trace system still moves its old audit events
 * to the archive on schedule. Time is the core's clock, moved by the test; the job runs through
 * its own entry point (what its timer calls), never by waiting.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../../main/audit/log.js';
import { auditArchiveJobs, auditArchiveOptions } from '../../../main/core/modules.js';
import { databaseFileIn } from '../../../main/store/db.js';
import { newId } from '../../../main/store/ids.js';
import { tempDir } from '../../support/paths.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';
import { value } from '../../support/answers.js';

const DAY = 86_400_000;
/** 2026-03-10 12:00 in California. */
const MARCH_10 = Date.UTC(2026, 2, 10, 20, 0);

let running: TestRegister | null = null;
let folder: { dir: string; cleanup: () => void } | null = null;
afterEach(async () => {
  await running?.close();
  running = null;
  folder?.cleanup();
  folder = null;
  delete auditArchiveOptions.batch;
});

const caStore = {
  store: { name: 'Sunset Greens', licenceNumber: 'C10-0000123-LIC', jurisdiction: 'CA', timeZone: 'America/Los_Angeles' },
  taxRates: [
    { settingKey: 'tax.rates.ca_sales_and_use', from: '2026-01-01', ratePpm: 92_500 },
    { settingKey: 'tax.rates.ca_local_cannabis', from: '2026-01-01', ratePpm: 50_000 },
  ],
  admin: { name: 'Olga Owner', pin: '4862' },
};

describe('the audit archive job', () => {
  it('runs on a core with no track-and-trace account: old events move to the archive in bounded batches, recent ones stay, the chain holds', async () => {
    let now = MARCH_10;
    folder = tempDir('register-audit-job-');
    auditArchiveOptions.batch = 3;
    running = await startTestRegister({ newStore: { kind: 'setup' }, clock: () => now }, folder.dir);
    const r = running;
    // No store yet: nothing runs.
    expect(auditArchiveJobs.get(r.dataDir)).toBeUndefined();
    await value(r.call('setup.createStore', { commandId: newId(), ...caStore }));
    expect(await value(r.call('app.status'))).toMatchObject({ state: 'ready', trace: { state: 'not_configured' } });
    for (let i = 0; i < 3; i++) {
      await value(r.call('session.lock'));
      await value(r.call('session.login', { pin: '4862' }));
    }

    // The core started the job with the store: its first run is a minute after the start.
    const job = auditArchiveJobs.get(r.dataDir);
    expect(job).toBeDefined();
    expect(job!.nextRunAt()).toBe(MARCH_10 + 60_000);

    const sqlite = new Database(databaseFileIn(r.dataDir), { readonly: true, fileMustExist: true });
    try {
      const count = (table: string) => (sqlite.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
      const before = count('audit_events');
      expect(before).toBeGreaterThan(6);
      // Not old enough yet: a run moves nothing.
      expect(job!.runNow()).toBe(0);
      expect(count('audit_events_archive')).toBe(0);

      // 91 days later, a new event (recent) joins the old ones.
      now = MARCH_10 + 91 * DAY;
      await value(r.call('session.lock'));
      let moved = 0;
      for (let run = 0; run < 100; run++) {
        const n = job!.runNow();
        expect(n).toBeLessThanOrEqual(3);
        if (n === 0) break;
        moved += n;
      }
      // Every event from March moved; the recent one stays in the hot table.
      expect(moved).toBe(before);
      expect(count('audit_events_archive')).toBe(before);
      const hot = sqlite.prepare('SELECT at, action FROM audit_events').all() as Array<{ at: number; action: string }>;
      expect(hot).toHaveLength(1);
      expect(hot[0]!.at).toBe(now);
      expect(verifyAuditChain(sqlite)).toEqual({ ok: true, checked: before + 1, firstBroken: null });
    } finally {
      sqlite.close();
    }

    // Closing the store stops the job.
    await r.close();
    running = null;
    expect(job!.nextRunAt()).toBeNull();
    expect(auditArchiveJobs.get(r.dataDir)).toBeUndefined();
  });
});
