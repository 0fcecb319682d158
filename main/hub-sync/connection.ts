/**
 * The station's link to the hub: one WebSocket (`wss://<address>/v1/ws`), requests matched to
 * replies by `rid`, doorbells passed on. Every frame from the hub is parsed with hub/protocol.ts.
 *
 * The hub's certificate is self-signed: the station pins the SHA-256 fingerprint it saw at pairing
 * (research/hub.md §5.3). The TLS handshake is accepted only to read the certificate; the socket is
 * closed before anything is sent when the fingerprint is not the pinned one (the upgrade request
 * carries no secret: the token goes in the first message, after the check).
 */
import https from 'node:https';
import tls from 'node:tls';
import WebSocket from 'ws';
import {
  PROTOCOL_VERSION,
  pairAnswer,
  pairingProof,
  replySchemas,
  serverFrame,
  type DeviceRole,
  type HubErrorFrame,
  type HubRequest,
  type HubRequestType,
  type PairAnswer,
  type ReplyOf,
} from '../../hub/protocol.js';

/** What staff read when the hub cannot be used; `code` for the code that decides what to do. */
export class HubError extends Error {
  constructor(
    readonly code: HubErrorFrame['code'] | 'unreachable' | 'timeout' | 'not_this_hub' | 'bad_reply',
    message: string,
    readonly frame?: HubErrorFrame,
    /** A document file the hub refused (hub-sync/files.ts): too large for it, or damaged on the way. */
    readonly detail?: 'too_large' | 'damaged',
  ) {
    super(message);
  }
}

export function splitAddress(address: string): { host: string; port: number } {
  const trimmed = address.trim().replace(/^(wss?|https?):\/\//, '').replace(/\/.*$/, '');
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(trimmed);
  if (!match) throw new HubError('unreachable', `"${address}" is not a hub address: type it as 192.168.1.20:47900.`);
  const port = match[2] ? Number(match[2]) : HUB_DEFAULT_PORT;
  if (port < 1 || port > 65535) throw new HubError('unreachable', `"${address}" is not a hub address: the port must be between 1 and 65535.`);
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

/** The hub's port when the address names none (hub/hub.ts DEFAULT_HUB_PORT). */
export const HUB_DEFAULT_PORT = 47900;

const UNREACHABLE = 'The store hub does not answer: check that the hub PC is on and on the store network.';

/** The fingerprint of the certificate the hub at `address` presents (no trust decision here). */
export function readFingerprint(address: string, timeoutMs = 5000): Promise<string> {
  const { host, port } = splitAddress(address);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port, rejectUnauthorized: false, servername: 'hub.local' });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new HubError('timeout', UNREACHABLE));
    }, timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.end();
      if (fingerprint) resolve(fingerprint);
      else reject(new HubError('not_this_hub', 'The hub showed no certificate: this is not a store hub.'));
    });
    socket.once('error', () => {
      clearTimeout(timer);
      reject(new HubError('unreachable', UNREACHABLE));
    });
  });
}

/**
 * Pair with the hub using the one-time code it shows: the code never travels, only an HMAC of it
 * over the fingerprint this station saw (a relay with another certificate cannot pair).
 */
export async function pairWithHub(
  address: string,
  input: { code: string; deviceName: string; role: DeviceRole },
  timeoutMs = 8000,
): Promise<PairAnswer> {
  const seen = await readFingerprint(address, timeoutMs);
  const { host, port } = splitAddress(address);
  const body = JSON.stringify({
    protocolVersion: PROTOCOL_VERSION,
    deviceName: input.deviceName,
    role: input.role,
    fingerprint256: seen,
    codeProof: pairingProof(input.code.replace(/\s+/g, ''), seen),
  });
  const { status, text, fingerprint } = await new Promise<{ status: number; text: string; fingerprint: string | undefined }>((resolve, reject) => {
    const request = https.request(
      { host, port, path: '/v1/pair', method: 'POST', rejectUnauthorized: false, servername: 'hub.local', headers: { 'content-type': 'application/json' }, timeout: timeoutMs },
      (response) => {
        const socket = response.socket as tls.TLSSocket;
        const fp = socket.getPeerCertificate?.().fingerprint256;
        let data = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (data.length < 100_000) data += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: data, fingerprint: fp }));
      },
    );
    request.on('timeout', () => request.destroy(new HubError('timeout', UNREACHABLE)));
    request.on('error', (error) => reject(error instanceof HubError ? error : new HubError('unreachable', UNREACHABLE)));
    request.end(body);
  });
  if (fingerprint !== seen) throw new HubError('not_this_hub', 'The hub changed its certificate during pairing: pair again on the store network.');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new HubError('bad_reply', 'The hub gave an answer this register cannot read: check that the hub and the registers run the same version.');
  }
  if (status !== 200) {
    const message = typeof json === 'object' && json !== null && 'message' in json && typeof json.message === 'string' ? json.message : 'The hub refused to pair.';
    throw new HubError('pairing_refused', message);
  }
  const parsed = pairAnswer.safeParse(json);
  if (!parsed.success) throw new HubError('bad_reply', 'The hub gave an answer this register cannot read: check that the hub and the registers run the same version.');
  if (parsed.data.fingerprint256 !== seen) throw new HubError('not_this_hub', 'The hub named another certificate than the one it showed: pair again on the store network.');
  return parsed.data;
}

