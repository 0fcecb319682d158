/**
 * BioTrack v1 (serverjson.asp): one endpoint, POST, content type text/JSON, an `action` field,
 * `API: "4.0"` and a `sessionid` (or `nosession: 1` with the credentials on every call).
 *
 * The session is reused and renewed once when BioTrack answers errorcode 63 or "session …
 * expired"; the request is then repeated with the same nonce (an expired session means nothing
 * was applied). Every write carries the nonce fixed when the outbox row was made.
 *
 * Credentials live only in this object's memory: nothing here logs a request body.
 */
import type {
  PatientLookup,
  PingResult,
  ProviderResult,
  ReconcileOutcome,
  ReconcileQuery,
  RemoteSale,
  TraceLine,
  TraceProvider,
  TraceRefund,
  TraceSale,
  TraceVoid,
  WriteOutcome,
} from '../provider.js';
import { matchRemoteSale } from '../provider.js';
import { postText, type PostResult } from './http.js';
import { asFlag, asNumber, asText, centsToPrice, isRepeatedNonce, isSessionExpired, parseAnswer, priceToCents, type ParsedAnswer } from './parse.js';

export interface BioTrackV1Config {
  /** The serverjson.asp address (a bare host address gets /serverjson.asp appended). */
  endpoint: string;
  /** The company licence number (UBI / company id), not the 6-digit location. */
  licenseNumber: string;
  username: string;
  password: string;
  /** The 6-digit location licence the register sells under. */
  location: string;
  training: boolean;
  /** Send the credentials on every call instead of keeping a session. */
  nosession: boolean;
  /** A request with no answer after this long is "outcome unknown". Default 60 s. */
  timeoutMs?: number;
  clock?: () => number;
}

type Call = { kind: 'answer'; answer: ParsedAnswer; status: number } | { kind: 'not_sent'; reason: string } | { kind: 'unknown'; reason: string };

export function biotrackEndpoint(address: string): string {
  const trimmed = address.trim().replace(/\/+$/, '');
  return /\.asp$/i.test(trimmed) ? trimmed : `${trimmed}/serverjson.asp`;
}

export class BioTrackV1Provider implements TraceProvider {
  readonly displayName = 'BioTrack';
  private sessionId: string | null = null;
  private loggingIn: Promise<ProviderResult<{ sessionStartedAt: number }>> | null = null;
  private readonly url: string;
  private readonly timeoutMs: number;
  private readonly clock: () => number;
  /** How many logins this client made (tests read it to see session renewal). */
  loginCount = 0;

  constructor(private readonly config: BioTrackV1Config) {
    this.url = biotrackEndpoint(config.endpoint);
    this.timeoutMs = config.timeoutMs ?? 60_000;
    this.clock = config.clock ?? Date.now;
  }

  reset(): void {
    this.sessionId = null;
  }

  async login(): Promise<ProviderResult<{ sessionStartedAt: number }>> {
    if (this.loggingIn) return this.loggingIn;
    this.loggingIn = (async () => {
      this.loginCount += 1;
      const result = await this.post({
        action: 'login',
        license_number: this.config.licenseNumber,
        username: this.config.username,
        password: this.config.password,
      });
      if (result.kind !== 'answer') return { ok: false as const, kind: 'unavailable' as const, message: result.reason };
      const { answer } = result;
      if (answer.kind === 'unreadable') return { ok: false as const, kind: 'unavailable' as const, message: answer.reason };
      if (answer.kind === 'error') {
        return { ok: false as const, kind: 'auth_failed' as const, message: `BioTrack refused the login: ${answer.message}` };
      }
      const sessionId = asText(answer.body.sessionid);
      if (!sessionId) return { ok: false as const, kind: 'unavailable' as const, message: 'BioTrack answered the login without a session id.' };
      this.sessionId = sessionId;
      return { ok: true as const, value: { sessionStartedAt: this.clock() } };
    })();
    try {
      return await this.loggingIn;
    } finally {
      this.loggingIn = null;
    }
  }

