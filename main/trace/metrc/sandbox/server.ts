/**
 * The Metrc v2 sandbox: a stateful emulator on 127.0.0.1 (shared/research/metrc.md §6.1) with
 * fault injection, for tests, the bench and the demo stores.
 *
 *   Metrc:   GET /facilities/v2, /sales/v2/customertypes, /packages/v2/{label}, /packages/v2/active,
 *            /patients/v2/statuses/{n}, /caregivers/v2/status/{n}, /sales/v2/receipts/{id},
 *            /sales/v2/receipts/external/{n}, /sales/v2/receipts/active|inactive;
 *            POST and PUT /sales/v2/receipts, PUT /sales/v2/receipts/finalize|unfinalize,
 *            DELETE /sales/v2/receipts/{id}. HTTP Basic: vendor key, user key. `?licenseNumber=`.
 *   Harness: GET /__state; POST /__reset {data?}, /__faults {...}, /__clock {advanceMs|now}.
 *
 * Limits: more than 10 objects in a write → 413; GETs through token buckets per facility and per
 * vendor key (50/s and 150/s, concurrency 10 and 30; all settable) → 429 with Retry-After.
 * Faults: per route (e.g. "POST /sales/v2/receipts", "GET *", "*"), on the Nth call or the next
 * N calls, or at random from a seed so a chaos run replays exactly.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { FaultPlan } from '../../sandbox-faults.js';
import { MetrcError, MetrcSandboxState, type Permission, localToPseudoUtc, metrcModesSchema, metrcSandboxDataSchema, type MetrcSandboxData } from './state.js';

export const METRC_FAULTS = [
  /** The connection is dropped at once (the request never reached Metrc). */
  'offline',
  'slow',
  'timeout_before_commit',
  'timeout_after_commit',
  /** 5xx with an HTML body. */
  'http_5xx_html',
  /** 200 with an empty body after committing (v1 and quirk answers). */
  'empty_answer',
] as const;
export type MetrcFault = (typeof METRC_FAULTS)[number];

const ruleSchema = z.strictObject({
  route: z.string().min(1).default('*'),
  fault: z.enum(METRC_FAULTS),
  nth: z.number().int().positive().optional(),
  times: z.number().int().nonnegative().default(1),
  delayMs: z.number().int().nonnegative().optional(),
});

const randomSchema = z.strictObject({
  seed: z.number().int(),
  rate: z.number().min(0).max(1),
  kinds: z.array(z.enum(METRC_FAULTS)).min(1),
  /** Routes the random faults apply to (default: every route). */
  routes: z.array(z.string()).optional(),
  delayMs: z.number().int().nonnegative().optional(),
});

const rateLimitSchema = z.strictObject({
  perFacilityPerSecond: z.number().positive().default(50),
  perKeyPerSecond: z.number().positive().default(150),
  concurrentPerFacility: z.number().int().positive().default(10),
  concurrentPerKey: z.number().int().positive().default(30),
});

export const metrcFaultsSchema = z.strictObject({
  rules: z.array(ruleSchema).optional(),
  random: randomSchema.nullable().optional(),
  clear: z.boolean().optional(),
  latencyMs: z.number().int().nonnegative().optional(),
  modes: metrcModesSchema.partial().optional(),
  rateLimit: rateLimitSchema.partial().optional(),
  /** Every call answers 503 (HTML) until the sandbox clock reaches this time; null ends it. */
  outageUntil: z.number().int().nullable().optional(),
  /** Revoke (or restore) user keys: a key revoked mid-day. */
  revokeKeys: z.array(z.string()).optional(),
  restoreKeys: z.array(z.string()).optional(),
});
export type MetrcFaultsRequest = z.input<typeof metrcFaultsSchema>;

export interface MetrcSandboxOptions {
  port?: number;
  data: MetrcSandboxData;
  latencyMs?: number;
  /** How long a timeout fault holds the socket before dropping it (default 30 s). */
  holdMs?: number;
}

