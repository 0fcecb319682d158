/**
 * PIN guessing in parallel over the browser host's WebSocket: however many guesses arrive at
 * once, at most LOCKOUT_POLICY.maxAttempts wrong PINs are ever checked before the lockout.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { databaseFileIn } from '../../../main/store/db.js';
import { startBrowserHost, type BrowserHost } from '../../../main/host/server.js';
import { silentLogger } from '../../../main/log/logger.js';
import { LOCKOUT_POLICY } from '../../../main/staff/service.js';
import { DEMO_PINS } from '../../../main/demo/seed.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';
import { tempDir } from '../../support/paths.js';

interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: { code: string; message: string };
}

let host: BrowserHost;
let r: TestRegister;
let cleanupRenderer: () => void;

async function start(): Promise<void> {
  r = await startTestRegister();
  const renderer = tempDir();
  cleanupRenderer = renderer.cleanup;
  mkdirSync(renderer.dir, { recursive: true });
  writeFileSync(join(renderer.dir, 'index.html'), '<!doctype html><title>Register</title>');
  // No rate limit here: this is about the core holding the lockout, whatever reaches it.
  host = await startBrowserHost({ register: r.register, rendererDir: renderer.dir, port: 0, logger: silentLogger, limits: { messageBurst: 10_000 } });
}
afterEach(async () => {
  await host.close();
  await r.close();
  cleanupRenderer();
});

function connect(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api?token=${host.token}`, { origin: `http://127.0.0.1:${host.port}` });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

let nextId = 1;

/** Send every message at once (one frame each, no waiting between them) and collect the replies. */
function sendAll(ws: WebSocket, calls: Array<{ call: string; payload: unknown }>): Promise<Reply[]> {
  const ids = calls.map(() => nextId++);
  const waiting = new Map<number, (reply: Reply) => void>();
  const replies = ids.map((id) => new Promise<Reply>((resolve) => waiting.set(id, resolve)));
  const onMessage = (data: WebSocket.RawData) => {
    const parsed = JSON.parse(data.toString()) as Reply | { event: string };
    if ('event' in parsed) return;
    waiting.get(parsed.id)?.(parsed);
  };
  ws.on('message', onMessage);
  calls.forEach((c, i) => ws.send(JSON.stringify({ id: ids[i], call: c.call, payload: c.payload })));
  return Promise.all(replies).finally(() => ws.off('message', onMessage));
}

function codes(replies: Reply[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const reply of replies) {
    const code = reply.ok ? 'ok' : (reply.error?.code ?? 'unknown');
    counts[code] = (counts[code] ?? 0) + 1;
  }
  return counts;
}

function auditActions(action: string): Array<{ employee_id: string | null; details: string | null }> {
  const sqlite = new Database(databaseFileIn(r.dataDir), { readonly: true });
  try {
    return sqlite
      .prepare('SELECT employee_id, details FROM audit_events WHERE action = ? ORDER BY seq')
      .all(action) as Array<{ employee_id: string | null; details: string | null }>;
  } finally {
    sqlite.close();
  }
}

describe('parallel PIN guessing', () => {
  it('locks the register after the allowed wrong PINs, however many logins arrive at once', async () => {
    await start();
    const ws = await connect();
    const guesses = Array.from({ length: 300 }, (_, i) => ({ call: 'session.login', payload: { pin: String(5000 + i) } }));
    const replies = await sendAll(ws, guesses);
    const counts = codes(replies);
    expect(counts.ok ?? 0).toBe(0);
    // At most maxAttempts PINs were checked: maxAttempts - 1 told "wrong", the rest refused as locked out.
    expect(counts.wrong_pin ?? 0).toBeLessThan(LOCKOUT_POLICY.maxAttempts);
    expect(counts.locked_out).toBe(300 - (counts.wrong_pin ?? 0));
    expect(auditActions('staff.login_failed').length).toBeLessThanOrEqual(LOCKOUT_POLICY.maxAttempts);
    expect(auditActions('staff.login_locked_out')).toHaveLength(1);

    // The right manager PIN is refused while the lockout lasts.
    const [afterwards] = await sendAll(ws, [{ call: 'session.login', payload: { pin: DEMO_PINS.manager } }]);
    expect(afterwards).toMatchObject({ ok: false, error: { code: 'locked_out' } });
    ws.close();
  });

  it('grants no approval from 200 parallel guesses at a manager PIN, the right one among them', async () => {
    await start();
    const ws = await connect();
    const [login] = await sendAll(ws, [{ call: 'session.login', payload: { pin: DEMO_PINS.budtender } }]);
    expect(login).toMatchObject({ ok: true });
    const budtender = (login!.value as { employee: { id: string } }).employee.id;
    const [approvers] = await sendAll(ws, [{ call: 'staff.approvers', payload: { permission: 'manager_override' } }]);
    const manager = (approvers!.value as Array<{ id: string; role: string }>).find((a) => a.role === 'manager')!;

    const pins = Array.from({ length: 199 }, (_, i) => String(6000 + i));
    pins.splice(150, 0, DEMO_PINS.manager);
    const replies = await sendAll(
      ws,
      pins.map((pin) => ({ call: 'staff.override', payload: { approverId: manager.id, pin, permission: 'manager_override', action: 'checkout.discount' } })),
    );
    const counts = codes(replies);
    expect(counts.ok ?? 0).toBe(0);
    expect(counts.wrong_pin ?? 0).toBeLessThan(LOCKOUT_POLICY.maxAttempts);
    expect(counts.locked_out).toBe(200 - (counts.wrong_pin ?? 0));
    expect(auditActions('staff.override_failed').length).toBeLessThanOrEqual(LOCKOUT_POLICY.maxAttempts);
    expect(auditActions('staff.override_granted')).toHaveLength(0);
    // The lockout is on record with the employee who tried.
    const lockouts = auditActions('staff.override_locked_out');
    expect(lockouts).toHaveLength(1);
    expect(lockouts[0]!.employee_id).toBe(budtender);
    expect(JSON.parse(lockouts[0]!.details ?? '{}')).toMatchObject({ approverId: manager.id });

    const [afterwards] = await sendAll(ws, [
      { call: 'staff.override', payload: { approverId: manager.id, pin: DEMO_PINS.manager, permission: 'manager_override', action: 'checkout.discount' } },
    ]);
    expect(afterwards).toMatchObject({ ok: false, error: { code: 'locked_out' } });
    ws.close();
  });
});
