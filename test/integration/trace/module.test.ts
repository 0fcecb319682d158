/** The trace capability inside a real register (demo store, embedded sandbox, worker thread). */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import Database from 'better-sqlite3';
import { newId } from '../../../main/store/ids.js';
import { archiveSettled } from '../../../main/trace/outbox.js';
import { createFileLogger } from '../../../main/log/logger.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';
import { until as untilWithin, value } from '../../support/answers.js';
import { tempDir } from '../../support/paths.js';

/** The sync worker's retries take longer than the default wait. */
const until = <T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 30_000): Promise<T> => untilWithin(read, ok, ms);

let temp: ReturnType<typeof tempDir>;
let r: TestRegister;
beforeEach(async () => {
  temp = tempDir();
  r = await startTestRegister({ logger: createFileLogger(temp.dir) }, temp.dir);
});
afterEach(async () => {
  await r.close();
  temp.cleanup();
});

const status = () => value<{ online: boolean | null; counts: Record<string, number>; backlog: number }>(r.call('trace.sync.status'));

test('the demo store reports a sale through the worker thread and the status bar follows', async () => {
  await r.call('session.login', { pin: '1111' });
  // A budtender cannot queue test sales, even in the demo store: only its admin sees the button.
  expect(await r.call('trace.demo.enqueueSale', { commandId: newId() })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  await r.call('session.login', { pin: '3333' });
  const queued = await r.call('trace.demo.enqueueSale', { commandId: newId() });
  expect(queued.ok).toBe(true);
  await until(status, (s) => s.counts.acknowledged === 1 && s.online === true);
  const lastTrace = async () => r.events.filter((event) => event.event === 'trace.changed').map((event) => event.payload as { state: string; backlog: number }).at(-1);
  expect(await until(lastTrace, (event) => event?.state === 'online' && event.backlog === 0)).toMatchObject({ state: 'online', backlog: 0 });
  const app = await r.call('app.status');
  expect(await value(Promise.resolve(app))).toMatchObject({ trace: { provider: 'BioTrack', state: 'online', backlog: 0 } });
});

test('a refused sale: resend needs a manager grant, dismiss needs a reason; both audited', async () => {
  await r.call('session.login', { pin: '3333' });
  const queued = await r.call('trace.demo.enqueueSale', { commandId: newId(), cardId: 'MP5T2J8K1Z' });
  await r.call('session.login', { pin: '1111' });
  const outboxId = (await value<{ outboxId: string }>(Promise.resolve(queued))).outboxId;
  await until(status, (s) => s.counts.rejected === 1);
  const denied = await r.call('trace.sync.resend', { commandId: newId(), outboxId });
  expect(denied).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  const approvers = await value<Array<{ id: string; name: string }>>(r.call('staff.approvers', { permission: 'manager_override' }));
  const manager = approvers.find((a) => a.name === 'Max Manager')!;
  const grant = await r.call('staff.override', { approverId: manager.id, pin: '2222', permission: 'manager_override', action: 'trace.sync.resend' });
  const resent = await r.call('trace.sync.resend', { commandId: newId(), outboxId, grantId: (await value<{ grantId: string }>(Promise.resolve(grant))).grantId });
  expect(resent).toMatchObject({ ok: true, value: { state: 'pending' } });
  // Still expired: refused again, never retried by itself.
  await until(status, (s) => s.counts.rejected === 1 && s.counts.pending === 0);
  const grant2 = await r.call('staff.override', { approverId: manager.id, pin: '2222', permission: 'manager_override', action: 'trace.sync.dismiss' });
  const dismissed = await r.call('trace.sync.dismiss', { commandId: newId(), outboxId, reason: 'card expired, told to renew', grantId: (await value<{ grantId: string }>(Promise.resolve(grant2))).grantId });
  expect(dismissed).toMatchObject({ ok: true, value: { state: 'dismissed', dismissedByName: 'Max Manager' } });
  await r.call('session.logout');
  await r.call('session.login', { pin: '2222' });
  const audit = (await value<Array<{ action: string; details: Record<string, unknown> }>>(r.call('audit.recent', { limit: 50 }))).filter((e) => e.action.startsWith('trace.sync'));
  expect(audit.map((e) => e.action)).toEqual(['trace.sync.dismiss', 'trace.sync.resend']);
  expect(audit[0]!.details).toMatchObject({ reason: 'card expired, told to renew', approvedBy: manager.id });
});

test('settings: the password is sealed, never returned, logged or audited; the key file is 0600', async () => {
  await r.call('session.login', { pin: '3333' });
  const before = await value<Record<string, unknown>>(r.call('trace.settings.get'));
  expect(before).toMatchObject({ provider: 'biotrack_v1', useDemoSandbox: true, hasPassword: true, secretStorage: 'keyFile' });
  expect(JSON.stringify(before)).not.toContain('demo-sandbox-password');
  const secret = 'S3cret-Passw0rd-xyz';
  const bad = await r.call('trace.testConnection', { ...strip(before), password: secret });
  expect(await value(Promise.resolve(bad))).toMatchObject({ ok: false });
  const saved = await r.call('trace.settings.save', { commandId: newId(), ...strip(before), password: secret, training: true });
  expect(saved).toMatchObject({ ok: true, value: { training: true, hasPassword: true } });
  const db = readFileSync(join(r.dataDir, 'register.sqlite')).toString('latin1') + readFileSync(join(r.dataDir, 'register.sqlite-wal')).toString('latin1');
  expect(db).not.toContain(secret);
  expect(readFileSync(join(r.dataDir, 'logs', 'register.log'), 'utf8')).not.toContain(secret);
  if (process.platform !== 'win32') expect(statSync(join(r.dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
  const audit = await value<Array<{ action: string; details: Record<string, unknown> }>>(r.call('audit.recent', { limit: 20 }));
  const entry = audit.find((e) => e.action === 'trace.settings.save')!;
  expect(entry.details).toMatchObject({ passwordChanged: true, training: true });
  expect(JSON.stringify(entry)).not.toContain(secret);
  // The wrong password is now in use: the worker reports the refused login as a problem to fix.
  const problem = await until(() => value<{ problem: string | null }>(r.call('trace.sync.status')), (s) => !!s.problem);
  expect(problem.problem).toMatch(/refused/);
});

test('advanced settings (nonce policy, patient link, reconcile delay): defaults from the evidence, admin only, audited', async () => {
  await r.call('session.login', { pin: '2222' });
  const asManager = await value<{ advanced: Record<string, unknown>; canEditAdvanced: boolean }>(r.call('trace.settings.get'));
  expect(asManager).toMatchObject({ advanced: { noncePolicy: 'fresh', patientLink: 'both', reconcileDelaySeconds: 120 }, canEditAdvanced: false });
  const refused = await r.call('trace.settings.advanced.save', { commandId: newId(), noncePolicy: 'kept', patientLink: 'card_id', reconcileDelaySeconds: 60 });
  expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  await r.call('session.login', { pin: '3333' });
  expect(await value<{ canEditAdvanced: boolean }>(r.call('trace.settings.get'))).toMatchObject({ canEditAdvanced: true });
  const saved = await value<{ advanced: Record<string, unknown> }>(
    r.call('trace.settings.advanced.save', { commandId: newId(), noncePolicy: 'kept', patientLink: 'card_id', reconcileDelaySeconds: 60 }),
  );
  expect(saved.advanced).toEqual({ noncePolicy: 'kept', patientLink: 'card_id', reconcileDelaySeconds: 60 });
  const audit = await value<Array<{ action: string; details: Record<string, unknown> }>>(r.call('audit.recent', { limit: 20 }));
  expect(audit.find((e) => e.action === 'trace.settings.advanced.save')?.details).toMatchObject({ after: { noncePolicy: 'kept' } });
  // The worker restarted with them: the demo sandbox wants the card_key, so a sale naming the card id alone is refused.
  await r.call('session.login', { pin: '3333' });
  await value(r.call('trace.demo.enqueueSale', { commandId: newId() }));
  await until(status, (s) => s.counts.rejected === 1);
  const listed = await value<{ rows: Array<{ lastError: string | null }> }>(r.call('trace.sync.list', { filter: 'rejected' }));
  expect(listed.rows[0]!.lastError).toMatch(/card_key/);
  await r.call('session.login', { pin: '3333' });
  await value(r.call('trace.settings.advanced.save', { commandId: newId(), noncePolicy: 'fresh', patientLink: 'card_key', reconcileDelaySeconds: 60 }));
  await value(r.call('trace.demo.enqueueSale', { commandId: newId() }));
  await until(status, (s) => s.counts.acknowledged === 1);
});

test('the worker waits the saved reconcile delay before asking about a sale whose outcome is unknown', async () => {
  await r.call('session.login', { pin: '3333' });
  // 10 s: under the demo store's own 15 s cap, so the saved value is what shows (the default is 120 s).
  await value(r.call('trace.settings.advanced.save', { commandId: newId(), noncePolicy: 'fresh', patientLink: 'both', reconcileDelaySeconds: 10 }));
  const { demoSandboxUrl } = await value<{ demoSandboxUrl: string | null }>(r.call('trace.settings.get'));
  // The state commits the sale and the answer is lost on the way back.
  const faults = await fetch(new URL('/__faults', demoSandboxUrl!), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ rules: [{ action: 'sale_dispense', fault: 'timeout_after_commit', delayMs: 10 }] }),
  });
  expect(faults.ok).toBe(true);
  await r.call('session.login', { pin: '3333' });
  const { outboxId } = await value<{ outboxId: string }>(r.call('trace.demo.enqueueSale', { commandId: newId() }));
  await until(status, (s) => s.counts.unknown === 1, 60_000);
  const db = new Database(join(r.dataDir, 'register.sqlite'), { readonly: true });
  try {
    const row = db.prepare('SELECT state, next_attempt_at - updated_at AS wait FROM trace_outbox WHERE id = ?').get(outboxId);
    expect(row).toEqual({ state: 'unknown', wait: 10_000 });
  } finally {
    db.close();
  }
});

test('archived sales stay on the Sync screen with their history', async () => {
  await r.call('session.login', { pin: '3333' });
  const { outboxId } = await value<{ outboxId: string }>(r.call('trace.demo.enqueueSale', { commandId: newId() }));
  await until(status, (s) => s.counts.acknowledged === 1);
  // What the worker's idle archiving does once a settled sale is old enough.
  const db = new Database(join(r.dataDir, 'register.sqlite'));
  db.pragma('busy_timeout = 5000');
  expect(archiveSettled(db, { location: '600100', before: Date.now() + 1 })).toBe(1);
  db.close();
  const listed = await value<{ rows: Array<{ id: string; state: string }>; total: number; status: { counts: { acknowledged: number } } }>(r.call('trace.sync.list', { filter: 'all' }));
  expect(listed.rows.map((row) => [row.id, row.state])).toEqual([[outboxId, 'acknowledged']]);
  expect(listed.total).toBe(1);
  expect(listed.status.counts.acknowledged).toBe(1);
  const detail = await value<{ attempts: Array<{ outcome: string }> }>(r.call('trace.sync.detail', { outboxId }));
  expect(detail.attempts.map((attempt) => attempt.outcome)).toContain('accepted');
});

function strip(view: Record<string, unknown>) {
  const { hasPassword: _h, demoSandboxUrl: _d, secretStorage: _s, advanced: _a, canEditAdvanced: _c, choices: _ch, hasVendorKey: _hv, hasUserKey: _hu, demoMetrcSandboxUrl: _dm, ...rest } = view;
  return rest;
}
