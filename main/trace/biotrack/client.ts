/**
 * BioTrack v1 (serverjson.asp): one endpoint, POST, content type text/JSON, an `action` field,
 * `API: "4.0"` and a `sessionid` (or `nosession: 1` with the credentials on every call).
 *
 * The session is reused and renewed once when BioTrack answers errorcode 63 or "session …
 * expired"; the request is then repeated (an expired session means nothing was applied), with a
 * fresh nonce unless the store keeps nonces: no public client reuses one, and BioTrack may burn a
 * nonce on receipt.
 *
 * The patient link on a sale follows the store's setting: `card_id`, the `card_key` card_lookup
 * returns (looked up and kept in memory when a sale needs it), or both.
 *
 * card_lookup's answer is not documented: an answer without a recognisable status or allotment
 * is `unreadable`, with its raw fields for a manager, never read as an active card.
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
  TracePackage,
  TraceProvider,
  TraceRefund,
  TraceSale,
  TraceVoid,
  WriteOutcome,
} from '../provider.js';
import { pickCandidate, matchRemoteSale, sameContent } from '../provider.js';
import { newId } from '../../store/ids.js';
import { postText, type PostResult } from './http.js';
import type { Logger } from '../../log/logger.js';
import { isCardNotFound, readCardLookup, unreadableLookup } from './card-lookup.js';
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
  /** Each request's outcome is logged here (method, address without query, status): never a body or credentials. */
  logger?: Logger;
  /** `fresh`: a new nonce on every request (the default, as every public client does); `kept`: the outbox row's nonce on every resend. */
  noncePolicy?: NoncePolicy;
  /** How a sale names the patient: `card_id`, the `card_key` from card_lookup, or both (the default). */
  patientLink?: PatientLink;
  clock?: () => number;
}