  /**
   * One action with session handling: log in when there is no session, and log in again once
   * when BioTrack says the session expired (the request was not applied, so it is repeated as is).
   */
  private async act(body: Record<string, unknown>): Promise<Call | { kind: 'auth_failed'; message: string }> {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      if (!this.config.nosession && !this.sessionId) {
        const login = await this.login();
        if (!login.ok) {
          if (login.kind === 'auth_failed') return { kind: 'auth_failed', message: login.message };
          return { kind: 'not_sent', reason: `could not log in to BioTrack: ${login.message}` };
        }
      }
      const auth = this.config.nosession
        ? { nosession: 1, license_number: this.config.licenseNumber, username: this.config.username, password: this.config.password }
        : { sessionid: this.sessionId };
      const result = await this.post({ ...body, ...auth });
      if (result.kind === 'answer' && result.answer.kind === 'error' && isSessionExpired(result.answer.code, result.answer.message)) {
        this.sessionId = null;
        if (this.config.nosession) return { kind: 'auth_failed', message: `BioTrack refused the credentials: ${result.answer.message}` };
        continue;
      }
      if (this.config.nosession && result.kind === 'answer' && result.answer.kind === 'error' && /username or password|invalid (login|credentials)/i.test(result.answer.message)) {
        return { kind: 'auth_failed', message: `BioTrack refused the credentials: ${result.answer.message}` };
      }
      return result;
    }
    return { kind: 'unknown', reason: 'BioTrack kept saying the session expired' };
  }

  private async post(body: Record<string, unknown>): Promise<Call> {
    const payload: Record<string, unknown> = { API: '4.0', ...body };
    if (this.config.training) payload.training = 1;
    const result: PostResult = await postText(this.url, JSON.stringify(payload), this.timeoutMs);
    if (result.kind !== 'response') return result;
    if (result.status < 200 || result.status >= 300) {
      const answer = parseAnswer(result.body);
      // A refusal in proper JSON is still an answer; anything else is a system error.
      if (answer.kind === 'error' && result.status < 500) return { kind: 'answer', answer, status: result.status };
      return { kind: 'unknown', reason: `BioTrack system error (HTTP ${result.status}): please try again` };
    }
    return { kind: 'answer', answer: parseAnswer(result.body), status: result.status };
  }

  private async write(body: Record<string, unknown>, nonce: string): Promise<WriteOutcome> {
    const result = await this.act({ ...body, nonce });
    if (result.kind === 'auth_failed') return result;
    if (result.kind === 'not_sent') return result;
    if (result.kind === 'unknown') return result;
    const { answer } = result;
    if (answer.kind === 'unreadable') return { kind: 'unknown', reason: answer.reason };
    if (answer.kind === 'error') {
      // A repeated nonce means BioTrack saw this request before: find out what came of it.
      if (isRepeatedNonce(answer.message)) return { kind: 'unknown', reason: `BioTrack says the request was already received: ${answer.message}` };
      return { kind: 'rejected', code: answer.code, message: answer.message };
    }
    const remoteTxnId = asText(answer.body.transactionid);
    if (!remoteTxnId) return { kind: 'unknown', reason: 'BioTrack accepted the request but sent no transaction id' };
    return { kind: 'accepted', remoteTxnId };
  }

  dispense(sale: TraceSale, nonce: string): Promise<WriteOutcome> {
    return this.write(dispenseBody(sale), nonce);
  }

  void(request: TraceVoid, nonce: string): Promise<WriteOutcome> {
    return this.write({ action: 'sale_void', transactionid: request.remoteTxnId }, nonce);
  }

  refund(request: TraceRefund, nonce: string): Promise<WriteOutcome> {
    return this.write(
      {
        action: 'sale_refund',
        transactionid: request.remoteTxnId,
        sale_time: Math.floor(request.refundTime / 1000),
        data: linesBody(request.lines),
      },
      nonce,
    );
  }

  async lookupPatient(query: { cardId: string; caregiverCardId?: string | null }): Promise<ProviderResult<PatientLookup>> {
    const body: Record<string, unknown> = { action: 'card_lookup', card_id: query.cardId };
    if (query.caregiverCardId) body.caregiver_card_id = query.caregiverCardId;
    const result = await this.act(body);
    if (result.kind === 'auth_failed') return { ok: false, kind: 'auth_failed', message: result.message };
    if (result.kind !== 'answer') return { ok: false, kind: 'unavailable', message: result.reason };
    const { answer } = result;
    if (answer.kind === 'unreadable') return { ok: false, kind: 'unavailable', message: answer.reason };
    if (answer.kind === 'error') {
      if (/not (be )?found|no (such )?(card|patient)|invalid card/i.test(answer.message)) {
        return { ok: true, value: { cardId: query.cardId, status: 'not_found', expiresOn: null, allotment: null, caregiverCardId: query.caregiverCardId ?? null } };
      }
      return { ok: false, kind: 'rejected', message: answer.message };
    }
    return { ok: true, value: readLookup(answer.body, query) };
  }

  async findSales(query: { sinceRemoteTxnId?: string; from?: number; to?: number }): Promise<ProviderResult<RemoteSale[]>> {
    const body: Record<string, unknown> = { action: 'sync_sale', download: 1 };
    if (query.sinceRemoteTxnId) body.transaction_start = query.sinceRemoteTxnId;
    const result = await this.act(body);
    if (result.kind === 'auth_failed') return { ok: false, kind: 'auth_failed', message: result.message };
    if (result.kind !== 'answer') return { ok: false, kind: 'unavailable', message: result.reason };
    const { answer } = result;
    if (answer.kind === 'unreadable') return { ok: false, kind: 'unavailable', message: answer.reason };
    if (answer.kind === 'error') return { ok: false, kind: 'rejected', message: answer.message };
    let sales = groupSaleRows(answer.body.sale);
    if (query.from !== undefined) sales = sales.filter((sale) => sale.time === null || sale.time >= query.from!);
    if (query.to !== undefined) sales = sales.filter((sale) => sale.time === null || sale.time <= query.to!);
    return { ok: true, value: sales };
  }

  async reconcile(query: ReconcileQuery): Promise<ReconcileOutcome> {
    // 1. nonce_replay: BioTrack's stored answer to the request with this nonce, if it kept one.
    const replay = await this.act({ action: 'nonce_replay', nonce: query.idempotencyKey });
    if (replay.kind === 'auth_failed') return { kind: 'undecided', reason: replay.message };
    if (replay.kind === 'answer' && replay.answer.kind === 'ok') {
      const stored = replay.answer.body.response ?? replay.answer.body.result;
      if (stored && typeof stored === 'object') {
        const storedAnswer = parseAnswer(JSON.stringify(stored));
        if (storedAnswer.kind === 'ok') {
          const id = asText(storedAnswer.body.transactionid);
          if (id) return { kind: 'found', remoteTxnId: id, how: 'nonce_replay' };
        } else if (storedAnswer.kind === 'error') {
          if (isSessionExpired(storedAnswer.code, storedAnswer.message) || isRepeatedNonce(storedAnswer.message)) {
            // The stored answer says the request was not applied: fall through to the sales list.
          } else {
            return { kind: 'rejected', code: storedAnswer.code, message: storedAnswer.message };
          }
        }
      }
    } else if (replay.kind !== 'answer') {
      return { kind: 'undecided', reason: `nonce_replay: ${replay.reason}` };
    }
    // 2. The sales list since the watermark, matched on terminal, lines, prices and time.
    const sales = await this.findSales(query.watermark ? { sinceRemoteTxnId: query.watermark } : {});
    if (!sales.ok) return { kind: 'undecided', reason: `sync_sale: ${sales.message}` };
    const write = query.write;
    if (write.kind === 'dispense') {
      const match = matchRemoteSale(write.sale, sales.value, query.claimedRemoteIds);
      return match ? { kind: 'found', remoteTxnId: match.remoteTxnId, how: 'sync_sale' } : { kind: 'absent', how: 'sync_sale' };
    }
    if (write.kind === 'void') {
      const original = sales.value.find((sale) => sale.remoteTxnId === write.void.remoteTxnId);
      if (original?.deleted) return { kind: 'found', remoteTxnId: write.void.remoteTxnId, how: 'sync_sale' };
      // The original must be in the list to say the void is absent; otherwise the list is older than it.
      return original ? { kind: 'absent', how: 'sync_sale' } : this.voidFallback(write.void.remoteTxnId);
    }
    const refund = sales.value.find(
      (sale) =>
        sale.refund &&
        sale.originalRemoteTxnId === write.refund.remoteTxnId &&
        !query.claimedRemoteIds.has(sale.remoteTxnId) &&
        sameLines(sale.lines, write.refund.lines),
    );
    return refund ? { kind: 'found', remoteTxnId: refund.remoteTxnId, how: 'sync_sale' } : { kind: 'absent', how: 'sync_sale' };
  }

  private async voidFallback(originalId: string): Promise<ReconcileOutcome> {
    const all = await this.findSales({});
    if (!all.ok) return { kind: 'undecided', reason: `sync_sale: ${all.message}` };
    const original = all.value.find((sale) => sale.remoteTxnId === originalId);
    if (!original) return { kind: 'undecided', reason: `BioTrack does not list sale ${originalId}` };
    return original.deleted ? { kind: 'found', remoteTxnId: originalId, how: 'sync_sale' } : { kind: 'absent', how: 'sync_sale' };
  }

  async ping(): Promise<PingResult> {
    const started = performance.now();
    const result = await this.act({ action: 'sync_check', download: 0 });
    const latencyMs = Math.round(performance.now() - started);
    if (result.kind === 'auth_failed') return { ok: false, latencyMs, message: result.message };
    if (result.kind !== 'answer') return { ok: false, latencyMs, message: result.reason };
    if (result.answer.kind === 'ok') return { ok: true, latencyMs, message: `BioTrack answered in ${latencyMs} ms.` };
    if (result.answer.kind === 'error') return { ok: false, latencyMs, message: `BioTrack refused the check: ${result.answer.message}` };
    return { ok: false, latencyMs, message: result.answer.reason };
  }
}

