/**
 * The browser host caps how many screens connect at once and how fast one screen may send, and
 * turns the rest away with a reason the page can show, logged.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { startBrowserHost, type BrowserHost, type BrowserHostLimits } from '../../../main/host/server.js';
import type { Logger } from '../../../main/log/logger.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';
import { tempDir } from '../../support/paths.js';

interface Reply {
  id: number | null;
  ok: boolean;
  error?: { code: string; message: string };
}

let host: BrowserHost;
let r: TestRegister;
let cleanupRenderer: () => void;
let logged: Array<{ level: string; message: string; fields?: Record<string, unknown> }>;

async function start(limits: BrowserHostLimits): Promise<void> {
  r = await startTestRegister();
  const renderer = tempDir();
  cleanupRenderer = renderer.cleanup;
  mkdirSync(renderer.dir, { recursive: true });
  writeFileSync(join(renderer.dir, 'index.html'), '<!doctype html><title>Register</title>');
  logged = [];
  const logger: Logger = { log: (level, message, fields) => logged.push({ level, message, fields }) };
  host = await startBrowserHost({ register: r.register, rendererDir: renderer.dir, port: 0, logger, limits });
}
afterEach(async () => {
  await host.close();
  await r.close();
  cleanupRenderer();
});

interface Connection {
  ws: WebSocket;
  replies: Reply[];
  closed: Promise<{ code: number; reason: string }>;
}

function connect(): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api?token=${host.token}`, { origin: `http://127.0.0.1:${host.port}` });
    const replies: Reply[] = [];
    ws.on('message', (data) => {
      const parsed = JSON.parse(data.toString()) as Reply | { event: string };
      if (!('event' in parsed)) replies.push(parsed);
    });
    const closed = new Promise<{ code: number; reason: string }>((done) =>
      ws.once('close', (code, reason) => done({ code, reason: reason.toString() })),
    );
    ws.once('open', () => resolve({ ws, replies, closed }));
    ws.once('error', reject);
  });
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((done) => setTimeout(done, 10));
  expect(condition()).toBe(true);
}

let nextId = 1;
const status = () => JSON.stringify({ id: nextId++, call: 'app.status', payload: {} });

describe('browser host limits', () => {
  it('turns away a screen past the connection cap with a reason, and lets one in when another leaves', async () => {
    await start({ maxConnections: 2 });
    const first = await connect();
    await connect();
    const third = await connect();
    const refusal = await third.closed;
    expect(refusal.code).toBe(1013);
    expect(refusal.reason).toMatch(/Too many screens/);
    expect(logged.filter((l) => l.level === 'warn' && /too many screens/i.test(l.message))).toHaveLength(1);
    // A page that keeps retrying does not fill the log.
    for (let i = 0; i < 5; i++) await (await connect()).closed;
    expect(logged.filter((l) => /too many screens/i.test(l.message))).toHaveLength(1);

    first.ws.close();
    await first.closed;
    // The count drops when the server sees the close; retry as the page would.
    let fourth: Connection | null = null;
    for (let attempt = 0; attempt < 50 && !fourth; attempt++) {
      const candidate = await connect();
      const outcome = await Promise.race([candidate.closed, new Promise<null>((done) => setTimeout(() => done(null), 100))]);
      if (outcome === null) fourth = candidate;
    }
    expect(fourth).not.toBeNull();
    fourth!.ws.send(status());
    await until(() => fourth!.replies.length === 1);
    expect(fourth!.replies[0]).toMatchObject({ ok: true });
  });

  it('answers messages past the rate with a clear error, and closes a screen that keeps flooding', async () => {
    // One message a minute after a burst of 10: nothing refills while the test runs.
    await start({ messageBurst: 10, messagesPerSecond: 1 / 60 });
    const c = await connect();
    for (let i = 0; i < 25; i++) c.ws.send(status());
    await until(() => c.replies.length === 25);
    expect(c.replies.filter((reply) => reply.ok)).toHaveLength(10);
    const refused = c.replies.filter((reply) => !reply.ok);
    expect(refused).toHaveLength(15);
    for (const reply of refused) {
      expect(typeof reply.id).toBe('number');
      expect(reply.error).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/too many requests/i) as unknown });
    }
    expect(logged.filter((l) => /too many messages/i.test(l.message))).toHaveLength(1);
    expect(c.ws.readyState).toBe(WebSocket.OPEN);

    for (let i = 0; i < 40; i++) c.ws.send(status());
    const closed = await c.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toMatch(/too many requests/i);
    expect(logged.some((l) => l.level === 'warn' && /closed a screen/i.test(l.message))).toBe(true);
  });

  it('keeps a screen working at an ordinary pace', async () => {
    await start({ messageBurst: 10, messagesPerSecond: 1 / 60 });
    const c = await connect();
    for (let i = 0; i < 10; i++) c.ws.send(status());
    await until(() => c.replies.length === 10);
    expect(c.replies.every((reply) => reply.ok)).toBe(true);
    expect(logged.filter((l) => l.level === 'warn')).toEqual([]);
  });
});