export interface MetrcSandbox {
  readonly url: string;
  readonly port: number;
  readonly state: MetrcSandboxState;
  setFaults(request: MetrcFaultsRequest): void;
  calls(): Record<string, number>;
  reset(data?: MetrcSandboxData): void;
  close(): Promise<void>;
}

export function loadMetrcSandboxData(file: string): MetrcSandboxData {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`The Metrc sandbox data file ${file} cannot be read (${error instanceof Error ? error.message : String(error)}).`);
  }
  const parsed = metrcSandboxDataSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`);
    throw new Error(`The Metrc sandbox data file ${file} is invalid: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** A token bucket with a concurrency cap. */
class Bucket {
  private tokens: number;
  private last: number;
  inFlight = 0;
  constructor(
    private rate: number,
    private concurrency: number,
  ) {
    this.tokens = rate;
    this.last = performance.now();
  }
  configure(rate: number, concurrency: number): void {
    this.rate = rate;
    this.concurrency = concurrency;
    this.tokens = Math.min(this.tokens, rate);
  }
  /** 0 when allowed (a token taken), else the seconds until one is free. */
  take(): number {
    const now = performance.now();
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.inFlight >= this.concurrency) return 1;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / this.rate));
  }
}

type Answer = { status: number; body?: unknown; text?: string; type?: string; headers?: Record<string, string> };

const HTML_401_V1 = '<html><body>The provided API key is only valid for V1 API endpoints.</body></html>';
const HTML_503 = '<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable</h1><p>Metrc is down for maintenance.</p></body></html>';

