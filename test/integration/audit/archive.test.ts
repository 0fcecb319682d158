/**
 * Old audit events move to audit_events_archive (main/audit/archive.ts, drizzle/0026) without
 * breaking the hash chain: audit:verify walks the archive, then the hot table, as one chain.
 */
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { archiveAuditEvents } from '../../../main/audit/archive.js';
import { appendAudit, verifyAuditChain } from '../../../main/audit/log.js';
import { isDemoSeeded } from '../../../main/demo/seed.js';
import { applyPragmas, databaseFileIn, openStore, type Store } from '../../../main/store/db.js';
import { startTestRegister } from '../../support/register.js';
import { migrationsFolder, repoRoot, tempDir } from '../../support/paths.js';

let store: Store;
let work: { dir: string; cleanup: () => void };
function open(): Store {
  work = tempDir('register-audit-archive-');
  store = openStore({ file: databaseFileIn(work.dir), migrationsFolder });
  return store;
}
afterEach(() => {
  store.close();
  work.cleanup();
});

/** Events 1..count, event i written at 1000 + i. */
function appendMany(count: number, action = 'test.event'): void {
  for (let i = 1; i <= count; i++) appendAudit(store.sqlite, { employeeId: 'E1', action, customerId: `C${i}`, details: { i } }, 1_000 + i);
}
const count = (table: string) => (store.sqlite.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
const seqs = (table: string) => (store.sqlite.prepare(`SELECT seq FROM ${table} ORDER BY seq`).all() as Array<{ seq: number }>).map((row) => row.seq);

describe('audit archive', () => {
  it('moves the oldest events in bounded batches, stops at the first recent one, never moves the tip, and the chain verifies across the boundary', () => {
    open();
    appendMany(20);
    // Older than 1012: events 1..11; batches of 4.
    expect(archiveAuditEvents(store.sqlite, { before: 1_012, limit: 4 })).toBe(4);
    expect(seqs('audit_events_archive')).toEqual([1, 2, 3, 4]);
    expect(verifyAuditChain(store.sqlite)).toEqual({ ok: true, checked: 20, firstBroken: null });
    expect(archiveAuditEvents(store.sqlite, { before: 1_012, limit: 4 })).toBe(4);
    expect(archiveAuditEvents(store.sqlite, { before: 1_012, limit: 4 })).toBe(3);
    expect(archiveAuditEvents(store.sqlite, { before: 1_012, limit: 4 })).toBe(0);
    expect(seqs('audit_events')).toEqual([12, 13, 14, 15, 16, 17, 18, 19, 20]);
    // Everything old enough: all but the chain tip.
    expect(archiveAuditEvents(store.sqlite, { before: 1_000_000, limit: 100 })).toBe(8);
    expect(seqs('audit_events')).toEqual([20]);
    expect(archiveAuditEvents(store.sqlite, { before: 1_000_000, limit: 100 })).toBe(0);
    // The next event links to the tip; the whole chain still verifies.
    appendAudit(store.sqlite, { employeeId: 'E1', action: 'test.after' }, 5_000);
    expect(verifyAuditChain(store.sqlite)).toEqual({ ok: true, checked: 21, firstBroken: null });
  });

  it('an event that is not old enough stops the batch even when older ones follow it (the archive stays the start of the chain)', () => {
    open();
    appendAudit(store.sqlite, { employeeId: 'E1', action: 'a' }, 100);
    appendAudit(store.sqlite, { employeeId: 'E1', action: 'b' }, 900); // a clock that ran fast
    appendAudit(store.sqlite, { employeeId: 'E1', action: 'c' }, 200);
    appendAudit(store.sqlite, { employeeId: 'E1', action: 'd' }, 300);
    expect(archiveAuditEvents(store.sqlite, { before: 500 })).toBe(1);
    expect(seqs('audit_events_archive')).toEqual([1]);
  });

  it('catches tampering with an archived event', () => {
    open();
    appendMany(10);
    archiveAuditEvents(store.sqlite, { before: 1_008 });
    expect(count('audit_events_archive')).toBe(7);
    store.sqlite.exec('DROP TRIGGER audit_events_archive_no_update');
    store.sqlite.prepare(`UPDATE audit_events_archive SET details = '{"i":999}' WHERE seq = 3`).run();
    expect(verifyAuditChain(store.sqlite)).toMatchObject({ ok: false, checked: 2, firstBroken: { seq: 3, reason: expect.stringMatching(/changed/) as unknown } });
  });

  it('catches an archived event removed', () => {
    open();
    appendMany(10);
    archiveAuditEvents(store.sqlite, { before: 1_005 });
    store.sqlite.exec('DROP TRIGGER audit_events_archive_no_delete');
    store.sqlite.prepare('DELETE FROM audit_events_archive WHERE seq = 2').run();
    expect(verifyAuditChain(store.sqlite).firstBroken).toMatchObject({ seq: 3, reason: 'event 2 is missing (found 3 next)' });
  });

  it('the archive refuses UPDATE and DELETE; the hot table still refuses any DELETE of an event without its identical copy in the archive', () => {
    open();
    appendMany(6);
    archiveAuditEvents(store.sqlite, { before: 1_003 });
    expect(() => store.sqlite.prepare("UPDATE audit_events_archive SET action = 'x'").run()).toThrow(/audit_events_archive is append-only/);
    expect(() => store.sqlite.prepare('DELETE FROM audit_events_archive WHERE seq = 1').run()).toThrow(/audit_events_archive is append-only/);
    expect(() => store.sqlite.prepare('DELETE FROM audit_events WHERE seq = 4').run()).toThrow(/audit_events is append-only/);
    expect(() => store.sqlite.prepare('DELETE FROM audit_events').run()).toThrow(/audit_events is append-only/);
    // A copy that differs in anything (here its details) does not let the event go.
    const row = store.sqlite.prepare('SELECT * FROM audit_events WHERE seq = 3').get() as Record<string, unknown>;
    store.sqlite.exec('DROP TRIGGER audit_events_archive_no_delete');
    store.sqlite.prepare('DELETE FROM audit_events_archive WHERE seq = 2').run(); // make room to test seq 3 without a real copy
    expect(row['seq']).toBe(3);
    store.sqlite
      .prepare('INSERT INTO audit_events_archive (seq, id, at, employee_id, action, customer_id, sale_id, details, prev_hash, hash) VALUES (@seq, @id, @at, @employee_id, @action, @customer_id, @sale_id, @details, @prev_hash, @hash)')
      .run({ ...row, details: '{"i":999}' });
    expect(() => store.sqlite.prepare('DELETE FROM audit_events WHERE seq = 3').run()).toThrow(/audit_events is append-only/);
    expect(count('audit_events')).toBe(4);
  });

  it('the demo-store check still finds its seed event once it is archived', () => {
    open();
    appendAudit(store.sqlite, { employeeId: null, action: 'demo.seed' }, 10);
    appendMany(5);
    archiveAuditEvents(store.sqlite, { before: 1_004 });
    expect(seqs('audit_events_archive')).toEqual([1, 2, 3, 4]);
    expect(isDemoSeeded(store.sqlite)).toBe(true);
  });

  it('npm run audit:verify walks the archive and the hot table as one chain and names a broken archived event', () => {
    open();
    appendMany(12);
    archiveAuditEvents(store.sqlite, { before: 1_009 });
    store.close();
    const verify = () =>
      spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'main/audit/cli.ts'), '--data-dir', work.dir], { cwd: repoRoot, encoding: 'utf8' });
    const intact = verify();
    expect(intact.stdout).toMatch(/intact: 12 events checked/);
    expect(intact.status).toBe(0);
    const sqlite = new Database(databaseFileIn(work.dir));
    sqlite.exec('DROP TRIGGER audit_events_archive_no_update');
    sqlite.prepare("UPDATE audit_events_archive SET employee_id = 'someone-else' WHERE seq = 5").run();
    sqlite.close();
    const broken = verify();
    expect(broken.stdout).toMatch(/BROKEN at event 5 .*changed after it was written/);
    expect(broken.status).toBe(1);
    store = openStore({ file: databaseFileIn(work.dir), migrationsFolder }); // for afterEach
  });

  it('the audit screen (audit.recent) still lists events once they are archived, newest first', async () => {
    open();
    store.close();
    const r = await startTestRegister({}, work.dir);
    try {
      expect(await r.call('session.login', { pin: '3333' })).toMatchObject({ ok: true });
      const before = (await r.call('audit.recent', { limit: 50 })) as { ok: true; value: Array<{ seq: number; action: string }> };
      expect(before.value.length).toBeGreaterThan(2);
      const other = new Database(databaseFileIn(work.dir));
      applyPragmas(other);
      const moved = archiveAuditEvents(other, { before: Date.now() + 60_000 });
      other.close();
      expect(moved).toBe(before.value.length - 1);
      const after = (await r.call('audit.recent', { limit: 50 })) as { ok: true; value: Array<{ seq: number; action: string }> };
      expect(after.value).toEqual(before.value);
      const limited = (await r.call('audit.recent', { limit: 2 })) as { ok: true; value: Array<{ seq: number }> };
      expect(limited.value.map((row) => row.seq)).toEqual(before.value.slice(0, 2).map((row) => row.seq));
    } finally {
      await r.close();
    }
    store = openStore({ file: databaseFileIn(work.dir), migrationsFolder }); // for afterEach
  });
});
