import Database from 'better-sqlite3';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ResponseEnvelope } from '../../../preload/api.js';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseFileIn } from '../../../main/store/db.js';
import { createFileLogger } from '../../../main/log/logger.js';
import { newId } from '../../../main/store/ids.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';
import { tempDir } from '../../support/paths.js';

let running: TestRegister[] = [];
afterEach(async () => {
  for (const r of running) await r.close();
  running = [];
});
async function start(options: Parameters<typeof startTestRegister>[0] = {}, dataDir?: string): Promise<TestRegister> {
  const r = await startTestRegister(options, dataDir);
  running.push(r);
  return r;
}

describe('messages from a screen', () => {
  it.each([
    ['not an object', 'hello'],
    ['no call name', { id: 1, payload: {} }],
    ['an extra field', { id: 1, call: 'app.status', payload: {}, evil: true }],
    ['a negative id', { id: -1, call: 'app.status', payload: {} }],
    ['null', null],
  ])('answers %s with a typed invalid_message error', async (_label, message) => {
    const r = await start();
    const response = await r.client.dispatch(message);
    expect(response).toMatchObject({ ok: false, error: { code: 'invalid_message' } });
  });

  it('answers an unknown call with unknown_call', async () => {
    const r = await start();
    expect(await r.call('sale.launchMissiles')).toMatchObject({ ok: false, error: { code: 'unknown_call' } });
  });

  it('answers a payload that breaks the contract with the field at fault', async () => {
    const r = await start();
    const response = await r.call('session.login', { pin: '12ab' });
    expect(response).toMatchObject({ ok: false, error: { code: 'invalid_message' } });
    expect(!response.ok && response.error.message).toMatch(/pin: A PIN is 4 to 8 digits/);
    expect(await r.call('session.login', { pin: '1111', extra: 1 })).toMatchObject({ ok: false, error: { code: 'invalid_message' } });
  });

  it('keeps working after a burst of garbage', async () => {
    const r = await start();
    for (let i = 0; i < 200; i++) await r.client.dispatch({ id: i, call: 'session.login', payload: { pin: i } });
    expect(await r.call('app.status')).toMatchObject({ ok: true, value: { state: 'ready' } });
  });
});

describe('sessions', () => {
  it('logs in by PIN, refuses protected calls before that, and enforces permissions', async () => {
    const r = await start();
    expect(await r.call('staff.list')).toMatchObject({ ok: false, error: { code: 'not_logged_in' } });
    expect(await r.call('session.login', { pin: '1111' })).toMatchObject({ ok: true, value: { state: 'active', employee: { role: 'budtender' } } });
    expect(await r.call('audit.verify')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await r.call('session.logout')).toMatchObject({ ok: true, value: { state: 'logged_out' } });
    await r.call('session.login', { pin: '2222' });
    expect(await r.call('audit.verify')).toMatchObject({ ok: true, value: { ok: true } });
  });

  it('refuses a wrong PIN with the tries left', async () => {
    const r = await start();
    const response = await r.call('session.login', { pin: '9999' });
    expect(response).toMatchObject({ ok: false, error: { code: 'wrong_pin', detail: { triesLeft: 4 } } });
  });

  it('locks by hand and by idleness, and unlocks with a PIN', async () => {
    const r = await start({ idleLockMs: 150 });
    await r.call('session.login', { pin: '1111' });
    expect(await r.call('session.lock')).toMatchObject({ ok: true, value: { state: 'locked', reason: 'manual' } });
    expect(await r.call('staff.list')).toMatchObject({ ok: false, error: { code: 'locked' } });
    expect(await r.call('session.unlock', { pin: '1111' })).toMatchObject({ ok: true, value: { state: 'active' } });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await r.call('session.get')).toMatchObject({ ok: true, value: { state: 'locked', reason: 'idle' } });
    expect(r.events.some((e) => e.event === 'session.changed' && (e.payload as { state: string }).state === 'locked')).toBe(true);
  });

  it('keeps each screen its own session', async () => {
    const r = await start();
    const other = r.register.connect(() => {});
    await r.call('session.login', { pin: '1111' });
    expect(await other.dispatch({ id: 1, call: 'session.get', payload: {} })).toMatchObject({ ok: true, value: { state: 'logged_out' } });
    other.close();
  });
});

