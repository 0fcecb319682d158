/**
 * Customer documents' files through the store hub (issue 15: "documents (files included)").
 *
 * A document's record travels as a `customer.document.add` command; its file travels here, over
 * HTTPS to the same hub, pinned to the fingerprint seen at pairing, with the device token:
 *
 *   upload   Before a push that carries a `customer.document.add`, the register makes sure the hub
 *            holds the file: HEAD /v1/files/<sha256>, and PUT when it does not. An upload that fails
 *            because the hub cannot be reached fails the push: the command stays in the outbox and
 *            goes again, with its file, when the hub answers. A file this register cannot send (gone
 *            from its data folder, or its bytes no longer match their name) does not hold the outbox
 *            up: the record goes and the problem is logged for a person.
 *   fetch    A station that applies another station's document (apply.ts) notes its file as wanted
 *            (hub_records entity `document_file_wanted`, id = sha256). After each pull, in the
 *            background and never inside the apply transaction, it fetches wanted files: GET, check
 *            the SHA-256, write `<sha>.part`, flush, rename into customer-documents/. A file the hub
 *            does not hold yet, or that arrives damaged, stays wanted and is tried again later: its
 *            record counts the attempts and says when to try next (waits double, up to 10 minutes),
 *            and a round takes the files that are due, so files that never come do not hold up
 *            later ones. After MISSING_AFTER attempts the profile says the file is missing at the
 *            station that added it (scan it again there); it is still tried now and then.
 *   resend   When the hub finds its copy of a file damaged, it publishes the file's documents again
 *            with `fileLostAt` (apply.ts notes `document_file_resend`): a station that holds the file
 *            whole, the one that added it or one that fetched it, sends it again after its pull.
 *   recheck  After a hub epoch change (a restored hub), every file this register added itself is
 *            checked on the hub (HEAD) and sent when missing, in batches, in the background.
 *
 * The socket is checked against the pinned fingerprint before the request (and so the token) is
 * written on it: https.request gets the already-verified TLS socket through `createConnection`.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { SecretBox } from '../core/secret-box.js';
import type { Logger } from '../log/logger.js';
import { DocumentStore } from '../customers/documents.js';
import { cachedStatement } from '../store/statements.js';
import { HubError, splitAddress } from './connection.js';
import type { OutboxCommand } from './outbox.js';
import { openToken, readHubState } from './state.js';

/** What a file request needs: where the hub is, the certificate pinned at pairing, this device's token. */
export interface FileLink {
  address: string;
  fingerprint: string;
  token: string;
}

/** The hub's own limit on a document file (hub/server.ts MAX_FILE). */
const MAX_FILE = 25 * 1024 * 1024;
const SHA = /^[0-9a-f]{64}$/;
const UNREACHABLE = 'The store hub does not answer: check that the hub PC is on and on the store network.';
const STOPPED = 'The store hub link stopped.';
/** Wanted files tried per round (each a request): the rest wait for the next round. */
const FETCH_PER_ROUND = 50;
/** Longest wait before a wanted file is tried again. */
const RETRY_CAP_MS = 10 * 60_000;
/** Failed attempts after which the profile says the file is missing at its station. */
export const MISSING_AFTER = 5;
/** Own files checked on the hub per batch after an epoch change. */
const RECHECK_BATCH = 100;

/** What a wanted file's record holds (hub_records 'document_file_wanted', data). */
const wantedData = z.object({
  documentId: z.string().optional(),
  customerId: z.string().nullable().optional(),
  deviceId: z.string().nullable().optional(),
  attempts: z.number().int().nonnegative().optional(),
  nextTryAt: z.number().optional(),
});

const putReply = z.object({ sha256: z.string().regex(SHA), sizeBytes: z.number().int().nonnegative() });
const errorReply = z.object({ message: z.string() });

export function fileLink(sqlite: Database.Database, box: SecretBox): FileLink | null {
  const state = readHubState(sqlite);
  if (!state) return null;
  return { address: state.address, fingerprint: state.fingerprint, token: openToken(state, box) };
}

interface FileReply {
  status: number;
  body: Buffer;
}

