/**
 * The hub's HTTPS + WSS server on the LAN (one port):
 *   POST /v1/pair            pairing (no token; the one-time code's proof)
 *   GET  /v1/info            hub id, store name, fingerprint (a hint for the Settings screen)
 *   GET  /v1/ws              WebSocket: hello, then requests; doorbells pushed
 *   POST /v1/rpc             one request, `Authorization: Device <token>`
 *   PUT/GET/HEAD /v1/files/<sha>  customer documents' files (sha256-named, checked on upload;
 *                            HEAD: 200 when the hub holds it whole, 404 when not, no body;
 *                            a damaged stored file is moved aside and answered 404: ./file-store.ts)
 *   /admin/...               from 127.0.0.1 only, with the data folder's admin token
 * Every body is size-limited and parsed with the protocol's zod schemas.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { WebSocketServer, type WebSocket } from 'ws';
import { clientFrame, hubRequest, pairRequest, PROTOCOL_VERSION, type ServerFrame } from './protocol.js';
import { DOORBELL_CHANNEL } from './changes.js';
import { dispatch, hello, HubError, toHubError, type RequestContext, type Session } from './requests.js';
import { authenticate, pairDevice, PairingRefused, type AuthenticatedDevice } from './pairing.js';
import type { HubTls } from './identity.js';
import type { AdminApi } from './admin.js';
import { askStationsToResend, HubFiles } from './file-store.js';

const MAX_BODY = 2 * 1024 * 1024;
const MAX_FILE = 25 * 1024 * 1024;
const MAX_SOCKETS = 200;

export interface ServerOptions {
  ctx: RequestContext;
  tls: HubTls;
  dataDir: string;
  adminToken: string;
  admin: AdminApi;
  connection: pg.ClientConfig;
  host?: string;
  port?: number;
}

export interface HubServer {
  port: number;
  /** Closes every socket of a device (after a revoke). */
  disconnect(deviceId: string): void;
  connectedDevices(): string[];
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new HttpError(413, 'That request is too large for the hub.'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const body = await readBody(req, MAX_BODY);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'The hub could not read this request (it is not JSON).');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

function sendError(res: ServerResponse, error: HubError): void {
  const status = error.code === 'unauthorised' || error.code === 'revoked' ? 401 : error.code === 'bad_request' || error.code === 'protocol_version' ? 400 : error.code === 'internal' ? 500 : 409;
  send(res, status, { type: 'error', rid: null, code: error.code, message: error.message, ...error.extra });
}