describe('manager override through the dispatcher', () => {
  it('lets a budtender make one call a manager approved, once, and records the approver', async () => {
    const r = await start();
    const login = await r.call('session.login', { pin: '1111' });
    expect(login.ok).toBe(true);
    const approvers = await r.call('staff.approvers', { permission: 'manager_override' });
    const max = (approvers.ok ? (approvers.value as Array<{ id: string; name: string }>) : []).find((a) => a.name === 'Max Manager')!;
    const grant = await r.call('staff.override', { approverId: max.id, pin: '2222', permission: 'manager_override', action: 'audit.verify' });
    expect(grant.ok).toBe(true);
    const grantId = grant.ok ? (grant.value as { grantId: string }).grantId : '';

    // A grant is for the permission the call needs: audit.verify needs view_audit, not manager_override.
    const wrongPermission = await r.client.dispatch({ id: 90, call: 'audit.verify', payload: {}, overrideGrantId: grantId });
    expect(wrongPermission).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    const viewGrant = await r.call('staff.override', { approverId: max.id, pin: '2222', permission: 'view_audit', action: 'audit.verify' });
    const viewGrantId = viewGrant.ok ? (viewGrant.value as { grantId: string }).grantId : '';
    expect(await r.client.dispatch({ id: 91, call: 'audit.verify', payload: {}, overrideGrantId: viewGrantId })).toMatchObject({ ok: true });
    // Used once: the same grant no longer works.
    expect(await r.client.dispatch({ id: 92, call: 'audit.verify', payload: {}, overrideGrantId: viewGrantId })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    await r.call('session.logout');
    await r.call('session.login', { pin: '2222' });
    const recent = await r.call('audit.recent', { limit: 20 });
    const used = (recent.ok ? (recent.value as Array<{ action: string; employeeName: string | null; details: Record<string, unknown> }>) : []).find(
      (e) => e.action === 'staff.override_used',
    );
    expect(used).toMatchObject({ employeeName: 'Bea Budtender', details: { call: 'audit.verify', approverId: max.id } });
  });
});

describe('commands and audit', () => {
  it('applies a repeated staff.create command once', async () => {
    const r = await start();
    await r.call('session.login', { pin: '3333' });
    const commandId = newId();
    const first = await r.call('staff.create', { commandId, name: 'Nia New', role: 'budtender', pin: '4826' });
    const second = await r.call('staff.create', { commandId, name: 'Nia New', role: 'budtender', pin: '4826' });
    expect(first).toMatchObject({ ok: true });
    expect(second).toEqual({ ...first, id: second.id });
    const list = await r.call('staff.list');
    expect(list.ok && (list.value as Array<{ name: string }>).filter((e) => e.name === 'Nia New')).toHaveLength(1);
  });

  it('records who did what in a chain that verifies', async () => {
    const r = await start();
    await r.call('session.login', { pin: '2222' });
    await r.call('session.lock');
    await r.call('session.unlock', { pin: '2222' });
    const recent = await r.call('audit.recent', { limit: 10 });
    expect(recent.ok).toBe(true);
    const actions = (recent.ok ? (recent.value as Array<{ action: string; employeeName: string | null }>) : []).map((e) => `${e.action}:${e.employeeName}`);
    expect(actions.slice(0, 3)).toEqual(['staff.unlock:Max Manager', 'staff.lock:Max Manager', 'staff.login:Max Manager']);
    expect(await r.call('audit.verify')).toMatchObject({ ok: true, value: { ok: true, firstBroken: null } });
  });
});

describe('a damaged database', () => {
  type Offered = { name: string; intact: boolean; recommended: boolean; storeIdentity: string | null };
  const backupsOf = (status: ResponseEnvelope): Offered[] => (status.ok ? (status.value as { backups: Offered[] }).backups : []);

  it('starts in the damaged state, offers the backups and restores the newest good one with a manager PIN', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const first = await startTestRegister({}, dir);
      await first.close(); // writes a backup at close
      writeFileSync(databaseFileIn(dir), 'scrambled'.repeat(1000));

      const damaged = await startTestRegister({}, dir);
      const status = await damaged.call('app.status');
      expect(status).toMatchObject({ ok: true, value: { state: 'damaged' } });
      expect(await damaged.call('session.login', { pin: '1111' })).toMatchObject({ ok: false, error: { code: 'store_damaged' } });
      const backups = backupsOf(status);
      expect(backups[0]).toMatchObject({ intact: true, recommended: true });
      // A budtender's PIN does not approve a restore; a manager's of that backup does.
      expect(await damaged.call('store.restoreBackup', { name: backups[0]!.name, pin: '1111' })).toMatchObject({
        ok: false,
        error: { code: 'wrong_pin' },
      });
      const restored = await damaged.call('store.restoreBackup', { name: backups[0]!.name, pin: '2222' });
      expect(restored).toMatchObject({ ok: true, value: { restoredFrom: backups[0]!.name } });
      expect(await damaged.call('app.status')).toMatchObject({ ok: true, value: { state: 'ready' } });
      expect(await damaged.call('session.login', { pin: '2222' })).toMatchObject({ ok: true });
      const recent = await damaged.call('audit.recent', { limit: 5 });
      const entry = (recent.ok ? (recent.value as Array<{ action: string; employeeName: string | null }>) : []).find(
        (e) => e.action === 'store.restore_backup',
      );
      expect(entry?.employeeName).toBe('Max Manager');
      await damaged.close();
    } finally {
      cleanup();
    }
  });

  it.each(['missing', 'empty'] as const)(
    'does not turn a %s database into a fresh demo store when the folder held a store: it offers the backup',
    async (how) => {
      const { dir, cleanup } = tempDir();
      try {
        const first = await startTestRegister({}, dir);
        // The store's own data: a manager PIN that is not the demo's.
        await first.call('session.login', { pin: '3333' });
        const created = await first.call('staff.create', { commandId: newId(), name: 'Real Manager', role: 'manager', pin: '8642' });
        expect(created).toMatchObject({ ok: true });
        await first.close();
        const file = databaseFileIn(dir);
        for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
        if (how === 'empty') writeFileSync(file, '');

        const again = await startTestRegister({}, dir);
        const status = await again.call('app.status');
        expect(status).toMatchObject({ ok: true, value: { state: 'damaged' } });
        expect(!status.ok || (status.value as { message: string }).message).toMatch(new RegExp(`database file is ${how}.*held a store`));
        // No demo store, no demo PIN.
        expect(await again.call('session.login', { pin: '1111' })).toMatchObject({ ok: false, error: { code: 'store_damaged' } });
        const backups = backupsOf(status);
        expect(backups).toHaveLength(1);
        expect(backups[0]).toMatchObject({ intact: true, recommended: true });
        expect(await again.call('store.restoreBackup', { name: backups[0]!.name, pin: '8642' })).toMatchObject({ ok: true });
        expect(await again.call('session.login', { pin: '8642' })).toMatchObject({ ok: true, value: { employee: { name: 'Real Manager' } } });
        await again.close();
      } finally {
        cleanup();
      }
    },
  );

  it.each([['the identity marker', 'secret.key'], ['the secret key file', 'register.identity']])(
    'does not seed a demo store when only %s is left (no backups yet)',
    async (_sign, alsoRemoved) => {
      const { dir, cleanup } = tempDir();
      try {
        const first = await startTestRegister({ backupKeep: 1 }, dir);
        await first.close();
        rmSync(join(dir, 'backups'), { recursive: true, force: true });
        rmSync(join(dir, alsoRemoved), { force: true });
        for (const suffix of ['', '-wal', '-shm']) rmSync(databaseFileIn(dir) + suffix, { force: true });
        const again = await start({}, dir);
        expect(await again.call('app.status')).toMatchObject({ ok: true, value: { state: 'damaged', backups: [] } });
        expect(existsSync(databaseFileIn(dir))).toBe(false);
      } finally {
        cleanup();
      }
    },
  );

  it('a new data folder (only the log written so far) still becomes the demo store', async () => {
    const { dir, cleanup } = tempDir();
    try {
      createFileLogger(dir, () => {}).log('info', 'starting');
      const fresh = await start({}, dir);
      expect(await fresh.call('app.status')).toMatchObject({ ok: true, value: { state: 'ready' } });
      expect(await fresh.call('session.login', { pin: '1111' })).toMatchObject({ ok: true });
    } finally {
      cleanup();
    }
  });

  it('restores only by the name of a backup in backups/, never a path', async () => {
    const { dir, cleanup } = tempDir();
    const elsewhere = tempDir();
    try {
      const first = await startTestRegister({}, dir);
      await first.close();
      // A sound database named like a backup, outside the data folder.
      const outsider = await startTestRegister({}, elsewhere.dir);
      await outsider.close();
      const outsiderBackup = readdirSync(join(elsewhere.dir, 'backups'))[0]!;
      writeFileSync(databaseFileIn(dir), 'scrambled'.repeat(1000));

      const damaged = await start({}, dir);
      for (const name of [join(elsewhere.dir, 'backups', outsiderBackup), `../../${basename(elsewhere.dir)}/backups/${outsiderBackup}`]) {
        const response = await damaged.call('store.restoreBackup', { name, pin: '2222' });
        expect(response, name).toMatchObject({ ok: false, error: { code: 'invalid_message' } });
      }
      // The other folder's backup name, asked for here: not in this folder's backups/.
      expect(await damaged.call('store.restoreBackup', { name: outsiderBackup, pin: '2222' })).toMatchObject({
        ok: false,
        error: { code: 'not_found' },
      });
      expect(await damaged.call('app.status')).toMatchObject({ ok: true, value: { state: 'damaged' } });
    } finally {
      cleanup();
      elsewhere.cleanup();
    }
  });

  it('checks at most 5 restore PINs however many arrive at once, then locks', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const first = await startTestRegister({}, dir);
      await first.close();
      writeFileSync(databaseFileIn(dir), 'scrambled'.repeat(1000));
      const damaged = await start({}, dir);
      const name = backupsOf(await damaged.call('app.status'))[0]!.name;
      const guesses = Array.from({ length: 40 }, (_, i) => String(5000 + i).padStart(4, '0'));
      const answers = await Promise.all(guesses.map((pin) => damaged.call('store.restoreBackup', { name, pin })));
      const codes = answers.map((a) => (a.ok ? 'ok' : a.error.code));
      expect(codes.filter((c) => c === 'wrong_pin')).toHaveLength(5);
      expect(codes.filter((c) => c === 'locked_out')).toHaveLength(35);
      // Even the right PIN waits for the lockout.
      expect(await damaged.call('store.restoreBackup', { name, pin: '2222' })).toMatchObject({ ok: false, error: { code: 'locked_out' } });
    } finally {
      cleanup();
    }
  });
});