export function dispenseBody(sale: TraceSale): Record<string, unknown> {
  const body: Record<string, unknown> = {
    action: 'sale_dispense',
    terminal_id: sale.terminalId,
    sale_time: Math.floor(sale.saleTime / 1000),
    card_id: sale.cardId,
    data: linesBody(sale.lines),
  };
  if (sale.caregiverCardId) body.caregiver_card_id = sale.caregiverCardId;
  return body;
}

function linesBody(lines: TraceLine[]): Array<Record<string, unknown>> {
  // OpenTHC sends the unit price with two decimals; BioTrack's spec should confirm unit vs. line.
  return lines.map((line) => ({ barcodeid: line.barcode, quantity: line.quantity, price: centsToPrice(line.unitPriceCents) }));
}

function sameLines(a: TraceLine[], b: TraceLine[]): boolean {
  const key = (lines: TraceLine[]) =>
    lines
      .map((l) => `${l.barcode}|${Number(l.quantity)}|${Math.round(l.unitPriceCents)}`)
      .sort()
      .join(',');
  return key(a) === key(b);
}

function readLookup(body: Record<string, unknown>, query: { cardId: string; caregiverCardId?: string | null }): PatientLookup {
  const statusText = (asText(body.status) ?? asText(body.card_status) ?? 'active').toLowerCase();
  const active = asFlag(body.active);
  let status: PatientLookup['status'] = statusText.includes('expir') ? 'expired' : statusText.includes('inactive') ? 'inactive' : 'active';
  if (active === false && status === 'active') status = 'inactive';
  // The allotment's shape is not documented: accept an object {amount, unit} or flat fields.
  const raw = body.allotment;
  let amount: string | null = null;
  let unit: string | null = null;
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const record = raw as Record<string, unknown>;
    amount = asText(record.amount ?? record.remaining ?? record.value);
    unit = asText(record.unit ?? record.uom);
  } else {
    amount = asText(raw ?? body.remaining_allotment ?? body.allotment_remaining);
  }
  unit = unit ?? asText(body.allotment_unit ?? body.unit);
  return {
    cardId: asText(body.card_id) ?? query.cardId,
    status,
    expiresOn: asText(body.expiration_date ?? body.card_expiration ?? body.expires),
    allotment: amount !== null && asNumber(amount) !== null ? { amount, unit: unit ?? 'unknown' } : null,
    caregiverCardId: asText(body.caregiver_card_id) ?? query.caregiverCardId ?? null,
  };
}

/** sync_sale answers one row per sale line: group them back into sales. */
export function groupSaleRows(rows: unknown): RemoteSale[] {
  if (!Array.isArray(rows)) return [];
  const sales = new Map<string, RemoteSale>();
  for (const row of rows) {
    if (!row || typeof row !== 'object') continue;
    const record = row as Record<string, unknown>;
    const id = asText(record.transactionid);
    if (!id) continue;
    let sale = sales.get(id);
    if (!sale) {
      const seconds = asNumber(record.sessiontime);
      const original = asText(record.transactionid_original);
      sale = {
        remoteTxnId: id,
        terminalId: asText(record.terminal_id),
        time: seconds === null ? null : seconds * 1000,
        deleted: asFlag(record.deleted) === true,
        originalRemoteTxnId: original && original !== id ? original : null,
        refund: asFlag(record.refunded) === true,
        lines: [],
      };
      sales.set(id, sale);
    }
    const barcode = asText(record.inventoryid ?? record.barcodeid);
    const quantity = asNumber(record.quantity);
    const cents = priceToCents(record.price);
    if (barcode && quantity !== null && cents !== null) sale.lines.push({ barcode, quantity, unitPriceCents: cents });
  }
  return [...sales.values()];
}
