import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { startBrowserHost, type BrowserHost } from '../../../main/host/server.js';
import { silentLogger } from '../../../main/log/logger.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';
import { tempDir } from '../../support/paths.js';

let host: BrowserHost;
let r: TestRegister;
let cleanupRenderer: () => void;

async function start(): Promise<void> {
  r = await startTestRegister();
  const renderer = tempDir();
  cleanupRenderer = renderer.cleanup;
  mkdirSync(renderer.dir, { recursive: true });
  writeFileSync(join(renderer.dir, 'index.html'), '<!doctype html><title>Register</title>');
  host = await startBrowserHost({ register: r.register, rendererDir: renderer.dir, port: 0, logger: silentLogger });
}
afterEach(async () => {
  await host.close();
  await r.close();
  cleanupRenderer();
});

function connect(query: string, origin: string | undefined): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api${query}`, origin ? { origin } : {});
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Send one message and resolve with its response (events that arrive meanwhile are skipped). */
function ask(ws: WebSocket, message: string): Promise<unknown> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const parsed = JSON.parse(data.toString()) as Record<string, unknown>;
      if ('event' in parsed) return;
      ws.off('message', onMessage);
      resolve(parsed);
    };
    ws.on('message', onMessage);
    ws.send(message);
  });
}

describe('browser host', () => {
  it('serves the contract to a page of its own origin with the token', async () => {
    await start();
    const ws = await connect(`?token=${host.token}`, `http://127.0.0.1:${host.port}`);
    expect(await ask(ws, JSON.stringify({ id: 7, call: 'session.login', payload: { pin: '1111' } }))).toMatchObject({ id: 7, ok: true });
    ws.close();
  });

  it('refuses a missing or wrong token', async () => {
    await start();
    await expect(connect('', `http://127.0.0.1:${host.port}`)).rejects.toThrow('HTTP 401');
    await expect(connect('?token=guess', `http://127.0.0.1:${host.port}`)).rejects.toThrow('HTTP 401');
  });

  it('refuses another origin even with the token', async () => {
    await start();
    await expect(connect(`?token=${host.token}`, 'http://evil.example')).rejects.toThrow('HTTP 403');
    await expect(connect(`?token=${host.token}`, undefined)).rejects.toThrow('HTTP 403');
  });

  it('answers text that is not JSON with a typed error and stays up', async () => {
    await start();
    const ws = await connect(`?token=${host.token}`, `http://127.0.0.1:${host.port}`);
    expect(await ask(ws, '{not json')).toMatchObject({ id: null, ok: false, error: { code: 'invalid_message' } });
    expect(await ask(ws, JSON.stringify({ id: 2, call: 'app.status', payload: {} }))).toMatchObject({ id: 2, ok: true });
    ws.close();
  });

  it('serves the screens with a strict Content-Security-Policy and nothing outside them', async () => {
    await start();
    const page = await fetch(`http://127.0.0.1:${host.port}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'.*script-src 'self'/);
    expect((await fetch(`http://127.0.0.1:${host.port}/..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${host.port}/`, { method: 'POST' })).status).toBe(405);
  });
});
