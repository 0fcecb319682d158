/**
 * The tablet server: a second listener, on the store's network, only while a manager has turned
 * the tablet on (Settings › Tablet). HTTPS with the register's own certificate (./certificate.ts).
 *
 * It serves the tablet page (dist/renderer/tablet.html and its assets) and exactly three things:
 *   POST /pair           a one-time code from Settings › Tablet → this device's token
 *   wss  /tablet         { hello, token } first; then the register pushes the agreement to sign
 *                        and the tablet may send one thing: { submit } with the signature.
 * Nothing of the register's own contract is reachable here. A request from another page (Origin),
 * for another host name (Host), an unpaired or revoked token, any other message, or a signature
 * past MAX_SIGNATURE_PNG_BYTES is refused with words that say what to do.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  MAX_SIGNATURE_DATA_URL_CHARS,
  TABLET_CLOSE_NOT_PAIRED,
  tabletClientMessageSchema,
  tabletPairRequestSchema,
  type TabletServerMessage,
} from '../../preload/contract/tablet.js';
import { CoreError } from '../core/errors.js';
import type { Logger } from '../log/logger.js';
import { lanAddresses, type TabletCertificate } from './certificate.js';
import type { SignedOutcome, TabletService } from './service.js';

export interface TabletServerOptions {
  service: TabletService;
  certificate: TabletCertificate;
  /** Where to listen: 0.0.0.0 in a store; 127.0.0.1 in tests. */
  host: string;
  port: number;
  pageDir: string;
  logger: Logger;
  onSigned(outcome: SignedOutcome): void;
  onConnectionsChanged(): void;
}

export interface TabletServer {
  readonly port: number;
  /** The address a tablet opens: https://<LAN address>:<port>/ */
  readonly address: string;
  /** The agreement waiting for this device changed: push it. */
  notify(deviceId: string): void;
  /** A device was revoked: close its pages. */
  disconnect(deviceId: string): void;
  connected(deviceId: string): boolean;
  close(): Promise<void>;
}

const MAX_PAIR_BODY_BYTES = 4096;
/** Above the largest valid submit: anything longer is refused unread. */
const MAX_TABLET_MESSAGE_CHARS = MAX_SIGNATURE_DATA_URL_CHARS + 2048;
/** The socket itself refuses frames past this (ws closes with 1009). */
const HARD_MAX_PAYLOAD = 4 * 1024 * 1024;
const HELLO_TIMEOUT_MS = 10_000;
const MAX_CONNECTIONS = 16;

export const NOT_PAIRED_MESSAGE = 'This tablet is not paired with the register (or was unpaired). Ask a manager to pair it in Settings › Tablet.';
export const NOT_ALLOWED_MESSAGE = 'A tablet can only show the agreement it is sent and send back the signature.';
export const TOO_LARGE_MESSAGE = `The signature is too large to send (at most ${MAX_SIGNATURE_DATA_URL_CHARS} characters): clear it and sign again.`;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

