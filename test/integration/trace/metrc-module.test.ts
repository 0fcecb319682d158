/**
 * The Illinois demo store switched to Metrc in Settings › Track & Trace: the keys are sealed like
 * BioTrack's password, a sale goes through the worker thread to the embedded Metrc sandbox once,
 * and the Sync screen's row carries the Metrc receipt id.
 */
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { newId } from '../../../main/store/ids.js';
import { createFileLogger } from '../../../main/log/logger.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';
import { until, value } from '../../support/answers.js';
import { tempDir } from '../../support/paths.js';
import { IL, IL_PATIENT } from '../../support/metrc.js';

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

test('the Illinois demo store switches to Metrc: keys sealed, a sale posted once, its Metrc id on the Sync screen', async () => {
  await r.call('session.login', { pin: '3333' });
  const before = await value<{ choices: Array<{ id: string }>; demoMetrcSandboxUrl: string | null }>(r.call('trace.settings.get'));
  expect(before.choices.map((choice) => choice.id)).toEqual(['biotrack_v1', 'metrc_v2']);
  expect(before.demoMetrcSandboxUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const settings = { provider: 'metrc_v2', useDemoSandbox: true, endpoint: '', licenseNumber: IL.licenseNumber, username: '', location: '', terminalId: '1', training: false, nosession: false };
  // A wrong user key: the connection test says Metrc refused it.
  const wrong = await value<{ ok: boolean; message: string }>(r.call('trace.testConnection', { ...settings, vendorKey: IL.vendorKey, userKey: 'not-the-key' }));
  expect(wrong).toMatchObject({ ok: false });
  expect(wrong.message).toMatch(/Metrc refused/);
  const saved = await value<{ provider: string; hasVendorKey: boolean; hasUserKey: boolean; location: string }>(
    r.call('trace.settings.save', { commandId: newId(), ...settings, vendorKey: IL.vendorKey, userKey: IL.userKey }),
  );
  expect(saved).toMatchObject({ provider: 'metrc_v2', hasVendorKey: true, hasUserKey: true, location: IL.licenseNumber });
  expect(JSON.stringify(saved)).not.toContain(IL.userKey);
  const tested = await value<{ ok: boolean; message: string }>(r.call('trace.testConnection', settings));
  expect(tested).toMatchObject({ ok: true });
  expect(tested.message).toMatch(/^Connected to Metrc/);

  // Check-in's lookup goes to Metrc now.
  const lookup = await value<{ status: string; allotment: { amount: string; unit: string } }>(r.call('trace.lookupPatient', { cardId: IL_PATIENT }));
  expect(lookup).toMatchObject({ status: 'active', allotment: { amount: '2.5', unit: 'oz' } });

  const { outboxId } = await value<{ outboxId: string }>(r.call('trace.demo.enqueueSale', { commandId: newId() }));
  const list = () => value<{ rows: Array<{ id: string; state: string; remoteTxnId: string | null }>; status: { provider: string } }>(r.call('trace.sync.list', { filter: 'all', limit: 20 }));
  const done = await until(list, (l) => l.rows.some((row) => row.id === outboxId && row.state === 'acknowledged'));
  expect(done.status.provider).toBe('Metrc');
  const row = done.rows.find((candidate) => candidate.id === outboxId)!;
  const state = (await (await fetch(`${before.demoMetrcSandboxUrl}/__state`)).json()) as { receipts: Array<{ Id: number; ExternalReceiptNumber: string; SalesDateTime: string }> };
  const mine = state.receipts.filter((receipt) => receipt.ExternalReceiptNumber === outboxId);
  expect(mine).toHaveLength(1);
  expect(row.remoteTxnId).toBe(String(mine[0]!.Id));
  // The sale's wall-clock time was frozen in the outbox row when it was queued, and is what Metrc got.
  const db = new Database(join(r.dataDir, 'register.sqlite'), { readonly: true });
  const frozen = JSON.parse((db.prepare('SELECT request FROM trace_outbox WHERE id = ? UNION ALL SELECT request FROM trace_outbox_archive WHERE id = ?').get(outboxId, outboxId) as { request: string }).request) as {
    sale: { localTime?: string };
  };
  db.close();
  expect(frozen.sale.localTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000$/);
  expect(mine[0]!.SalesDateTime).toBe(frozen.sale.localTime);

  // The keys never reach the database, the log or the audit trail in clear.
  const files = ['register.sqlite', 'register.sqlite-wal'].map((file) => readFileSync(join(r.dataDir, file)).toString('latin1')).join('');
  expect(files).not.toContain(IL.userKey);
  expect(readFileSync(join(r.dataDir, 'logs', 'register.log'), 'utf8')).not.toContain(IL.userKey);
  const audit = await value<Array<{ action: string; details: Record<string, unknown> }>>(r.call('audit.recent', { limit: 20 }));
  const entry = audit.find((e) => e.action === 'trace.settings.save')!;
  expect(entry.details).toMatchObject({ provider: 'metrc_v2', vendorKeyChanged: true, userKeyChanged: true });
  expect(JSON.stringify(audit)).not.toContain(IL.userKey);

  // Products › Receive stock lists the facility's Metrc packages (one fewer of the demo sale's flower).
  const packages = await value<{ provider: string; packages: Array<{ label: string; suggestedCategory: string | null; quantity: number }> }>(r.call('catalogue.packages'));
  expect(packages.provider).toBe('Metrc');
  expect(packages.packages.length).toBeGreaterThan(20);
  expect(packages.packages.every((pkg) => pkg.suggestedCategory !== null)).toBe(true);
});