function bearer(req: IncomingMessage, scheme: string): string {
  const header = req.headers.authorization ?? '';
  return header.startsWith(`${scheme} `) ? header.slice(scheme.length + 1).trim() : '';
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function isLoopback(req: IncomingMessage): boolean {
  const address = req.socket.remoteAddress ?? '';
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

export async function startServer(options: ServerOptions): Promise<HubServer> {
  const { ctx } = options;
  const sockets = new Map<WebSocket, Session | null>();
  const files = new HubFiles(join(options.dataDir, 'files'), ctx.log, (sha) => {
    askStationsToResend(ctx.pool, sha, ctx.now()).catch((error: unknown) => ctx.log(`could not ask the stations to send a damaged document file again (${sha}): ${String(error)}`));
  });

  async function deviceFrom(req: IncomingMessage): Promise<AuthenticatedDevice> {
    const auth = await authenticate(ctx.pool, bearer(req, 'Device'));
    if (!auth.ok) throw new HubError(auth.code, auth.message);
    return auth.device;
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://hub.local');
    const path = url.pathname;
    if (req.method === 'GET' && path === '/v1/info') {
      const meta = ctx.meta();
      send(res, 200, { hubId: meta.hubId, storeName: meta.storeName, fingerprint256: options.tls.fingerprint256, protocolVersion: PROTOCOL_VERSION });
      return;
    }
    if (req.method === 'POST' && path === '/v1/pair') {
      const request = pairRequest.parse(await readJson(req));
      if (request.protocolVersion !== PROTOCOL_VERSION) throw new HubError('protocol_version', `This station speaks hub protocol ${request.protocolVersion}; the hub speaks ${PROTOCOL_VERSION}. Update the older one.`);
      try {
        const paired = await pairDevice(ctx.pool, request, options.tls.fingerprint256, ctx.now());
        const meta = ctx.meta();
        options.ctx.log(`paired ${request.role} "${request.deviceName}" (${paired.deviceId})`);
        send(res, 200, { hubId: meta.hubId, hubEpoch: meta.hubEpoch, storeName: meta.storeName, ...paired, fingerprint256: options.tls.fingerprint256, hubTimeMs: ctx.now() });
      } catch (error) {
        if (error instanceof PairingRefused) throw new HubError('pairing_refused', error.message);
        throw error;
      }
      return;
    }
    if (req.method === 'POST' && path === '/v1/rpc') {
      const device = await deviceFrom(req);
      const request = hubRequest.parse(await readJson(req));
      if (request.type === 'hello') {
        send(res, 200, (await hello(ctx, { ...request, token: bearer(req, 'Device') })).reply);
        return;
      }
      send(res, 200, await dispatch(ctx, device, request));
      return;
    }
    const file = /^\/v1\/files\/([0-9a-f]{64})$/.exec(path);
    if (file?.[1]) {
      await deviceFrom(req);
      const sha = file[1];
      if (req.method === 'PUT') {
        const body = await readBody(req, MAX_FILE);
        if (createHash('sha256').update(body).digest('hex') !== sha) throw new HttpError(400, 'The file did not arrive whole: send it again.');
        if (!(await files.holds(sha))) files.write(sha, body);
        send(res, 200, { sha256: sha, sizeBytes: body.length });
        return;
      }
      if (req.method === 'HEAD') {
        res.writeHead((await files.holds(sha)) ? 200 : 404, { 'cache-control': 'no-store' });
        res.end();
        return;
      }
      if (req.method === 'GET') {
        if (!(await files.holds(sha))) throw new HttpError(404, 'The hub does not hold this file yet.');
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        createReadStream(files.path(sha))
          .on('error', () => res.destroy())
          .pipe(res);
        return;
      }
    }
    if (path.startsWith('/admin/')) {
      if (!isLoopback(req) || !sameText(bearer(req, 'Bearer'), options.adminToken)) throw new HttpError(403, 'Hub administration works only on the hub PC itself.');
      const body = req.method === 'POST' ? await readJson(req) : undefined;
      send(res, 200, await options.admin.handle(req.method ?? 'GET', path, body));
      return;
    }
    throw new HttpError(404, 'Not found.');
  }

  const server = https.createServer({ key: options.tls.key, cert: options.tls.cert }, (req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpError) send(res, error.status, { type: 'error', rid: null, code: error.status === 400 || error.status === 413 ? 'bad_request' : 'not_found', message: error.message });
      else sendError(res, toHubError(error, ctx.log));
    });
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;

  const wss = new WebSocketServer({ server, path: '/v1/ws', maxPayload: MAX_BODY });
  wss.on('connection', (socket) => {
    if (sockets.size >= MAX_SOCKETS) {
      socket.close(1013, 'too many stations');
      return;
    }
    sockets.set(socket, null);
    const sendFrame = (frame: ServerFrame) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
    };
    // Requests from one socket run in order: a push and the pull after it never overtake each other.
    let queue: Promise<void> = Promise.resolve();
    socket.on('message', (raw) => {
      queue = queue.then(async () => {
        let rid: number | null = null;
        try {
          let json: unknown;
          try {
            json = JSON.parse(String(raw));
          } catch {
            throw new HubError('bad_request', 'The hub could not read this message (it is not JSON).');
          }
          if (json && typeof json === 'object' && 'rid' in json && typeof json.rid === 'number') rid = json.rid;
          const frame = clientFrame.parse(json);
          const session = sockets.get(socket) ?? null;
          if (frame.request.type === 'hello') {
            const answer = await hello(ctx, frame.request);
            sockets.set(socket, { device: answer.device, capabilities: answer.capabilities });
            sendFrame({ type: 'reply', rid: frame.rid, body: answer.reply });
            return;
          }
          if (!session) throw new HubError('unauthorised', 'Say hello with the station token first.');
          const device = session.device;
          // A device revoked since its hello loses its socket at once (disconnect), but check anyway.
          const auth = await ctx.pool.query<{ revoked_at: number | null }>('SELECT revoked_at FROM devices WHERE device_id = $1', [device.deviceId]);
          if (auth.rows[0]?.revoked_at != null) throw new HubError('revoked', 'A manager removed this station from the store hub: pair it again in Settings → Store hub.');
          sendFrame({ type: 'reply', rid: frame.rid, body: await dispatch(ctx, device, frame.request, session.capabilities) });
        } catch (error) {
          const hubError = toHubError(error, ctx.log);
          sendFrame({ type: 'error', rid, code: hubError.code, message: hubError.message, ...hubError.extra });
          if (hubError.code === 'unauthorised' || hubError.code === 'revoked') socket.close(4001, hubError.code);
        }
      });
    });
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => sockets.delete(socket));
  });

  // The doorbell: one dedicated connection LISTENs; every committed change rings every socket.
  const listener = new pg.Client(options.connection);
  listener.on('error', (error) => ctx.log(`doorbell connection lost: ${error.message}`));
  await listener.connect();
  await listener.query(`LISTEN ${DOORBELL_CHANNEL}`);
  listener.on('notification', (message) => {
    const version = Number(message.payload);
    if (!Number.isInteger(version)) return;
    const frame = JSON.stringify({ type: 'doorbell', version, hubEpoch: ctx.meta().hubEpoch } satisfies ServerFrame);
    for (const [socket, session] of sockets) if (session && socket.readyState === socket.OPEN) socket.send(frame);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '0.0.0.0', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    disconnect(deviceId) {
      for (const [socket, session] of sockets) if (session?.device.deviceId === deviceId) socket.close(4001, 'revoked');
    },
    connectedDevices() {
      return [...new Set([...sockets.values()].flatMap((s) => (s ? [s.device.deviceId] : [])))];
    },
    async close() {
      for (const socket of sockets.keys()) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await listener.end().catch(() => undefined);
    },
  };
}
