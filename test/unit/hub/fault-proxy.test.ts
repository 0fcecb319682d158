/**
 * The hub tests' link proxy: each mode does to real TCP bytes what it says (an echo server on
 * 127.0.0.1 stands for the hub; an upstream counter tells what reached it).
 */
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FaultProxy, startFaultProxy } from '../../support/fault-proxy.js';

let echo: net.Server;
let received = 0;
let proxy: FaultProxy;

beforeEach(async () => {
  received = 0;
  echo = net.createServer((socket) => {
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      socket.write(chunk);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', () => resolve()));
  proxy = await startFaultProxy({ targetPort: (echo.address() as net.AddressInfo).port, maxConnections: 3 });
});

afterEach(async () => {
  await proxy.stop();
  await new Promise<void>((resolve) => echo.close(() => resolve()));
});

interface Conn {
  socket: net.Socket;
  data: () => string;
  closed: Promise<string>;
}

function connect(): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port: proxy.port });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    const closed = new Promise<string>((done) => {
      socket.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? 'error'));
      socket.on('close', () => done('closed'));
    });
    socket.once('connect', () => resolve({ socket, data: () => text, closed }));
    socket.once('error', reject);
  });
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A short settle for "nothing happened": only used after a round trip proves the path is live. */
async function roundTrip(conn: Conn, marker: string): Promise<void> {
  conn.socket.write(marker);
  await until(() => conn.data().includes(marker));
}

describe('fault proxy', () => {
  it('passes bytes both ways', async () => {
    const conn = await connect();
    await roundTrip(conn, 'hello');
    expect(conn.data()).toBe('hello');
    expect(proxy.stats.upBytes).toBe(5);
    expect(proxy.stats.downBytes).toBe(5);
    conn.socket.destroy();
  });

  it('black-holes both directions without closing, then passes again', async () => {
    const conn = await connect();
    await roundTrip(conn, 'a');
    proxy.set('blackhole');
    conn.socket.write('lost');
    await until(() => proxy.stats.droppedUpBytes === 4);
    expect(received).toBe(1);
    expect(conn.socket.destroyed).toBe(false);
    proxy.set('pass');
    await roundTrip(conn, 'b');
    expect(conn.data()).toBe('ab');
    conn.socket.destroy();
  });

  it('drops only the replies (drop_down): the hub gets the request, the station hears nothing', async () => {
    const conn = await connect();
    proxy.set('drop_down');
    conn.socket.write('push');
    await until(() => received === 4 && proxy.stats.droppedDownBytes === 4);
    expect(conn.data()).toBe('');
    proxy.set('pass');
    await roundTrip(conn, 'x');
    expect(conn.data()).toBe('x');
    conn.socket.destroy();
  });

  it('drops only the requests (drop_up)', async () => {
    const conn = await connect();
    proxy.set('drop_up');
    conn.socket.write('push');
    await until(() => proxy.stats.droppedUpBytes === 4);
    expect(received).toBe(0);
    conn.socket.destroy();
  });

  it('resets open connections and refuses new ones', async () => {
    const conn = await connect();
    await roundTrip(conn, 'a');
    proxy.set('reset');
    expect(await conn.closed).toMatch(/ECONNRESET|closed/);
    const next = await connect().catch(() => null);
    if (next) expect(await next.closed).toMatch(/ECONNRESET|closed/);
    proxy.set('pass');
    const again = await connect();
    await roundTrip(again, 'ok');
    again.socket.destroy();
  });

  it('delays bytes in order', async () => {
    const conn = await connect();
    proxy.set('delay', 30);
    for (const piece of ['1', '2', '3']) conn.socket.write(piece);
    await until(() => conn.data().length === 3);
    expect(conn.data()).toBe('123');
    conn.socket.destroy();
  });

  it('bounds open connections', async () => {
    const conns = await Promise.all([connect(), connect(), connect()]);
    await Promise.all(conns.map((conn, i) => roundTrip(conn, `c${i}`)));
    const fourth = await connect().catch((error: NodeJS.ErrnoException) => error.code ?? 'error');
    expect(typeof fourth === 'string' ? fourth : await fourth.closed).toMatch(/ECONNRESET|closed/);
    expect(proxy.stats.open).toBe(3);
    for (const conn of conns) conn.socket.destroy();
  });
});
