/**
 * The browser host: serves the built renderer and the register contract over a WebSocket on
 * 127.0.0.1, for Chromium tests, machines without Electron, and later a reception tablet.
 * Guarded by a per-launch token (in the printed address) and an Origin check.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Register } from '../core/register.js';
import type { Logger } from '../log/logger.js';

export interface BrowserHostOptions {
  register: Register;
  rendererDir: string;
  port: number;
  /** Fixed token (tests); default: 32 random bytes per launch. */
  token?: string;
  logger: Logger;
}

export interface BrowserHost {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 1024 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "img-src 'self' data: blob:",
    "style-src 'self' 'unsafe-inline'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const { logger, register } = options;
  let port = options.port;

  const server: Server = createServer((req, res) => serveStatic(req, res, options.rendererDir, port));
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const refuse = (status: number, why: string) => {
      logger.log('warn', `refused a connection to the browser host: ${why}`, { origin: req.headers.origin ?? null });
      socket.write(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Forbidden'}\r\nConnection: close\r\n\r\n`);
      socket.destroy();
    };
    if (url.pathname !== '/api') return refuse(403, 'unknown path');
    const given = Buffer.from(url.searchParams.get('token') ?? '');
    if (given.length !== tokenBytes.length || !timingSafeEqual(given, tokenBytes)) return refuse(401, 'wrong or missing token');
    const allowedOrigins = [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
    if (!allowedOrigins.includes(req.headers.origin ?? '')) return refuse(403, 'foreign origin');
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  function attach(ws: WebSocket): void {
    const client = register.connect((event) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(event));
    });
    ws.on('message', (data, isBinary) => {
      void (async () => {
        let message: unknown;
        try {
          if (isBinary) throw new Error('binary');
          message = JSON.parse(data.toString());
        } catch {
          ws.send(JSON.stringify({ id: null, ok: false, error: { code: 'invalid_message', message: 'The message is not JSON text.' } }));
          return;
        }
        const response = await client.dispatch(message);
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(response));
      })();
    });
    ws.on('close', () => client.close());
    ws.on('error', (error) => logger.log('warn', 'browser host socket error', { error: error.message }));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/?token=${token}`;

  return {
    url,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function serveStatic(req: IncomingMessage, res: ServerResponse, rendererDir: string, port: number): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  const relative = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
  const file = normalize(join(rendererDir, relative));
  if (!file.startsWith(normalize(rendererDir) + sep) || !existsSync(file) || !statSync(file).isFile()) {
    const missingBuild = relative === 'index.html';
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(missingBuild ? 'The screens are not built: run `npm run build`, then start the register again.' : 'Not found');
    return;
  }
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Security-Policy': contentSecurityPolicy(port),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
}
