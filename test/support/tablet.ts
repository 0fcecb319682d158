/** A stand-in tablet for integration tests: pairs over HTTPS and talks the tablet protocol over wss. */
import { request } from 'node:https';
import WebSocket from 'ws';

export async function postJson(url: string, body: unknown, origin: string | null): Promise<{ status: number; body: Record<string, unknown> }> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', rejectUnauthorized: false, headers: { 'Content-Type': 'application/json', ...(origin ? { Origin: origin } : {}) }, timeout: 10_000 },
      (res) => {
        let data = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (data += chunk));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) as Record<string, unknown> });
          } catch {
            resolve({ status: res.statusCode ?? 0, body: { text: data } });
          }
        });
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

export interface TabletSocket {
  ws: WebSocket;
  messages: Array<Record<string, unknown>>;
  /** The next message of this type (waits for it; bounded). */
  next(type: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  send(message: unknown): void;
  closed: Promise<{ code: number; reason: string }>;
}

export async function openTablet(address: string, origin: string | null): Promise<TabletSocket> {
  const url = address.replace(/^https:/, 'wss:') + 'tablet';
  const ws = new WebSocket(url, { rejectUnauthorized: false, headers: origin ? { Origin: origin } : {} });
  const messages: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data) => {
    messages.push(JSON.parse(data.toString()) as Record<string, unknown>);
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused: ${res.statusCode}`)));
  });
  let seen = 0;
  return {
    ws,
    messages,
    closed,
    send: (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
    async next(type, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = messages.findIndex((m, i) => i >= seen && m.type === type);
        if (index >= 0) {
          seen = index + 1;
          return messages[index]!;
        }
        if (Date.now() > deadline) throw new Error(`no "${type}" message; got ${JSON.stringify(messages.slice(seen))}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
  };
}