export async function startMetrcSandbox(options: MetrcSandboxOptions): Promise<MetrcSandbox> {
  const state = new MetrcSandboxState(options.data);
  let latencyMs = options.latencyMs ?? 0;
  const holdMs = options.holdMs ?? 30_000;
  // A rule names a route ("POST /sales/v2/receipts"), a method's every route ("GET *") or "*".
  const faults = new FaultPlan<MetrcFault>((pattern, route) => pattern === '*' || pattern === route || pattern === `${route.split(' ')[0]!} *`);
  let limits = rateLimitSchema.parse({});
  let outageUntil: number | null = null;
  const facilityBuckets = new Map<string, Bucket>();
  const keyBuckets = new Map<string, Bucket>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0) return resolve();
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const bucket = (map: Map<string, Bucket>, key: string, rate: number, concurrency: number) => {
    let found = map.get(key);
    if (!found) map.set(key, (found = new Bucket(rate, concurrency)));
    return found;
  };

  function applyFaults(request: unknown): void {
    const parsed = metrcFaultsSchema.parse(request ?? {});
    if (parsed.clear) {
      faults.clear();
      outageUntil = null;
    }
    faults.add((parsed.rules ?? []).map(({ route, ...rule }) => ({ target: route, ...rule })));
    if (parsed.random !== undefined) faults.setRandom(parsed.random ? { ...parsed.random, targets: parsed.random.routes } : null);
    if (parsed.latencyMs !== undefined) latencyMs = parsed.latencyMs;
    if (parsed.modes) state.modes = { ...state.modes, ...Object.fromEntries(Object.entries(parsed.modes).filter(([, v]) => v !== undefined)) };
    if (parsed.rateLimit) {
      limits = { ...limits, ...Object.fromEntries(Object.entries(parsed.rateLimit).filter(([, v]) => v !== undefined)) };
      facilityBuckets.clear();
      keyBuckets.clear();
    }
    if (parsed.outageUntil !== undefined) outageUntil = parsed.outageUntil;
    for (const key of parsed.revokeKeys ?? []) state.revoked.add(key);
    for (const key of parsed.restoreKeys ?? []) state.revoked.delete(key);
  }

  function resetAll(data?: MetrcSandboxData): void {
    state.reset(data);
    faults.reset();
    latencyMs = options.latencyMs ?? 0;
    limits = rateLimitSchema.parse({});
    outageUntil = null;
    facilityBuckets.clear();
    keyBuckets.clear();
  }

  /** The route's name for faults and counts: ids replaced by placeholders. */
  function routeName(method: string, path: string): string {
    const normalised = path
      .replace(/^\/sales\/v2\/receipts\/external\/[^/]+$/, '/sales/v2/receipts/external/{n}')
      .replace(/^\/sales\/v2\/receipts\/\d+$/, '/sales/v2/receipts/{id}')
      .replace(/^\/patients\/v2\/statuses\/[^/]+$/, '/patients/v2/statuses/{n}')
      .replace(/^\/caregivers\/v2\/status\/[^/]+$/, '/caregivers/v2/status/{n}')
      .replace(/^\/packages\/v2\/(?!active$)[^/]+$/, '/packages/v2/{label}');
    return `${method} ${normalised}`;
  }

  type Auth = { vendorKey: string; userKey: string; user: NonNullable<ReturnType<MetrcSandboxState['user']>> };

  function authenticate(header: string | undefined): Auth | Answer {
    const denied: Answer = { status: 401, body: { Message: 'Authorization has been denied for this request.' } };
    if (!header?.startsWith('Basic ')) return denied;
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return denied;
    const vendorKey = decoded.slice(0, colon);
    const userKey = decoded.slice(colon + 1);
    const user = state.user(userKey);
    if (!state.data.vendorKeys.includes(vendorKey) || !user || state.revoked.has(userKey)) return denied;
    if (user.v1Only) return { status: 401, text: HTML_401_V1, type: 'text/html' };
    return { vendorKey, userKey, user };
  }

  function permitted(auth: Auth, permission: Permission): boolean {
    return !auth.user.permissions || auth.user.permissions.includes(permission);
  }

  /** The Metrc API proper: one request, no faults. */
  function perform(method: string, path: string, query: URLSearchParams, body: unknown, auth: Auth): Answer {
    const forbidden = (what: string): Answer => ({ status: 403, body: { Message: `The user does not have the ${what} permission for this facility.` } });
    if (method === 'GET' && path === '/facilities/v2') return { status: 200, body: state.facilitiesFor(auth.userKey) };
    if (method === 'GET' && path === '/sales/v2/customertypes') return { status: 200, body: state.data.customerTypes };
    const licenseNumber = query.get('licenseNumber') ?? '';
    if (!licenseNumber) return { status: 400, body: { Message: 'No licenseNumber was given.' } };
    if (!auth.user.facilities.includes(licenseNumber) || !state.facility(licenseNumber)) {
      return { status: 401, body: { Message: 'Authorization has been denied for this request.' } };
    }
    let match: RegExpMatchArray | null;
    if (method === 'GET' && (match = path.match(/^\/patients\/v2\/statuses\/([^/]+)$/))) {
      if (!permitted(auth, 'Lookup Patients')) return forbidden('Lookup Patients');
      const found = state.patientStatus(decodeURIComponent(match[1]!));
      if (found.kind === 'rows') return { status: 200, body: found.rows };
      switch (state.modes.patientNotFound) {
        case '404':
          return { status: 404, body: { Message: 'No data found.' } };
        case '400':
          return { status: 400, body: [{ row: 0, message: `Patient License Number ${decodeURIComponent(match[1]!)} is not valid.` }] };
        case 'empty':
          return { status: 200, body: [] };
        case 'inactive':
          return { status: 200, body: [{ PatientLicenseNumber: decodeURIComponent(match[1]!), Active: false, FlowerOuncesAvailable: 0, ConcentrateOuncesAvailable: 0, InfusedOuncesAvailable: 0, ThcOuncesAvailable: 0 }] };
      }
    }
    if (method === 'GET' && (match = path.match(/^\/caregivers\/v2\/status\/([^/]+)$/))) {
      if (!permitted(auth, 'Lookup Caregivers')) return forbidden('Lookup Caregivers');
      const found = state.caregiverStatus(decodeURIComponent(match[1]!));
      return found ? { status: 200, body: found } : { status: 404, body: { Message: 'No data found.' } };
    }
    if (method === 'GET' && path === '/packages/v2/active') {
      if (!permitted(auth, 'View Packages')) return forbidden('View Packages');
      const rows = [...state.packages.values()].filter((pkg) => pkg.facility === licenseNumber && pkg.status === 'Active' && pkg.quantity > 0);
      return paged(rows.map((pkg) => state.packageView(pkg)), query);
    }
    if (method === 'GET' && (match = path.match(/^\/packages\/v2\/([^/]+)$/))) {
      if (!permitted(auth, 'View Packages')) return forbidden('View Packages');
      const pkg = state.packageOf(licenseNumber, decodeURIComponent(match[1]!));
      return pkg ? { status: 200, body: state.packageView(pkg) } : { status: 404, body: { Message: 'No data found.' } };
    }
    if (path.startsWith('/sales/v2/receipts')) return receipts(method, path, query, body, auth, licenseNumber);
    return { status: 404, body: { Message: `No HTTP resource was found that matches the request URI ${path}.` } };
  }

  function receipts(method: string, path: string, query: URLSearchParams, body: unknown, auth: Auth, licenseNumber: string): Answer {
    const read = method === 'GET';
    if (read && !permitted(auth, 'View Sales') && !permitted(auth, 'Manage Sales')) return { status: 403, body: { Message: 'The user does not have the View Sales permission.' } };
    if (!read && !permitted(auth, 'Manage Sales')) return { status: 403, body: { Message: 'The user does not have the Manage Sales permission.' } };
    try {
      let match: RegExpMatchArray | null;
      if (read && (match = path.match(/^\/sales\/v2\/receipts\/(active|inactive)$/))) {
        const sales = ['salesDateStart', 'salesDateEnd'].filter((name) => query.has(name));
        const modified = ['lastModifiedStart', 'lastModifiedEnd'].filter((name) => query.has(name));
        if (sales.length > 0 && modified.length > 0) {
          return { status: 400, body: { Message: 'Specifying sales date parameters together with last modified parameters will result in an error.' } };
        }
        const field = sales.length > 0 ? 'sales' : 'modified';
        const [startName, endName] = field === 'sales' ? ['salesDateStart', 'salesDateEnd'] : ['lastModifiedStart', 'lastModifiedEnd'];
        const parse = (text: string | null) => (text === null ? NaN : /[zZ]|[+-]\d{2}:\d{2}$/.test(text) ? Date.parse(text) : localToPseudoUtc(text));
        const start = parse(query.get(startName));
        const end = parse(query.get(endName));
        if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) {
          return { status: 400, body: { Message: `Both ${startName} and ${endName} are required, as ISO 8601 date-times.` } };
        }
        if (end - start > 24 * 3600_000) return { status: 400, body: { Message: 'The date range cannot exceed 24 hours.' } };
        return paged(state.list(licenseNumber, match[1] as 'active' | 'inactive', { field, start, end }).map((r) => state.receiptView(r)), query);
      }
      if (read && (match = path.match(/^\/sales\/v2\/receipts\/external\/([^/]+)$/))) {
        const found = state.modes.externalLookup === 'missing' ? [] : state.byExternal(licenseNumber, decodeURIComponent(match[1]!));
        if (found.length === 0) return { status: 404, body: { Message: 'No data found.' } };
        if (state.modes.externalLookup === 'object') return { status: 200, body: state.receiptView(found[0]!) };
        return { status: 200, body: found.map((r) => state.receiptView(r)) };
      }
      if (read && (match = path.match(/^\/sales\/v2\/receipts\/(\d+)$/))) {
        const receipt = state.receipts.find((r) => r.Id === Number(match![1]));
        if (!receipt) return { status: 404, body: { Message: 'No data found.' } };
        // "if the Sales Receipt is not valid for the specified License Number, a 401 Unauthorized status will be returned"
        if (receipt.facility !== licenseNumber) return { status: 401, body: { Message: 'Authorization has been denied for this request.' } };
        return { status: 200, body: state.receiptView(receipt) };
      }
      if (method === 'DELETE' && (match = path.match(/^\/sales\/v2\/receipts\/(\d+)$/))) {
        state.archiveReceipt(licenseNumber, Number(match[1]));
        return { status: 200, text: '' };
      }
      if (method === 'PUT' && (path === '/sales/v2/receipts/finalize' || path === '/sales/v2/receipts/unfinalize')) {
        const list = objects(body);
        if ('status' in list) return list;
        state.setFinal(licenseNumber, list.map((item) => Number((item as { Id?: unknown })?.Id)), path.endsWith('/finalize'));
        return { status: 200, text: '' };
      }
      if ((method === 'POST' || method === 'PUT') && path === '/sales/v2/receipts') {
        const list = objects(body);
        if ('status' in list) return list;
        // All or nothing: the receipts are applied in order and everything is undone when one is refused.
        const ids: number[] = [];
        const before = state.receipts.length;
        const savedQuantities = new Map([...state.packages.entries()].map(([key, pkg]) => [key, pkg.quantity]));
        const savedTransactions = method === 'PUT' ? state.receipts.map((r) => ({ r, t: r.Transactions, total: r.TotalPrice, n: r.TotalPackages, modified: r.LastModified })) : [];
        try {
          list.forEach((item, row) => {
            ids.push(method === 'POST' ? state.createReceipt(licenseNumber, item, row, auth.user.name).Id : state.updateReceipt(licenseNumber, item, row).Id);
          });
        } catch (error) {
          state.receipts.length = before;
          for (const [key, quantity] of savedQuantities) state.packages.get(key)!.quantity = quantity;
          for (const saved of savedTransactions) Object.assign(saved.r, { Transactions: saved.t, TotalPrice: saved.total, TotalPackages: saved.n, LastModified: saved.modified });
          throw error;
        }
        if (method === 'PUT') return { status: 200, text: '' };
        return state.modes.postAnswer === 'empty' ? { status: 200, text: '' } : { status: 200, body: { Ids: ids, Warnings: null } };
      }
      return { status: 405, body: { Message: `The requested resource does not support http method '${method}'.` } };
    } catch (error) {
      if (error instanceof MetrcError) return { status: error.status, body: error.body() };
      throw error;
    }
  }

  function objects(body: unknown): unknown[] | Answer {
    if (!Array.isArray(body)) return { status: 400, body: { Message: 'The request body must be an array.' } };
    if (body.length > 10) return { status: 413, body: { Message: `Request contains ${body.length} objects; the limit is 10.` } };
    return body;
  }

  function paged(rows: unknown[], query: URLSearchParams): Answer {
    if (!query.has('pageNumber') && !query.has('pageSize')) return { status: 200, body: rows };
    const pageSize = Number(query.get('pageSize') ?? '20');
    const pageNumber = Number(query.get('pageNumber') ?? '1');
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 20) return { status: 400, body: { Message: 'pageSize must be between 1 and 20.' } };
    if (!Number.isInteger(pageNumber) || pageNumber < 1) return { status: 400, body: { Message: 'pageNumber must be 1 or more.' } };
    const data = rows.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
    const totalPages = Math.max(1, Math.ceil(rows.length / pageSize));
    return {
      status: 200,
      body: { Data: data, Total: rows.length, TotalRecords: rows.length, PageSize: pageSize, RecordsOnPage: data.length, Page: pageNumber, CurrentPage: pageNumber, TotalPages: totalPages },
    };
  }

  async function handleApi(request: http.IncomingMessage, response: http.ServerResponse, url: URL, body: unknown): Promise<void> {
    const method = request.method ?? 'GET';
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const route = routeName(method, path);
    faults.count(route);
    const socket = request.socket;
    const send = (answer: Answer) => {
      if (response.destroyed || socket.destroyed) return;
      const text = answer.text ?? JSON.stringify(answer.body ?? null);
      response.writeHead(answer.status, { 'content-type': answer.type ?? (answer.text !== undefined ? 'text/plain' : 'application/json'), 'content-length': Buffer.byteLength(text), ...answer.headers });
      response.end(text);
    };
    const picked = faults.pick(route);
    if (picked?.fault === 'offline') {
      socket.destroy();
      return;
    }
    await wait(latencyMs);
    if (outageUntil !== null && state.now() < outageUntil) return send({ status: 503, text: HTML_503, type: 'text/html' });
    const auth = authenticate(request.headers.authorization);
    if ('status' in auth) return send(auth);
    // GETs only are rate-limited, per facility and per vendor key.
    let release = () => {};
    if (method === 'GET') {
      const facility = bucket(facilityBuckets, url.searchParams.get('licenseNumber') ?? '-', limits.perFacilityPerSecond, limits.concurrentPerFacility);
      const key = bucket(keyBuckets, auth.vendorKey, limits.perKeyPerSecond, limits.concurrentPerKey);
      const wait1 = facility.take();
      const wait2 = wait1 === 0 ? key.take() : 0;
      if (wait1 > 0 || wait2 > 0) {
        faults.count('429');
        return send({ status: 429, body: { Message: 'Too many requests: the rate limit was exceeded.' }, headers: { 'retry-after': String(Math.max(wait1, wait2)) } });
      }
      facility.inFlight += 1;
      key.inFlight += 1;
      release = () => {
        facility.inFlight -= 1;
        key.inFlight -= 1;
      };
    }
    try {
      const run = () => perform(method, path, url.searchParams, body, auth);
      if (!picked) return send(run());
      const { fault, delayMs } = picked;
      switch (fault) {
        case 'slow':
          await wait(delayMs ?? 1000);
          return send(run());
        case 'timeout_before_commit':
          await wait(delayMs ?? holdMs);
          socket.destroy();
          return;
        case 'timeout_after_commit':
          run();
          await wait(delayMs ?? holdMs);
          socket.destroy();
          return;
        case 'http_5xx_html':
          return send({ status: 502, text: '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>', type: 'text/html' });
        case 'empty_answer': {
          const answer = run();
          return send(answer.status === 200 ? { status: 200, text: '' } : answer);
        }
      }
    } finally {
      release();
    }
  }

  function handleHarness(path: string, method: string, body: unknown, response: http.ServerResponse): void {
    const json = (status: number, value: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(value));
    };
    try {
      if (path === '/__state' && method === 'GET') {
        return json(200, { ...state.snapshot(), calls: faults.calls(), latencyMs, ...faults.describe('route'), rateLimit: limits, outageUntil });
      }
      if (path === '/__reset' && method === 'POST') {
        const parsed = z.strictObject({ data: metrcSandboxDataSchema.optional() }).parse(body ?? {});
        resetAll(parsed.data);
        return json(200, { ok: true });
      }
      if (path === '/__faults' && method === 'POST') {
        applyFaults(body);
        return json(200, { ok: true });
      }
      if (path === '/__clock' && method === 'POST') {
        const parsed = z.strictObject({ advanceMs: z.number().int().optional(), now: z.number().int().optional() }).parse(body ?? {});
        if (parsed.now !== undefined) state.clockOffsetMs = parsed.now - Date.now();
        if (parsed.advanceMs !== undefined) state.clockOffsetMs += parsed.advanceMs;
        return json(200, { now: state.now() });
      }
      json(404, { error: `no harness endpoint ${method} ${path}` });
    } catch (error) {
      json(400, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      let body: unknown = undefined;
      if (text.trim()) {
        try {
          body = JSON.parse(text);
        } catch {
          response.writeHead(400, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ Message: 'The request body is not valid JSON.' }));
          return;
        }
      }
      if (url.pathname.startsWith('/__')) return handleHarness(url.pathname, request.method ?? 'GET', body, response);
      void handleApi(request, response, url, body).catch(() => request.socket.destroy());
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    state,
    setFaults: applyFaults,
    calls: () => faults.calls(),
    reset: (data) => resetAll(data),
    async close() {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