export type NoncePolicy = 'fresh' | 'kept';
export type PatientLink = 'card_id' | 'card_key' | 'both';

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
  private readonly noncePolicy: NoncePolicy;
  private readonly patientLink: PatientLink;
  /** card_key by card (and caregiver card), as card_lookup gave it ('' = it gave none). */
  private readonly cardKeys = new Map<string, string>();
  /** How many logins this client made (tests read it to see session renewal). */
  loginCount = 0;

  constructor(private readonly config: BioTrackV1Config) {
    this.url = biotrackEndpoint(config.endpoint);
    this.timeoutMs = config.timeoutMs ?? 60_000;
    this.clock = config.clock ?? Date.now;
    this.noncePolicy = config.noncePolicy ?? 'fresh';
    this.patientLink = config.patientLink ?? 'both';
  }

  reset(): void {
    this.sessionId = null;
    this.cardKeys.clear();
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
  private async act(body: Record<string, unknown>, beforeRepeat?: (body: Record<string, unknown>) => void): Promise<Call | { kind: 'auth_failed'; message: string }> {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      if (attempt > 0) beforeRepeat?.(body);
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
    const result: PostResult = await postText(this.url, JSON.stringify(payload), this.timeoutMs, this.config.logger);
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
    let sentKey = nonce;
    const result = await this.act({ ...body, nonce }, (repeat) => {
      if (this.noncePolicy === 'kept') return;
      sentKey = newId(this.clock());
      repeat.nonce = sentKey;
    });
    const changed = sentKey !== nonce ? { sentKey } : {};
    if (result.kind === 'auth_failed') return { ...result, ...changed };
    if (result.kind === 'not_sent') return { ...result, ...changed };
    if (result.kind === 'unknown') return { ...result, ...changed };
    const { answer } = result;
    if (answer.kind === 'unreadable') return { kind: 'unknown', reason: answer.reason, ...changed };
    if (answer.kind === 'error') {
      // A repeated nonce means BioTrack saw this request before: find out what came of it.
      if (isRepeatedNonce(answer.message)) return { kind: 'unknown', reason: `BioTrack says the request was already received: ${answer.message}`, ...changed };
      return { kind: 'rejected', code: answer.code, message: answer.message, ...changed };
    }
    const remoteTxnId = asText(answer.body.transactionid);
    if (!remoteTxnId) return { kind: 'unknown', reason: 'BioTrack accepted the request but sent no transaction id', ...changed };
    return { kind: 'accepted', remoteTxnId, ...changed };
  }

  async dispense(sale: TraceSale, nonce: string): Promise<WriteOutcome> {
    // The register queues adult-use sales only for a store on Metrc; one switched back meanwhile lands here.
    if (sale.consumer) return { kind: 'rejected', code: null, message: 'This adult-use sale was queued for Metrc, but the store now reports to BioTrack, which takes medical sales only: dismiss it, or switch Settings › Track & Trace back to Metrc.' };
    const body = dispenseBody(sale);
    if (this.patientLink !== 'card_id') {
      const key = await this.cardKeyFor(sale);
      if (key.kind === 'failed') return key.outcome;
      if (key.key) body.card_key = key.key;
      else if (this.patientLink === 'card_key') {
        return {
          kind: 'rejected',
          code: null,
          message: `BioTrack gave no card key for card ${sale.cardId}: check the card in BioTrack, or set the patient link to the card id in Settings › Track & Trace (advanced).`,
        };
      }
      if (this.patientLink === 'card_key' && key.key) {
        delete body.card_id;
        delete body.caregiver_card_id;
      }
    }
    return this.write(body, nonce);
  }

  /** The card_key for a sale's card, from memory or a card_lookup (a read: nothing is sent for the sale yet). */
  private async cardKeyFor(sale: TraceSale): Promise<{ kind: 'ok'; key: string | null } | { kind: 'failed'; outcome: WriteOutcome }> {
    const cacheKey = `${sale.cardId}|${sale.caregiverCardId ?? ''}`;
    const known = this.cardKeys.get(cacheKey);
    if (known !== undefined) return { kind: 'ok', key: known || null };
    const lookup = await this.lookupPatient({ cardId: sale.cardId, caregiverCardId: sale.caregiverCardId ?? null });
    if (!lookup.ok) {
      if (lookup.kind === 'auth_failed') return { kind: 'failed', outcome: { kind: 'auth_failed', message: lookup.message } };
      // A read refused for a reason that is not about the card (a repeated nonce) is tried again later.
      if (lookup.kind === 'unavailable' || isRepeatedNonce(lookup.message)) {
        return { kind: 'failed', outcome: { kind: 'not_sent', reason: `the card's key could not be looked up (${lookup.message})` } };
      }
      return { kind: 'failed', outcome: { kind: 'rejected', code: lookup.code ?? null, message: `BioTrack refused card ${sale.cardId}: ${lookup.message}` } };
    }
    if (lookup.value.status === 'not_found') {
      return { kind: 'failed', outcome: { kind: 'rejected', code: null, message: `BioTrack does not know card ${sale.cardId}: correct the medical ID in the profile.` } };
    }
    // An answer the register could not read is asked again next time; a readable one without a key is remembered as keyless.
    if (lookup.value.status !== 'unreadable' || lookup.value.cardKey) this.cardKeys.set(cacheKey, lookup.value.cardKey ?? '');
    // A sale that needs the key is not refused over an answer the register could not read (a gateway's
    // page, a one-off odd answer): nothing is sent, and the next attempt asks BioTrack again.
    if (lookup.value.status === 'unreadable' && !lookup.value.cardKey && this.patientLink === 'card_key') {
      return { kind: 'failed', outcome: { kind: 'not_sent', reason: `BioTrack's answer about card ${sale.cardId} could not be read; it is asked again before the sale is sent` } };
    }
    return { kind: 'ok', key: lookup.value.cardKey };
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
    if (answer.kind === 'unreadable') {
      // JSON without a success flag: BioTrack answered, in a form the register does not understand.
      if (answer.body) return { ok: true, value: unreadableLookup(answer.body, query) };
      return { ok: false, kind: 'unavailable', message: answer.reason };
    }
    if (answer.kind === 'error') {
      if (isCardNotFound(answer.message)) {
        return {
          ok: true,
          value: { cardId: query.cardId, status: 'not_found', expiresOn: null, allotment: null, caregiverCardId: query.caregiverCardId ?? null, cardKey: null, raw: null },
        };
      }
      return { ok: false, kind: 'rejected', message: answer.message, code: answer.code };
    }
    const value = readCardLookup(answer.body, query);
    if (value.cardKey) this.cardKeys.set(`${query.cardId}|${query.caregiverCardId ?? ''}`, value.cardKey);
    return { ok: true, value };
  }

  /** sync_inventory: the location's inventory items with what remains of each. */
  async listPackages(): Promise<ProviderResult<TracePackage[]>> {
    const result = await this.act({ action: 'sync_inventory', download: 1 });
    if (result.kind === 'auth_failed') return { ok: false, kind: 'auth_failed', message: result.message };
    if (result.kind !== 'answer') return { ok: false, kind: 'unavailable', message: result.reason };
    const { answer } = result;
    if (answer.kind === 'unreadable') return { ok: false, kind: 'unavailable', message: answer.reason };
    if (answer.kind === 'error') return { ok: false, kind: 'rejected', message: answer.message, code: answer.code };
    return { ok: true, value: readInventory(answer.body.inventory) };
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
    // 1. nonce_replay: BioTrack's stored answer to the request with this nonce, if it kept one and
    //    lets this user ask (the action is missing from BioTrack's privilege map: 62 is likely).
    const replay = await this.act({ action: 'nonce_replay', nonce: query.idempotencyKey });
    if (replay.kind === 'auth_failed') return { kind: 'undecided', reason: replay.message };
    if (replay.kind === 'answer' && replay.answer.kind === 'ok') {
      const stored = replay.answer.body.response ?? replay.answer.body.result;
      if (stored && typeof stored === 'object' && !Array.isArray(stored)) {
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
      // Any other shape is not guessed at: the sales list decides.
    } else if (replay.kind !== 'answer') {
      return { kind: 'undecided', reason: `nonce_replay: ${replay.reason}` };
    }
    // 2. The sales list from the watermark (before the first attempt), matched by content.
    const write = query.write;
    if (write.kind === 'void') {
      // The original is listed from its own id on (a void changes it), voided or not.
      const listed = await this.findSales({ sinceRemoteTxnId: write.void.remoteTxnId });
      if (!listed.ok) return { kind: 'undecided', reason: `sync_sale: ${listed.message}` };
      const original = listed.value.find((sale) => sale.remoteTxnId === write.void.remoteTxnId);
      if (!original) return { kind: 'undecided', reason: `BioTrack does not list sale ${write.void.remoteTxnId}` };
      return original.deleted ? { kind: 'found', remoteTxnId: write.void.remoteTxnId, how: 'sync_sale' } : { kind: 'absent', how: 'sync_sale' };
    }
    const sales = await this.findSales(query.watermark ? { sinceRemoteTxnId: query.watermark } : {});
    if (!sales.ok) return { kind: 'undecided', reason: `sync_sale: ${sales.message}` };
    const match =
      write.kind === 'dispense'
        ? matchRemoteSale(write.sale, sales.value, (id) => query.isClaimed(id), query.attemptTimes)
        : pickCandidate(
            sales.value.filter(
              (sale) => sale.refund && sale.originalRemoteTxnId === write.refund.remoteTxnId && sameContent(write.refund.lines, sale.lines) && !query.isClaimed(sale.remoteTxnId),
            ),
            [write.refund.refundTime, ...query.attemptTimes],
          );
    if (match.kind === 'one') return { kind: 'found', remoteTxnId: match.sale.remoteTxnId, how: 'sync_sale' };
    if (match.kind === 'ambiguous') return { kind: 'ambiguous', candidates: match.candidates, how: 'sync_sale' };
    return { kind: 'absent', how: 'sync_sale' };
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
        cardId: asText(record.card_id),
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

/** BioTrack inventory types (openthc/cre-adapter $_inv_kind) the register sells, with its category. */
const INVENTORY_TYPES: Record<string, { words: string; category: string }> = {
  '22': { words: 'Solid edible', category: 'edible' },
  '23': { words: 'Liquid edible', category: 'beverage' },
  '24': { words: 'Extract for inhalation', category: 'concentrate' },
  '25': { words: 'Topical', category: 'topical' },
  '28': { words: 'Usable marijuana', category: 'flower' },
};

/** sync_inventory's rows; a row without a barcode id is skipped (nothing could be received from it). */
export function readInventory(rows: unknown): TracePackage[] {
  if (!Array.isArray(rows)) return [];
  const packages: TracePackage[] = [];
  for (const row of rows as unknown[]) {
    if (!row || typeof row !== 'object') continue;
    const item = row as Record<string, unknown>;
    const label = asText(item.id) ?? asText(item.barcodeid);
    if (!label) continue;
    const type = asText(item.inventorytype) ?? '';
    const known = INVENTORY_TYPES[type];
    const usable = Number(asText(item.usableweight) ?? asText(item.usableweightperunit));
    const quantity = Number(asText(item.remaining_quantity) ?? asText(item.quantity));
    const medical = asText(item.is_medical);
    packages.push({
      label,
      name: asText(item.strain) || asText(item.productname) || null,
      stateCategory: known ? known.words : type ? `Inventory type ${type}` : 'Unknown',
      suggestedCategory: known?.category ?? null,
      quantity: Number.isFinite(quantity) ? quantity : 0,
      usableWeightMg: Number.isFinite(usable) && usable > 0 ? Math.round(usable * 1000) : null,
      medical: medical === '1' ? true : medical === '0' ? false : null,
    });
  }
  return packages;
}