/** One HTTPS request to the hub on a socket whose certificate is the pinned one. */
function pinnedRequest(link: FileLink, method: 'HEAD' | 'GET' | 'PUT', sha256: string, body: Buffer | null, timeoutMs: number, signal?: AbortSignal): Promise<FileReply> {
  const { host, port } = splitAddress(link.address);
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new HubError('unreachable', STOPPED));
      return;
    }
    let settled = false;
    const socket = tls.connect({ host, port, rejectUnauthorized: false, servername: 'hub.local' });
    const timer = setTimeout(() => fail(new HubError('timeout', 'The store hub did not answer in time.')), timeoutMs);
    const onAbort = (): void => fail(new HubError('unreachable', STOPPED));
    signal?.addEventListener('abort', onAbort, { once: true });
    function fail(error: HubError): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(error);
    }
    // `on`, not `once`: the link may also reset after the answer was read (then it changes nothing).
    socket.on('error', () => fail(new HubError('unreachable', UNREACHABLE)));
    socket.once('secureConnect', () => {
      if (socket.getPeerCertificate().fingerprint256 !== link.fingerprint) {
        fail(new HubError('not_this_hub', 'The hub at this address is not the one this register was paired with: pair again in Settings › Store hub.'));
        return;
      }
      // keep-alive: the hub does not close first, this side closes once it has read the whole answer
      // (a link that resets on the hub's close could otherwise cut off the answer's last bytes).
      const headers: Record<string, string | number> = { authorization: `Device ${link.token}`, connection: 'keep-alive' };
      if (body) {
        headers['content-type'] = 'application/octet-stream';
        headers['content-length'] = body.length;
      }
      const request = https.request({ host, port, method, path: `/v1/files/${sha256}`, headers, createConnection: () => socket }, (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_FILE + 64 * 1024) fail(new HubError('bad_reply', 'The hub sent more than a document file can be.'));
          else chunks.push(chunk);
        });
        response.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          socket.end();
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) });
        });
        response.on('error', () => fail(new HubError('unreachable', UNREACHABLE)));
      });
      request.on('error', () => fail(new HubError('unreachable', UNREACHABLE)));
      request.end(body ?? undefined);
    });
  });
}

function refusal(reply: FileReply, fallback: string): string {
  try {
    const parsed = errorReply.safeParse(JSON.parse(reply.body.toString('utf8')));
    return parsed.success ? parsed.data.message : fallback;
  } catch {
    return fallback;
  }
}

function authProblem(reply: FileReply): HubError | null {
  if (reply.status === 401) return new HubError('unauthorised', refusal(reply, 'The store hub no longer knows this station: pair it again in Settings › Store hub.'));
  return null;
}

/** True when the hub holds the file. */
export async function hubHasFile(link: FileLink, sha256: string, timeoutMs = 5000, signal?: AbortSignal): Promise<boolean> {
  const reply = await pinnedRequest(link, 'HEAD', sha256, null, timeoutMs, signal);
  const auth = authProblem(reply);
  if (auth) throw auth;
  if (reply.status === 200) return true;
  if (reply.status === 404) return false;
  throw new HubError('bad_reply', 'The hub gave an answer this register cannot read: check that the hub and the registers run the same version.');
}

/**
 * Send a file. The hub hashes what arrived and refuses bytes that do not match the name
 * (HubError 'bad_request'); 'too_large' is a file over the hub's limit.
 */
export async function putFile(link: FileLink, sha256: string, bytes: Buffer, timeoutMs = 30_000, signal?: AbortSignal): Promise<void> {
  const reply = await pinnedRequest(link, 'PUT', sha256, bytes, timeoutMs, signal);
  const auth = authProblem(reply);
  if (auth) throw auth;
  if (reply.status === 413) throw new HubError('bad_request', refusal(reply, 'The file is too large for the store hub.'), undefined, 'too_large');
  if (reply.status === 400) throw new HubError('bad_request', refusal(reply, 'The file did not arrive whole: send it again.'), undefined, 'damaged');
  if (reply.status !== 200) throw new HubError('bad_reply', 'The hub gave an answer this register cannot read: check that the hub and the registers run the same version.');
  let json: unknown;
  try {
    json = JSON.parse(reply.body.toString('utf8'));
  } catch {
    json = null;
  }
  const parsed = putReply.safeParse(json);
  if (!parsed.success || parsed.data.sha256 !== sha256 || parsed.data.sizeBytes !== bytes.length) {
    throw new HubError('bad_reply', 'The hub gave an answer this register cannot read: check that the hub and the registers run the same version.');
  }
}