interface Pending {
  type: HubRequestType;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export interface ConnectionEvents {
  doorbell(version: number, hubEpoch: string): void;
  closed(): void;
}

/** One open, pinned WebSocket to the hub. */
export class HubConnection {
  private nextRid = 1;
  private readonly pending = new Map<number, Pending>();
  private closedAlready = false;

  private constructor(
    private readonly socket: WebSocket,
    private readonly events: ConnectionEvents,
  ) {
    socket.on('message', (data: WebSocket.RawData) => this.receive(data));
    socket.on('close', () => this.shutdown());
    socket.on('error', () => this.shutdown());
  }

  static open(address: string, fingerprint: string, events: ConnectionEvents, timeoutMs = 5000): Promise<HubConnection> {
    const { host, port } = splitAddress(address);
    const url = `wss://${host.includes(':') ? `[${host}]` : host}:${port}/v1/ws`;
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { rejectUnauthorized: false, handshakeTimeout: timeoutMs, maxPayload: 64 * 1024 * 1024 });
      let seen: string | undefined;
      socket.once('upgrade', (response) => {
        seen = (response.socket as tls.TLSSocket).getPeerCertificate?.().fingerprint256;
      });
      socket.once('open', () => {
        if (seen !== fingerprint) {
          socket.terminate();
          reject(new HubError('not_this_hub', 'The hub at this address is not the one this register was paired with: pair again in Settings › Store hub.'));
          return;
        }
        resolve(new HubConnection(socket, events));
      });
      socket.once('error', () => reject(new HubError('unreachable', UNREACHABLE)));
      socket.once('close', () => reject(new HubError('unreachable', UNREACHABLE)));
    });
  }

  get open(): boolean {
    return !this.closedAlready && this.socket.readyState === WebSocket.OPEN;
  }

  request<T extends HubRequestType>(request: Extract<HubRequest, { type: T }>, timeoutMs = 5000): Promise<ReplyOf<T>> {
    if (!this.open) return Promise.reject(new HubError('unreachable', UNREACHABLE));
    const rid = this.nextRid++;
    return new Promise<ReplyOf<T>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(rid);
        reject(new HubError('timeout', 'The store hub did not answer in time.'));
      }, timeoutMs);
      this.pending.set(rid, { type: request.type, resolve: resolve as (value: unknown) => void, reject, timer });
      this.socket.send(JSON.stringify({ rid, request }), (error) => {
        if (!error) return;
        clearTimeout(timer);
        this.pending.delete(rid);
        reject(new HubError('unreachable', UNREACHABLE));
      });
    });
  }

  close(): void {
    this.socket.terminate();
    this.shutdown();
  }

  private receive(data: WebSocket.RawData): void {
    let json: unknown;
    try {
      json = JSON.parse(data.toString());
    } catch {
      return;
    }
    const frame = serverFrame.safeParse(json);
    if (!frame.success) return;
    const value = frame.data;
    if (value.type === 'doorbell') {
      this.events.doorbell(value.version, value.hubEpoch);
      return;
    }
    if (value.type === 'error' && value.rid === null) {
      // An error without a request: the hub is closing this device (revoked, wrong protocol).
      for (const [rid, pending] of this.pending) {
        clearTimeout(pending.timer);
        pending.reject(new HubError(value.code === 'bad_request' ? 'bad_reply' : value.code, value.message, value));
        this.pending.delete(rid);
      }
      return;
    }
    if (value.rid === null) return;
    const pending = this.pending.get(value.rid);
    if (!pending) return;
    this.pending.delete(value.rid);
    clearTimeout(pending.timer);
    if (value.type === 'error') {
      pending.reject(new HubError(value.code, value.message, value));
      return;
    }
    const parsed = replySchemas[pending.type].safeParse(value.body);
    if (!parsed.success) pending.reject(new HubError('bad_reply', 'The hub gave an answer this register cannot read: check that the hub and the registers run the same version.'));
    else pending.resolve(parsed.data);
  }

  private shutdown(): void {
    if (this.closedAlready) return;
    this.closedAlready = true;
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new HubError('unreachable', UNREACHABLE));
    }
    this.pending.clear();
    this.events.closed();
  }
}
