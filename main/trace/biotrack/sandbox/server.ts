/**
 * The BioTrack v1 sandbox: POST /serverjson.asp on 127.0.0.1, a stateful emulator with fault
 * injection, plus harness endpoints for tests:
 *
 *   GET  /__state                 every sale, allotments, stock, counters, faults
 *   POST /__reset                 {seed?, data?}: back to the starting data
 *   POST /__faults                {rules?, random?, clear?, latencyMs?, modes?, cannedLookups?, sessionTtlMs?, expireSessions?}
 *   POST /__clock                 {advanceMs} or {now}: move the sandbox's clock (allotment window, session TTL)
 *   POST /__offline               {offline: true|false}: stop or resume listening (connection refused)
 *
 * Faults apply per action, on the Nth call of an action, or at random from a seed (so a chaos
 * run can be replayed exactly).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { FaultPlan } from '../../sandbox-faults.js';
import { ALL_PRIVILEGES, ERRORS, SandboxState, sandboxDataSchema, sandboxModesSchema, type Body, type SandboxData } from './state.js';

export const FAULT_KINDS = [
  'offline',
  'slow',
  'timeout_before_commit',
  'timeout_after_commit',
  'http_5xx',
  'html_error',
  'malformed_json',
  'header_leak',
  'session_expired',
  'missing_privilege',
  'patient_not_found',
  'card_expired',
  'allotment_exceeded',
  'barcode_not_in_possession',
  'repeated_nonce',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const faultRuleSchema = z.strictObject({
  /** An action name, or "*" for any action except login. */
  action: z.string().min(1).default('*'),
  fault: z.enum(FAULT_KINDS),
  /** Fire on the Nth call of the action (counted from the last reset), once. */
  nth: z.number().int().positive().optional(),
  /** Without nth: fire on the next `times` matching calls (0 = every call). */
  times: z.number().int().nonnegative().default(1),
  /** slow: the delay; timeouts: how long the socket is held before it is dropped. */
  delayMs: z.number().int().nonnegative().optional(),
});
export type FaultRule = z.input<typeof faultRuleSchema>;

const randomFaultsSchema = z.strictObject({
  seed: z.number().int(),
  /** Probability that a call gets a fault. */
  rate: z.number().min(0).max(1),
  kinds: z.array(z.enum(FAULT_KINDS)).min(1),
  actions: z.array(z.string()).optional(),
  delayMs: z.number().int().nonnegative().optional(),
});
export type RandomFaults = z.input<typeof randomFaultsSchema>;

const faultsRequestSchema = z.strictObject({
  rules: z.array(faultRuleSchema).optional(),
  random: randomFaultsSchema.nullable().optional(),
  clear: z.boolean().optional(),
  latencyMs: z.number().int().nonnegative().optional(),
  /** How the sandbox disagrees with the client (state.ts, sandboxModesSchema); unnamed modes keep their value. */
  modes: sandboxModesSchema.partial().optional(),
  /** The next card_lookup calls answer exactly these bodies, one per call (table tests of odd answers). */
  cannedLookups: z.array(z.record(z.string(), z.unknown())).optional(),
  sessionTtlMs: z.number().int().positive().optional(),
  expireSessions: z.boolean().optional(),
});
export type FaultsRequest = z.input<typeof faultsRequestSchema>;

export interface SandboxOptions {
  port?: number;
  /** Starting data; defaults to the demo store's (resources/demo/biotrack-sandbox.json). */
  data: SandboxData;
  /** Added before every answer (e.g. 50 ms to stand in for the internet). */
  latencyMs?: number;
  /** How long a "timeout" fault holds the socket before dropping it. Default 30 s. */
  holdMs?: number;
}

export interface BioTrackSandbox {
  readonly url: string;
  readonly port: number;
  readonly state: SandboxState;
  setFaults(request: FaultsRequest): void;
  setOffline(offline: boolean): Promise<void>;
  /** Calls per action since the last reset. */
  calls(): Record<string, number>;
  reset(): void;
  close(): Promise<void>;
}