/** The file's bytes (not yet checked against the name), or null when the hub does not hold it. */
export async function getFile(link: FileLink, sha256: string, timeoutMs = 30_000, signal?: AbortSignal): Promise<Buffer | null> {
  const reply = await pinnedRequest(link, 'GET', sha256, null, timeoutMs, signal);
  const auth = authProblem(reply);
  if (auth) throw auth;
  if (reply.status === 404) return null;
  if (reply.status !== 200) throw new HubError('bad_reply', 'The hub gave an answer this register cannot read: check that the hub and the registers run the same version.');
  return reply.body;
}

function sha256Of(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Written beside as `<target>.part`, flushed, then renamed: the named file is always whole. */
function writeWhole(target: string, bytes: Buffer): void {
  mkdirSync(dirname(target), { recursive: true });
  const part = `${target}.part`;
  const fd = openSync(part, 'w');
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(part, target);
}

export interface DocumentFilesDeps {
  sqlite(): Database.Database;
  secretBox: SecretBox;
  dataDir: string;
  logger: Logger;
  clock(): number;
  /** Files of these customers' documents arrived: their profiles can open them now. */
  arrived(customerIds: string[]): void;
}

export interface DocumentFilesOptions {
  timeoutMs?: number;
  /** Wanted files tried per round. */
  perRound?: number;
  /** First wait before a wanted file that did not come is tried again (doubles, up to 10 minutes). */
  retryMs?: number;
}

export class DocumentFiles {
  private readonly store: DocumentStore;
  /** Files the hub is known to hold (this connection's epoch): no HEAD for them again. */
  private readonly onHub = new Set<string>();
  /** Files this register cannot send (logged once each). */
  private readonly given = new Set<string>();
  private fetching: Promise<void> | null = null;
  private again = false;
  private rechecking: Promise<void> | null = null;
  /** An epoch change asked for the own-files check and it has not finished yet (the hub went away meanwhile). */
  private recheckDue = false;
  /** Set by stop(): rounds end between files and the request in flight is cut off. */
  private stopping = false;
  private abort = new AbortController();
  private readonly timeoutMs: number;
  private readonly perRound: number;
  private readonly retryMs: number;

  constructor(
    private readonly deps: DocumentFilesDeps,
    options: DocumentFilesOptions = {},
  ) {
    this.store = new DocumentStore(deps.dataDir);
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.perRound = options.perRound ?? FETCH_PER_ROUND;
    this.retryMs = options.retryMs ?? 5000;
  }

  /** A new hub epoch (a restored hub): what it held before is not assumed. */
  forgetHub(): void {
    this.onHub.clear();
  }

  /** Running again after stop() (the database was reopened). */
  resume(): void {
    if (!this.stopping) return;
    this.stopping = false;
    this.abort = new AbortController();
  }

  /** Ends the running round soon: no further file is started and the request in flight is cut off. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    await this.idle();
  }

  /**
   * After a hub epoch change: every file of a document this register added itself is checked on
   * the hub and sent when it lacks it (batches of RECHECK_BATCH, in the background, one at a time).
   */
  recheckOwnSoon(): void {
    this.recheckDue = true;
    this.recheckIfDue();
  }

  /** Carries on with an own-files check an epoch change asked for and the hub's going away cut short. */
  recheckIfDue(): void {
    if (!this.recheckDue || this.rechecking || this.stopping) return;
    this.rechecking = this.recheckOwn()
      .then((complete) => {
        if (complete) this.recheckDue = false;
      })
      .catch((error: unknown) => {
        if (!(error instanceof HubError)) this.deps.logger.log('warn', 'checking this register\'s document files on the store hub failed', { error: String(error) });
      })
      .finally(() => {
        this.rechecking = null;
      });
  }

  /** True when every own file was checked (false: stopped first; a HubError: the hub went away). */
  private async recheckOwn(): Promise<boolean> {
    let after = '';
    let checked = 0;
    for (;;) {
      if (this.stopping) return false;
      const sqlite = this.deps.sqlite();
      const link = fileLink(sqlite, this.deps.secretBox);
      if (!link) return true;
      const own = ownDocumentFiles(sqlite, after, RECHECK_BATCH);
      if (own.length === 0) break;
      for (const sha of own) {
        if (this.stopping) return false;
        if (this.onHub.has(sha) || !existsSync(this.store.path(sha))) continue;
        await this.upload(link, sha);
        checked += 1;
      }
      after = own[own.length - 1]!;
    }
    this.deps.logger.log('info', 'checked this register\'s document files on the store hub after its epoch changed', { checked });
    return true;
  }

  /**
   * Before `commands` are pushed: the hub holds the file of every document they add. Throws
   * (HubError) when the hub cannot take a file now: the push waits and the outbox goes again.
   */
  async uploadFor(commands: OutboxCommand[]): Promise<void> {
    const wanted = new Set<string>();
    for (const command of commands) {
      if (command.kind !== 'customer.document.add') continue;
      const sha = (command.payload as { sha256?: unknown }).sha256;
      if (typeof sha === 'string' && SHA.test(sha) && !this.onHub.has(sha)) wanted.add(sha);
    }
    if (wanted.size === 0) return;
    const link = fileLink(this.deps.sqlite(), this.deps.secretBox);
    if (!link) throw new HubError('unauthorised', 'This register is not paired with a store hub.');
    for (const sha of wanted) {
      if (this.stopping) throw new HubError('unreachable', STOPPED);
      await this.upload(link, sha);
    }
  }

  private cannotSend(sha: string, why: string): void {
    if (this.given.has(sha)) return;
    this.given.add(sha);
    this.deps.logger.log('error', `a customer document's file cannot be sent to the store hub: ${why}; its record goes without it`, { sha256: sha });
  }

  /**
   * Makes sure the hub holds the file, sending it when it does not. False when this station cannot
   * send it (missing, damaged or too large here): logged for a person unless `quiet` (another
   * station's file, which that station answers for).
   */
  private async upload(link: FileLink, sha: string, options: { quiet?: boolean } = {}): Promise<boolean> {
    const cannot = (why: string): false => {
      if (!options.quiet) this.cannotSend(sha, why);
      return false;
    };
    if (await hubHasFile(link, sha, this.timeoutMs, this.abort.signal)) {
      this.onHub.add(sha);
      return true;
    }
    const path = this.store.path(sha);
    if (!existsSync(path)) return cannot('it is missing from this register\'s data folder');
    const bytes = readFileSync(path);
    // Damaged on this disk: sending it would only be refused, again and again.
    if (sha256Of(bytes) !== sha) return cannot('its copy on this register is damaged (its bytes no longer match their SHA-256)');
    for (let attempt = 1; ; attempt++) {
      try {
        await putFile(link, sha, bytes, Math.max(this.timeoutMs, 30_000), this.abort.signal);
        this.onHub.add(sha);
        this.deps.logger.log('info', 'sent a customer document\'s file to the store hub', { sha256: sha, sizeBytes: bytes.length });
        return true;
      } catch (error) {
        if (error instanceof HubError && error.detail === 'too_large') return cannot('it is larger than the store hub takes');
        // Refused as damaged although it is whole here: damaged on the way. Once more now, then next round.
        if (error instanceof HubError && error.detail === 'damaged' && attempt < 2) continue;
        throw error;
      }
    }
  }

  /** Files this station still waits for. */
  wantedCount(): number {
    return (cachedStatement(this.deps.sqlite(), "SELECT COUNT(*) AS n FROM hub_records WHERE entity = 'document_file_wanted'").get() as { n: number }).n;
  }

  /** True when files wait to be fetched or sent again: a round has work. */
  hasWork(): boolean {
    return cachedStatement(this.deps.sqlite(), "SELECT 1 FROM hub_records WHERE entity IN ('document_file_wanted', 'document_file_resend') LIMIT 1").get() !== undefined;
  }

  /** Fetch wanted files in the background (one round at a time; a call during a round asks for another). */
  fetchSoon(): void {
    if (this.stopping) return;
    if (this.fetching) {
      this.again = true;
      return;
    }
    this.fetching = (async () => {
      do {
        this.again = false;
        await this.resendLost().catch((error: unknown) => {
          if (!(error instanceof HubError)) this.deps.logger.log('warn', 'sending document files the store hub lost failed', { error: String(error) });
        });
        await this.fetchWanted().catch((error: unknown) => {
          if (!(error instanceof HubError)) this.deps.logger.log('warn', 'fetching customer documents\' files from the store hub failed', { error: String(error) });
        });
      } while (this.again && !this.stopping);
    })().finally(() => {
      this.fetching = null;
    });
  }

  /** Resolves when no fetch round is running (before the database closes). */
  async idle(): Promise<void> {
    while (this.fetching || this.rechecking) await (this.fetching ?? this.rechecking);
  }

  /**
   * Files the hub asked to have again (its copy was damaged): sent when this station holds them
   * whole. A file this station does not have is left to the others (only the station that added
   * it logs that it cannot). Stops at the first network failure; the rest go next round.
   */
  async resendLost(): Promise<number> {
    const sqlite = this.deps.sqlite();
    const link = fileLink(sqlite, this.deps.secretBox);
    if (!link) return 0;
    const deviceId = readHubState(sqlite)?.deviceId;
    const asked = cachedStatement(sqlite, "SELECT id, data FROM hub_records WHERE entity = 'document_file_resend' ORDER BY version LIMIT ?").all(this.perRound) as Array<{ id: string; data: string }>;
    let sent = 0;
    for (const row of asked) {
      if (this.stopping) break;
      const sha = row.id;
      this.onHub.delete(sha);
      const own = (JSON.parse(row.data) as { deviceId?: unknown }).deviceId === deviceId;
      // Another station's file: sent only from a whole copy here (the station that added it says when it cannot).
      if (SHA.test(sha) && (own || existsSync(this.store.path(sha))) && (await this.upload(link, sha, { quiet: !own }))) sent += 1;
      cachedStatement(this.deps.sqlite(), "DELETE FROM hub_records WHERE entity = 'document_file_resend' AND id = ?").run(sha);
    }
    return sent;
  }

  /**
   * One round: the wanted files that are due (up to perRound, the longest-waiting first) fetched,
   * checked and kept. Returns how many arrived and how many still wait. Stops at the first network
   * failure (next round retries) and between files once stop() was called.
   */
  async fetchWanted(): Promise<{ fetched: number; waiting: number }> {
    let sqlite: Database.Database;
    try {
      sqlite = this.deps.sqlite();
    } catch {
      return { fetched: 0, waiting: 0 };
    }
    const link = fileLink(sqlite, this.deps.secretBox);
    if (!link) return { fetched: 0, waiting: 0 };
    const wanted = cachedStatement(
      sqlite,
      `SELECT id, data FROM hub_records WHERE entity = 'document_file_wanted' AND COALESCE(json_extract(data, '$.nextTryAt'), 0) <= ?
        ORDER BY COALESCE(json_extract(data, '$.nextTryAt'), 0), version LIMIT ?`,
    ).all(this.deps.clock(), this.perRound) as Array<{ id: string; data: string }>;
    const customers = new Set<string>();
    let fetched = 0;
    const done = (sha: string, data: string) => {
      cachedStatement(this.deps.sqlite(), "DELETE FROM hub_records WHERE entity = 'document_file_wanted' AND id = ?").run(sha);
      const customerId = (JSON.parse(data) as { customerId?: unknown }).customerId;
      if (typeof customerId === 'string') customers.add(customerId);
    };
    // Not here this time: tried again after a wait that doubles with each attempt.
    const later = (sha: string, data: string) => {
      const parsed = wantedData.safeParse(JSON.parse(data));
      const record = parsed.success ? parsed.data : {};
      const attempts = (record.attempts ?? 0) + 1;
      const wait = Math.min(RETRY_CAP_MS, this.retryMs * 2 ** Math.min(attempts - 1, 20));
      cachedStatement(this.deps.sqlite(), "UPDATE hub_records SET data = ? WHERE entity = 'document_file_wanted' AND id = ?").run(
        JSON.stringify({ ...record, attempts, nextTryAt: this.deps.clock() + wait }),
        sha,
      );
      // The profile changes its words once the file counts as missing.
      if (attempts === MISSING_AFTER && typeof record.customerId === 'string') customers.add(record.customerId);
    };
    try {
      for (const row of wanted) {
        if (this.stopping) break;
        const sha = row.id;
        const target = this.store.path(sha);
        if (!SHA.test(sha) || existsSync(target)) {
          done(sha, row.data);
          continue;
        }
        const bytes = await getFile(link, sha, Math.max(this.timeoutMs, 30_000), this.abort.signal);
        if (bytes === null) {
          // Not on the hub (its station has not sent it, or the hub's copy was damaged).
          later(sha, row.data);
          continue;
        }
        if (sha256Of(bytes) !== sha) {
          this.deps.logger.log('warn', 'a customer document\'s file came from the store hub damaged: it was not kept and is fetched again later', { sha256: sha });
          later(sha, row.data);
          continue;
        }
        try {
          writeWhole(target, bytes);
        } catch (error) {
          rmSync(`${target}.part`, { force: true });
          throw error;
        }
        fetched += 1;
        done(sha, row.data);
      }
    } finally {
      if (customers.size > 0) this.deps.arrived([...customers]);
    }
    return { fetched, waiting: this.wantedCount() };
  }
}

/** SHA-256 names of files of documents this register added itself, after `after`, in order. */
function ownDocumentFiles(sqlite: Database.Database, after: string, limit: number): string[] {
  const deviceId = readHubState(sqlite)?.deviceId;
  if (!deviceId) return [];
  // Documents added here: not applied from another station's record (hub_records holds those).
  const rows = cachedStatement(
    sqlite,
    `SELECT DISTINCT d.sha256 FROM customer_documents d
      WHERE d.sha256 > ? AND NOT EXISTS (
        SELECT 1 FROM hub_records r WHERE r.entity = 'customer_document' AND r.id = d.id AND COALESCE(json_extract(r.data, '$.deviceId'), '') <> ?)
      ORDER BY d.sha256 LIMIT ?`,
  ).all(after, deviceId, limit) as Array<{ sha256: string }>;
  return rows.map((row) => row.sha256).filter((sha) => SHA.test(sha));
}

/** Why a document's file is not on this station, for its profile. */
export interface DocumentFileAbsence {
  /** The station that added it (null: this register, restored from a backup older than it). */
  from: string | null;
  /** Tried MISSING_AFTER times without arriving: it is to be scanned again at `from`. */
  missing: boolean;
}

/**
 * Where a document's file is to come from, when its record arrived from the hub (null for one
 * added here): its profile says "Not yet copied from <station>" until the file is here, or that it
 * is missing there once it failed to come MISSING_AFTER times.
 */
export function documentFileAbsence(sqlite: Database.Database, documentId: string, sha256: string): DocumentFileAbsence | null {
  const record = cachedStatement(sqlite, "SELECT data FROM hub_records WHERE entity = 'customer_document' AND id = ?").get(documentId) as { data: string } | undefined;
  if (!record) return null;
  const wanted = cachedStatement(sqlite, "SELECT data FROM hub_records WHERE entity = 'document_file_wanted' AND id = ?").get(sha256) as { data: string } | undefined;
  const parsed = wanted ? wantedData.safeParse(JSON.parse(wanted.data)) : null;
  const missing = (parsed?.success ? (parsed.data.attempts ?? 0) : 0) >= MISSING_AFTER;
  const deviceId = (JSON.parse(record.data) as { deviceId?: unknown }).deviceId;
  // Added here before this station was restored from an older backup: the hub holds its file.
  if (deviceId === readHubState(sqlite)?.deviceId) return { from: null, missing };
  const device = typeof deviceId === 'string' ? (cachedStatement(sqlite, "SELECT data FROM hub_records WHERE entity = 'device' AND id = ?").get(deviceId) as { data: string } | undefined) : undefined;
  const name = device ? (JSON.parse(device.data) as { name?: unknown }).name : undefined;
  return { from: typeof name === 'string' && name.trim() !== '' ? name : 'another station', missing };
}
