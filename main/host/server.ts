/**
 * The browser host: serves the built renderer and the register contract over a WebSocket on
 * 127.0.0.1, for Chromium tests, machines without Electron, and later a reception tablet.
 * Guarded by a per-launch token (in the printed address) and an Origin check, and limited in how
 * many screens connect at once and how fast each may send (see BrowserHostLimits).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Register } from '../core/register.js';
import type { Logger } from '../log/logger.js';

export interface BrowserHostOptions {
  register: Register;
  rendererDir: string;
  port: number;
  /** Fixed token (tests); default: 32 random bytes per launch. */
  token?: string;
  logger: Logger;
  limits?: BrowserHostLimits;
}

/**
 * What one register's browser host accepts. A screen past the cap is closed with 1013 and a
 * reason the page shows; a message past the rate is answered `unavailable` without reaching the
 * core, and a screen that keeps sending past the rate is closed with 1008.
 */
export interface BrowserHostLimits {
  /** Screens (sockets) connected at once. */
  maxConnections?: number;
  /** Messages a screen may send in one burst... */
  messageBurst?: number;
  /** ...and the pace at which that allowance comes back. */
  messagesPerSecond?: number;
}

export const DEFAULT_HOST_LIMITS: Required<BrowserHostLimits> = {
  maxConnections: 16,
  messageBurst: 200,
  messagesPerSecond: 50,
};

const REFUSAL_LOG_INTERVAL_MS = 60_000;
/** Close codes of RFC 6455: 1013 try again later, 1008 policy violation. */
const CLOSE_TOO_MANY_SCREENS = 1013;
const CLOSE_FLOODING = 1008;
export const TOO_MANY_SCREENS_REASON = 'Too many screens are connected to this register. Close one you no longer use; this one retries by itself.';
export const FLOODING_REASON = 'This screen sent too many requests at once. It reconnects by itself.';
const RATE_LIMITED_MESSAGE = 'This screen sent too many requests at once: wait a moment and try again.';

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
  const limits: Required<BrowserHostLimits> = {
    maxConnections: options.limits?.maxConnections ?? DEFAULT_HOST_LIMITS.maxConnections,
    messageBurst: options.limits?.messageBurst ?? DEFAULT_HOST_LIMITS.messageBurst,
    messagesPerSecond: options.limits?.messagesPerSecond ?? DEFAULT_HOST_LIMITS.messagesPerSecond,
  };
  let port = options.port;
  let connected = 0;
  let refusedScreens = 0;
  let lastRefusalLogged = Number.NEGATIVE_INFINITY;

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
    if (connected >= limits.maxConnections) {
      // A page retries by itself: log the first refusal, then at most one line a minute with the count.
      refusedScreens++;
      const now = Date.now();
      if (now - lastRefusalLogged >= REFUSAL_LOG_INTERVAL_MS) {
        logger.log('warn', 'refused a screen on the browser host: too many screens connected', { connected, max: limits.maxConnections, refused: refusedScreens });
        lastRefusalLogged = now;
        refusedScreens = 0;
      }
      ws.close(CLOSE_TOO_MANY_SCREENS, TOO_MANY_SCREENS_REASON);
      return;
    }
    connected++;
    const client = register.connect((event) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(event));
    });
    const bucket = new TokenBucket(limits.messageBurst, limits.messagesPerSecond);
    // Messages refused in a row: past twice the burst, the screen is closed.
    let refusedInARow = 0;
    const reply = (response: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(response));
    };
    ws.on('message', (data, isBinary) => {
      if (ws.readyState !== ws.OPEN) return;
      if (!bucket.take()) {
        refusedInARow++;
        if (refusedInARow === 1) {
          logger.log('warn', 'a screen on the browser host sends too many messages: refusing the excess', { burst: limits.messageBurst, perSecond: limits.messagesPerSecond });
        }
        if (refusedInARow > 2 * limits.messageBurst) {
          logger.log('warn', 'closed a screen on the browser host that kept sending too many messages', { refused: refusedInARow });
          ws.close(CLOSE_FLOODING, FLOODING_REASON);
          return;
        }
        reply({ id: idOf(data, isBinary), ok: false, error: { code: 'unavailable', message: RATE_LIMITED_MESSAGE, detail: { retryAfterMs: bucket.msUntilNext() } } });
        return;
      }
      refusedInARow = 0;
      void (async () => {
        let message: unknown;
        try {
          if (isBinary) throw new Error('binary');
          message = JSON.parse(data.toString());
        } catch {
          reply({ id: null, ok: false, error: { code: 'invalid_message', message: 'The message is not JSON text.' } });
          return;
        }
        reply(await client.dispatch(message));
      })();
    });
    ws.on('close', () => {
      connected--;
      client.close();
    });
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

/** A message allowance that refills at a steady pace, up to its burst. */
class TokenBucket {
  private tokens: number;
  private at = performance.now();

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
  ) {
    this.tokens = burst;
  }

  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.perSecond);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  msUntilNext(): number {
    return Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
  }
}

/** The id of a refused message, so the caller's pending call resolves (null when unreadable). */
function idOf(data: RawData, isBinary: boolean): number | null {
  // A refused message is not worth parsing at length: a large one gets no id.
  if (isBinary || !Buffer.isBuffer(data) || data.length > 4096) return null;
  try {
    const parsed: unknown = JSON.parse(data.toString());
    const id = typeof parsed === 'object' && parsed !== null ? (parsed as { id?: unknown }).id : undefined;
    return typeof id === 'number' && Number.isInteger(id) && id >= 0 ? id : null;
  } catch {
    return null;
  }
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