export function loadSandboxData(file: string): SandboxData {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`The sandbox data file ${file} cannot be read (${error instanceof Error ? error.message : String(error)}).`);
  }
  const parsed = sandboxDataSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`);
    throw new Error(`The sandbox data file ${file} is invalid: ${problems.join('; ')}`);
  }
  return parsed.data;
}

export async function startBioTrackSandbox(options: SandboxOptions): Promise<BioTrackSandbox> {
  const state = new SandboxState(options.data);
  let latencyMs = options.latencyMs ?? 0;
  const holdMs = options.holdMs ?? 30_000;
  // Login is never faulted by "*" (a test names it to fault it).
  const faults = new FaultPlan<FaultKind>((pattern, action) => pattern === action || (pattern === '*' && action !== 'login'));
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let offline = false;
  let port = options.port ?? 0;

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0) return resolve();
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  function applyFaults(request: unknown): void {
    const parsed = faultsRequestSchema.parse(request);
    if (parsed.clear) faults.clear();
    if (parsed.rules) faults.add(parsed.rules.map(({ action, ...rule }) => ({ target: action, ...rule })));
    if (parsed.random !== undefined) faults.setRandom(parsed.random ? { ...parsed.random, targets: parsed.random.actions } : null);
    if (parsed.latencyMs !== undefined) latencyMs = parsed.latencyMs;
    if (parsed.modes) state.modes = { ...state.modes, ...Object.fromEntries(Object.entries(parsed.modes).filter(([, value]) => value !== undefined)) };
    if (parsed.cannedLookups) state.cannedLookups.push(...parsed.cannedLookups);
    if (parsed.sessionTtlMs) state.sessionTtlMs = parsed.sessionTtlMs;
    if (parsed.expireSessions) state.expireSessions();
  }

  /** The emulator proper: one action, no faults. `seenNonce`: a write's nonce was received before. */
  function performAction(body: Body, seenNonce = false): Body {
    if (body.API !== '4.0') return { success: 0, errorcode: ERRORS.apiVersion.code, error: ERRORS.apiVersion.text };
    const action = typeof body.action === 'string' ? body.action : '';
    if (action === 'login') return state.login(body);
    if (!(ALL_PRIVILEGES as readonly string[]).includes(action)) return { success: 0, errorcode: ERRORS.invalidAction.code, error: ERRORS.invalidAction.text };
    const auth = state.authenticate(body);
    if (!auth.ok) return auth.body;
    if (!state.hasPrivilege(auth.username, action)) {
      return { success: 0, errorcode: ERRORS.privilege.code, error: ERRORS.privilege.text.replace('{action}', action) };
    }
    const isWrite = action === 'sale_dispense' || action === 'sale_void' || action === 'sale_refund';
    if (isWrite) {
      if (seenNonce && state.modes.nonces === 'burned') return { success: 0, errorcode: ERRORS.repeatedNonce.code, error: ERRORS.repeatedNonce.text };
      const stored = state.storedAnswer(body.nonce);
      if (stored && state.modes.nonces === 'kept') return stored;
    }
    let answer: Body;
    switch (action) {
      case 'card_lookup':
        answer = state.cardLookup(body);
        break;
      case 'sale_dispense':
        answer = state.dispense(body, auth.training);
        break;
      case 'sale_void':
        answer = state.void(body);
        break;
      case 'sale_refund':
        answer = state.refund(body, auth.training);
        break;
      case 'sync_check':
        answer = state.syncCheck();
        break;
      case 'sync_sale':
        answer = state.syncSale(body, auth.training);
        break;
      case 'sync_inventory':
        answer = state.syncInventory();
        break;
      case 'nonce_replay': {
        // Not in BioTrack's published privilege map: by default it is refused like any missing privilege.
        if (state.modes.nonceReplay === 'refused') {
          answer = { success: 0, errorcode: ERRORS.privilege.code, error: ERRORS.privilege.text.replace('{action}', action) };
          break;
        }
        const stored = state.storedAnswer(body.nonce);
        answer = stored
          ? { success: 1, nonce: body.nonce, [state.modes.nonceReplay]: stored }
          : { success: 0, errorcode: ERRORS.nonceNotFound.code, error: ERRORS.nonceNotFound.text };
        break;
      }
      default:
        answer = { success: 0, errorcode: '999', error: 'Unhandled Request' };
    }
    if (isWrite) state.remember(body.nonce, answer);
    return answer;
  }

  function faultAnswer(fault: FaultKind, action: string): Body | null {
    switch (fault) {
      case 'session_expired':
        state.expireSessions();
        return { success: 0, errorcode: ERRORS.session.code, error: ERRORS.session.text };
      case 'missing_privilege':
        return { success: 0, errorcode: ERRORS.privilege.code, error: ERRORS.privilege.text.replace('{action}', action) };
      case 'patient_not_found':
        return { success: 0, errorcode: ERRORS.patientNotFound.code, error: ERRORS.patientNotFound.text };
      case 'card_expired':
        return { success: 0, errorcode: ERRORS.cardExpired.code, error: ERRORS.cardExpired.text };
      case 'allotment_exceeded':
        return { success: 0, errorcode: ERRORS.allotment.code, error: 'This sale exceeds the patient allotment.' };
      case 'barcode_not_in_possession':
        return { success: 0, errorcode: ERRORS.possession.code, error: ERRORS.possession.text.replace('{barcode}', 'in this sale') };
      case 'repeated_nonce':
        return { success: 0, errorcode: ERRORS.repeatedNonce.code, error: ERRORS.repeatedNonce.text };
      default:
        return null;
    }
  }

  async function handleApi(body: Body, response: http.ServerResponse, socket: Socket): Promise<void> {
    const action = typeof body.action === 'string' ? body.action : '';
    faults.count(action);
    const picked = faults.pick(action);
    // Burned on receipt: a write's nonce counts as used once the request arrived, applied or not.
    const isWrite = action === 'sale_dispense' || action === 'sale_void' || action === 'sale_refund';
    const seenNonce = isWrite && picked?.fault !== 'offline' && state.burn(body.nonce);
    const perform = (request: Body) => performAction(request, seenNonce);
    await wait(latencyMs);
    const send = (status: number, text: string, type = 'application/json') => {
      if (response.destroyed || socket.destroyed) return;
      response.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
      response.end(text);
    };
    const drop = async (ms: number) => {
      await wait(ms);
      socket.destroy();
    };
    if (!picked) return send(200, JSON.stringify(perform(body)));
    const { fault, delayMs } = picked;
    switch (fault) {
      case 'offline':
        socket.destroy();
        return;
      case 'slow':
        await wait(delayMs ?? 1000);
        return send(200, JSON.stringify(perform(body)));
      case 'timeout_before_commit':
        return drop(delayMs ?? holdMs);
      case 'timeout_after_commit':
        perform(body);
        return drop(delayMs ?? holdMs);
      case 'http_5xx':
        return send(500, '');
      case 'html_error':
        return send(502, '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>', 'text/html');
      case 'malformed_json': {
        const text = JSON.stringify(perform(body));
        return send(200, text.slice(0, Math.max(1, Math.floor(text.length / 2))));
      }
      case 'header_leak':
        return send(200, `Content-Type: text/plain\r\n\r\n${JSON.stringify(perform(body))}`, 'text/plain');
      default: {
        const answer = faultAnswer(fault, action);
        return send(200, JSON.stringify(answer ?? perform(body)));
      }
    }
  }

  function handleHarness(path: string, method: string, body: unknown, response: http.ServerResponse): void {
    const json = (status: number, value: unknown) => {
      const text = JSON.stringify(value);
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(text);
    };
    try {
      if (path === '/__state' && method === 'GET') return json(200, { ...state.snapshot(), calls: faults.calls(), latencyMs, ...faults.describe('action') });
      if (path === '/__reset' && method === 'POST') {
        const parsed = z.strictObject({ data: sandboxDataSchema.optional() }).parse(body ?? {});
        resetAll(parsed.data);
        return json(200, { ok: true });
      }
      if (path === '/__faults' && method === 'POST') {
        applyFaults(body ?? {});
        return json(200, { ok: true });
      }
      if (path === '/__clock' && method === 'POST') {
        const parsed = z.strictObject({ advanceMs: z.number().int().optional(), now: z.number().int().optional() }).parse(body ?? {});
        if (parsed.now !== undefined) state.clockOffsetMs = parsed.now - Date.now();
        if (parsed.advanceMs !== undefined) state.clockOffsetMs += parsed.advanceMs;
        return json(200, { now: state.now() });
      }
      if (path === '/__offline' && method === 'POST') {
        const parsed = z.strictObject({ offline: z.boolean(), forMs: z.number().int().positive().optional() }).parse(body ?? {});
        json(200, { ok: true });
        void sandbox.setOffline(parsed.offline).then(() => {
          if (parsed.offline && parsed.forMs) {
            const timer = setTimeout(() => void sandbox.setOffline(false), parsed.forMs);
            timers.add(timer);
          }
        });
        return;
      }
      json(404, { error: `no harness endpoint ${method} ${path}` });
    } catch (error) {
      json(400, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  function resetAll(data?: SandboxData): void {
    state.reset(data);
    faults.reset();
    latencyMs = options.latencyMs ?? 0;
  }

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const path = (request.url ?? '/').split('?')[0]!;
      let body: unknown = undefined;
      if (text.trim()) {
        try {
          body = JSON.parse(text);
        } catch {
          response.writeHead(400, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ success: 0, error: 'The request body is not JSON.' }));
          return;
        }
      }
      if (path.startsWith('/__')) return handleHarness(path, request.method ?? 'GET', body, response);
      if (path.toLowerCase() !== '/serverjson.asp' || request.method !== 'POST') {
        response.writeHead(404, { 'content-type': 'text/html' });
        response.end('<html><body>Not Found</body></html>');
        return;
      }
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ success: 0, errorcode: '62', error: 'Invalid Action' }));
        return;
      }
      void handleApi(body as Body, response, request.socket).catch(() => request.socket.destroy());
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  await listen();

  const sandbox: BioTrackSandbox = {
    get url() {
      return `http://127.0.0.1:${port}/serverjson.asp`;
    },
    get port() {
      return port;
    },
    state,
    setFaults: applyFaults,
    async setOffline(next) {
      if (next === offline) return;
      offline = next;
      if (next) {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const socket of sockets) socket.destroy();
        });
      } else {
        await listen();
      }
    },
    calls: () => faults.calls(),
    reset: () => resetAll(),
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      if (offline) return;
      offline = true;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return sandbox;
}