describe('the background integrity check', () => {
  it('passes on a sound database and says so in the status', async () => {
    const r = await start();
    await r.register.whenDatabaseChecked();
    expect(await r.call('app.status')).toMatchObject({ ok: true, value: { state: 'ready', databaseCheck: 'passed' } });
  });

  it('catches a damaged index that the quick start-up check misses, and stops using the file', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const first = await startTestRegister({}, dir);
      await first.close();
      // Change one key inside the name index's page, behind SQLite's back: every page still
      // reads, but the index no longer matches its table, which only integrity_check notices.
      const file = databaseFileIn(dir);
      const sqlite = new Database(file);
      sqlite.pragma('wal_checkpoint(TRUNCATE)');
      const pageSize = sqlite.pragma('page_size', { simple: true }) as number;
      const { rootpage } = sqlite.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'customers_last_first'").get() as { rootpage: number };
      const lastName = (sqlite.prepare('SELECT last_name FROM customers ORDER BY last_name LIMIT 1').get() as { last_name: string }).last_name;
      sqlite.close();
      const bytes = readFileSync(file);
      const page = bytes.subarray((rootpage - 1) * pageSize, rootpage * pageSize);
      const at = page.indexOf(Buffer.from(lastName));
      expect(at).toBeGreaterThan(0);
      page[at + 1] = 'z'.charCodeAt(0);
      writeFileSync(file, bytes);

      const r = await startTestRegister({}, dir);
      running.push(r);
      await r.register.whenDatabaseChecked();
      const status = await r.call('app.status');
      expect(status).toMatchObject({ ok: true, value: { state: 'damaged' } });
      expect(!status.ok || (status.value as { message: string }).message).toMatch(/integrity check failed/);
      expect(r.events.some((e) => e.event === 'status.changed' && (e.payload as { state: string }).state === 'damaged')).toBe(true);
      expect(await r.call('session.login', { pin: '1111' })).toMatchObject({ ok: false, error: { code: 'store_damaged' } });
    } finally {
      cleanup();
    }
  });
});