export async function startTabletServer(options: TabletServerOptions): Promise<TabletServer> {
  const { service, logger } = options;
  const sockets = new Map<WebSocket, string>();
  let port = options.port;

  /** Host names a tablet may use to reach this machine (not a name someone else's DNS points here). */
  const allowedHostnames = (): Set<string> => new Set(['localhost', '127.0.0.1', ...lanAddresses(), ...(options.host !== '0.0.0.0' ? [options.host] : [])]);
  const hostOf = (req: IncomingMessage): string | null => {
    const host = req.headers.host ?? '';
    const match = /^([A-Za-z0-9.-]+)(?::(\d+))?$/.exec(host);
    if (!match || !allowedHostnames().has(match[1]!.toLowerCase()) || Number(match[2] ?? 443) !== port) return null;
    return host.toLowerCase();
  };
  const sameOrigin = (req: IncomingMessage, host: string): boolean => req.headers.origin === `https://${host}`;

  const server: Server = createServer({ key: options.certificate.key, cert: options.certificate.cert }, (req, res) => {
    const host = hostOf(req);
    if (!host) return plain(res, 421, 'This address is not the register\'s: open the address shown in Settings › Tablet.');
    const url = new URL(req.url ?? '/', `https://${host}`);
    if (url.pathname === '/pair') return void pair(req, res, host);
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'The tablet page only reads pages here.');
    if (url.pathname === '/' || url.pathname === '/tablet.html') return serveFile(res, join(options.pageDir, 'tablet.html'), host, req.method === 'HEAD');
    if (url.pathname.startsWith('/assets/')) {
      const file = normalize(join(options.pageDir, decodeURIComponent(url.pathname)));
      if (file.startsWith(normalize(join(options.pageDir, 'assets')) + sep)) return serveFile(res, file, host, req.method === 'HEAD');
    }
    return plain(res, 404, 'This address only serves the reception tablet page.');
  });

  async function pair(req: IncomingMessage, res: ServerResponse, host: string): Promise<void> {
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST') return answer(405, { ok: false, message: 'Pair by sending the code from the tablet page.' });
    if (!sameOrigin(req, host)) {
      logger.log('warn', 'refused a tablet pairing from another page', { origin: req.headers.origin ?? null });
      return answer(403, { ok: false, message: 'Pair from the tablet page the register serves, not from another page.' });
    }
    let body = '';
    let tooLarge = false;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      body += chunk.toString('utf8');
      if (body.length > MAX_PAIR_BODY_BYTES) {
        tooLarge = true;
        break;
      }
    }
    if (tooLarge) return answer(413, { ok: false, message: 'The pairing request is too large.' });
    let parsed;
    try {
      parsed = tabletPairRequestSchema.safeParse(JSON.parse(body));
    } catch {
      return answer(400, { ok: false, message: 'The pairing request is not JSON.' });
    }
    if (!parsed.success) return answer(400, { ok: false, message: parsed.error.issues[0]?.message ?? 'The pairing request is not valid.' });
    try {
      const paired = service.pair(parsed.data.code, parsed.data.name);
      logger.log('info', 'a tablet paired', { deviceId: paired.deviceId, name: paired.name });
      options.onConnectionsChanged();
      return answer(200, { ok: true, ...paired });
    } catch (error) {
      const message = error instanceof CoreError ? error.message : 'The register could not pair this tablet: try again.';
      logger.log('warn', 'refused a tablet pairing code', { why: message });
      return answer(403, { ok: false, message });
    }
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: HARD_MAX_PAYLOAD });
  server.on('upgrade', (req, socket, head) => {
    const refuse = (status: number, why: string) => {
      logger.log('warn', `refused a tablet connection: ${why}`, { origin: req.headers.origin ?? null });
      socket.write(`HTTP/1.1 ${status} ${status === 421 ? 'Misdirected Request' : 'Forbidden'}\r\nConnection: close\r\n\r\n`);
      socket.destroy();
    };
    const host = hostOf(req);
    if (!host) return refuse(421, 'unknown host name');
    if (new URL(req.url ?? '/', `https://${host}`).pathname !== '/tablet') return refuse(403, 'unknown path');
    if (!sameOrigin(req, host)) return refuse(403, 'foreign origin');
    if (sockets.size >= MAX_CONNECTIONS) return refuse(403, 'too many tablet pages');
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  const send = (ws: WebSocket, message: TabletServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const current = (ws: WebSocket, deviceId: string) => {
    const agreement = service.currentFor(deviceId);
    send(ws, agreement ? { type: 'agreement', agreement } : { type: 'idle' });
  };

  function attach(ws: WebSocket): void {
    let deviceId: string | null = null;
    const helloTimer = setTimeout(() => ws.close(TABLET_CLOSE_NOT_PAIRED, 'No hello.'), HELLO_TIMEOUT_MS);
    const refuse = (code: 'not_paired' | 'invalid_message' | 'not_allowed' | 'too_large' | 'not_waiting' | 'unavailable', message: string, requestId: string | null = null) =>
      send(ws, { type: 'error', code, message, requestId });
    ws.on('message', (data, isBinary) => {
      void (async () => {
        const text = isBinary ? null : data.toString();
        if (text === null || text.length > MAX_TABLET_MESSAGE_CHARS) {
          logger.log('warn', 'refused an oversized tablet message', { bytes: Buffer.isBuffer(data) ? data.length : null, deviceId });
          return refuse('too_large', TOO_LARGE_MESSAGE);
        }
        let raw: unknown;
        try {
          raw = JSON.parse(text);
        } catch {
          return refuse('invalid_message', 'The tablet sent something that is not a message: reload the page.');
        }
        const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
        if (type !== 'hello' && type !== 'submit') {
          logger.log('warn', 'refused a tablet message that is not the tablet\'s', { type: typeof type === 'string' ? type.slice(0, 40) : null, deviceId });
          return refuse('not_allowed', NOT_ALLOWED_MESSAGE);
        }
        const parsed = tabletClientMessageSchema.safeParse(raw);
        if (!parsed.success) {
          const requestId = type === 'submit' ? String((raw as { requestId?: unknown }).requestId ?? '') || null : null;
          const tooLarge = parsed.error.issues.some((issue) => issue.code === 'too_big');
          return refuse(tooLarge ? 'too_large' : 'invalid_message', tooLarge ? TOO_LARGE_MESSAGE : (parsed.error.issues[0]?.message ?? 'The message is not valid.'), requestId);
        }
        const message = parsed.data;
        if (message.type === 'hello') {
          clearTimeout(helloTimer);
          const device = service.authenticate(message.token);
          if (!device) {
            logger.log('warn', 'refused a tablet with an unknown or revoked token');
            refuse('not_paired', NOT_PAIRED_MESSAGE);
            ws.close(TABLET_CLOSE_NOT_PAIRED, 'Not paired.');
            return;
          }
          deviceId = device.id;
          sockets.set(ws, device.id);
          options.onConnectionsChanged();
          send(ws, { type: 'ready', deviceName: device.name, storeName: service.storeName() });
          current(ws, device.id);
          return;
        }
        // submit
        if (deviceId === null || !service.isActive(deviceId)) return refuse('not_paired', NOT_PAIRED_MESSAGE, message.requestId);
        try {
          const outcome = await service.submit(deviceId, message);
          send(ws, { type: 'received', requestId: message.requestId });
          if (outcome.fresh) {
            logger.log('info', 'a membership agreement was signed on a tablet', { requestId: message.requestId, deviceId });
            options.onSigned(outcome);
          }
          current(ws, deviceId);
        } catch (error) {
          if (error instanceof CoreError) {
            const code = error.code === 'conflict' ? 'not_waiting' : error.code === 'forbidden' ? 'not_allowed' : 'invalid_message';
            return refuse(code, error.message, message.requestId);
          }
          logger.log('error', 'a signature from a tablet could not be saved', { error: error instanceof Error ? error.stack : String(error) });
          return refuse('unavailable', 'The register could not save the signature just now: it is kept on this tablet and sent again in a moment.', message.requestId);
        }
      })();
    });
    ws.on('close', () => {
      clearTimeout(helloTimer);
      if (sockets.delete(ws)) options.onConnectionsChanged();
    });
    ws.on('error', (error) => logger.log('warn', 'tablet socket error', { error: error.message }));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = options.host === '0.0.0.0' ? (lanAddresses()[0] ?? '127.0.0.1') : options.host;

  return {
    port,
    address: `https://${shownHost}:${port}/`,
    notify(deviceId) {
      for (const [ws, id] of sockets) if (id === deviceId) current(ws, id);
    },
    disconnect(deviceId) {
      for (const [ws, id] of sockets) {
        if (id !== deviceId) continue;
        send(ws, { type: 'error', code: 'not_paired', message: NOT_PAIRED_MESSAGE, requestId: null });
        ws.close(TABLET_CLOSE_NOT_PAIRED, 'Unpaired.');
      }
    },
    connected: (deviceId) => [...sockets.values()].includes(deviceId),
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };

  function serveFile(res: ServerResponse, file: string, host: string, headOnly: boolean): void {
    if (!existsSync(file) || !statSync(file).isFile()) {
      return plain(res, 404, file.endsWith('tablet.html') ? 'The tablet page is not built: run `npm run build`, then turn the tablet on again.' : 'Not found');
    }
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': [
        "default-src 'self'",
        `connect-src 'self' wss://${host}`,
        "img-src 'self' data: blob:",
        "style-src 'self' 'unsafe-inline'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'none'",
      ].join('; '),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
      'Strict-Transport-Security': 'max-age=0',
    });
    if (headOnly) res.end();
    else createReadStream(file).pipe(res);
  }
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}
