/**
 * The track-and-trace provider interface. BioTrack v1 (serverjson.asp) is the first
 * implementation; BioTrack's REST APIs and Metrc plug in behind the same shape:
 *
 *   - requests are provider-neutral (a sale is barcodes, quantities and unit prices, a terminal,
 *     a sale time and the patient's card), and each provider maps them to its own wire format;
 *   - every write carries an idempotency key (BioTrack's `nonce`, Metrc's `ExternalReceiptNumber`):
 *     for BioTrack v1 a fresh one per attempt unless the store's settings say nonces are kept;
 *   - every write answers one of five outcomes, so the sync worker never has to know a provider's
 *     error codes: accepted, rejected (a person must act), unknown (it may have been applied:
 *     reconcile before sending again), not_sent (it certainly was not applied) or auth_failed.
 */

/** One line of a sale as the state sees it. */
export interface TraceLine {
  /** The state's inventory id (BioTrack barcode id, Metrc package label). */
  barcode: string;
  /** Units sold (or grams for bulk items). */
  quantity: number;
  /** Price of one unit, in cents. */
  unitPriceCents: number;
}

/** A dispense as frozen in the outbox when the sale was made. */
export interface TraceSale {
  terminalId: string;
  /** When the sale happened (UTC epoch ms); back-dates a sale reported after an outage. */
  saleTime: number;
  /**
   * The sale time on the store's wall clock ("2026-12-06T16:44:53.000"), frozen when the sale was
   * queued: what Metrc's SalesDateTime carries on every attempt. Absent on rows queued before it was kept.
   */
  localTime?: string;
  /** The patient's card ('' for an adult-use sale). */
  cardId: string;
  caregiverCardId?: string | null;
  /** An adult-use sale: Metrc's Consumer customer type, no licence numbers (Illinois, California). */
  consumer?: boolean;
  lines: TraceLine[];
}

export interface TraceVoid {
  /** The provider's transaction id of the dispense, known once it was acknowledged. */
  remoteTxnId: string;
}

export interface TraceRefund {
  remoteTxnId: string;
  refundTime: number;
  lines: TraceLine[];
  /**
   * What stays sold after this refund and every earlier one of the same sale, frozen when the
   * refund was queued (a provider that replaces the sale's lines, as Metrc's PUT does, sends
   * this, so a repeat changes nothing). Absent on rows queued before it was kept.
   */
  remainingLines?: TraceLine[];
}

/** Which outbox row a write belongs to: Metrc's ExternalReceiptNumber is the row's id. */
export interface WriteContext {
  outboxId: string;
}

export type TraceWrite =
  | { kind: 'dispense'; sale: TraceSale }
  | { kind: 'void'; void: TraceVoid }
  | { kind: 'refund'; refund: TraceRefund };

export type WriteOutcome = WriteOutcomeKind & {
  /** The key the last request actually carried, when the provider had to change it (session renewed). */
  sentKey?: string;
};

type WriteOutcomeKind =
  | { kind: 'accepted'; remoteTxnId: string }
  /** A definite business refusal: a person must fix the cause. Never retried by itself. */
  | { kind: 'rejected'; code: string | null; message: string }
  /** Timeout after sending, reset, 5xx, an unreadable answer: it may have been applied. */
  | { kind: 'unknown'; reason: string }
  /** The request never reached the provider (connection refused, DNS): safe to send again. */
  | { kind: 'not_sent'; reason: string; retryAfterMs?: number }
  /** The provider refused the credentials: nothing is sent until Settings are corrected. */
  | { kind: 'auth_failed'; message: string };

/** A sale as the provider lists it (for reconciliation). */
export interface RemoteSale {
  remoteTxnId: string;
  terminalId: string | null;
  /** UTC epoch ms, as the provider recorded it (may be the back-dated sale time). */
  time: number | null;
  /** The patient's card as the provider lists it, when it does. */
  cardId: string | null;
  deleted: boolean;
  /** For a refund: the dispense it belongs to. */
  originalRemoteTxnId: string | null;
  refund: boolean;
  lines: TraceLine[];
}

export type ReconcileOutcome =
  | { kind: 'found'; remoteTxnId: string; how: string }
  /** The provider's stored answer for this key was a refusal: the write was not applied. */
  | { kind: 'rejected'; code: string | null; message: string }
  | { kind: 'absent'; how: string }
  /** Several of the provider's sales match this one equally: a person must choose, nothing is resent. */
  | { kind: 'ambiguous'; candidates: RemoteSale[]; how: string }
  /** Not decided yet: try again later (after `retryAfterMs` when the provider said so; `authFailed`: the credentials were refused). */
  | { kind: 'undecided'; reason: string; retryAfterMs?: number; authFailed?: boolean };

export interface PatientLookup {
  cardId: string;
  /**
   * `unreadable`: the state answered, but without a status or allotment the register recognises.
   * It is never read as active: `raw` holds what was sent, for a manager.
   */
  status: 'active' | 'inactive' | 'expired' | 'not_found' | 'unreadable';
  expiresOn: string | null;
  /** Remaining allotment exactly as the state gave it, with its unit (never assumed). */
  allotment: { amount: string; unit: string } | null;
  caregiverCardId: string | null;
  /** The key the state gave for this card, to name the patient on a sale (BioTrack `card_key`), or null. */
  cardKey: string | null;
  /** unreadable: the answer's fields as text (name → value), for a manager. */
  raw: Record<string, string> | null;
  /**
   * Per category, where the state gives one (Metrc: ounces per Item Category), mapped onto the
   * jurisdiction's product categories; the smallest figure over the state's rows (a daily and a
   * monthly row may both apply).
   */
  categories?: Array<{ stateCategory: string; productCategories: string[]; available: string; unit: string }>;
  /**
   * The figure may be as old as this (Metrc caches status for up to a minute): sales made since
   * may be missing from it, so they are counted against it as well.
   */
  asOf?: number;
}

export type ProviderResult<T> = { ok: true; value: T } | { ok: false; kind: 'rejected' | 'unavailable' | 'auth_failed'; message: string; code?: string | null };

export interface PingResult {
  ok: boolean;
  latencyMs: number;
  message: string;
}

/** Which outbox row is being reconciled, and which transaction ids are already claimed by others. */
export interface ReconcileQuery {
  write: TraceWrite;
  /** The key the last attempt carried. */
  idempotencyKey: string;
  /** When the last attempt started (UTC ms). */
  sentAt: number;
  /** When every attempt started: a sale recorded at receipt carries one of these times. */
  attemptTimes: number[];
  /** Whether another outbox row already holds this transaction id (checked by index, per candidate). */
  isClaimed(remoteTxnId: string): boolean;
  /** The highest transaction id known before the first attempt: only later ones can be ours. */
  watermark: string | null;
  /** The outbox row (Metrc: the ExternalReceiptNumber every attempt carried). */
  outboxId?: string;
}

/**
 * A package of the store's inventory as the state lists it (BioTrack inventory item, Metrc
 * package): what receiving maps onto a product.
 */
export interface TracePackage {
  /** BioTrack barcode id, Metrc package label. */
  label: string;
  name: string | null;
  /** The state's kind of product in its words (BioTrack inventory type, Metrc item category). */
  stateCategory: string;
  /** The register's category it most likely is (flower, edible...), or null. */
  suggestedCategory: string | null;
  /** What the state says remains in the package (units, or grams for bulk). */
  quantity: number;
  usableWeightMg: number | null;
  /** Whether the state marks it for medical sale, when it says. */
  medical: boolean | null;
}

export interface TraceProvider {
  /** Shown in the status bar, e.g. "BioTrack". */
  readonly displayName: string;
  login(): Promise<ProviderResult<{ sessionStartedAt: number }>>;
  lookupPatient(query: { cardId: string; caregiverCardId?: string | null }): Promise<ProviderResult<PatientLookup>>;
  dispense(sale: TraceSale, idempotencyKey: string, context?: WriteContext): Promise<WriteOutcome>;
  void(request: TraceVoid, idempotencyKey: string, context?: WriteContext): Promise<WriteOutcome>;
  refund(request: TraceRefund, idempotencyKey: string, context?: WriteContext): Promise<WriteOutcome>;
  /** Sales recorded by the provider since a transaction id or time (for reconciliation). */
  findSales(query: { sinceRemoteTxnId?: string; from?: number; to?: number }): Promise<ProviderResult<RemoteSale[]>>;
  /** Decide whether a write whose outcome was unknown was applied. */
  reconcile(query: ReconcileQuery): Promise<ReconcileOutcome>;
  ping(): Promise<PingResult>;
  /** The store's packages on hand at the state (receiving); a provider that cannot list them leaves this out. */
  listPackages?(): Promise<ProviderResult<TracePackage[]>>;
  /** Forget any session (after Settings change). */
  reset(): void;
  /** Metrc's patient status may be this old (cached up to a minute): sales made since may be missing from it. */
  readonly statusCacheMs?: number;
}

/** Send a frozen write through the provider. */
export function sendWrite(provider: TraceProvider, write: TraceWrite, key: string, context?: WriteContext): Promise<WriteOutcome> {
  switch (write.kind) {
    case 'dispense':
      return provider.dispense(write.sale, key, context);
    case 'void':
      return provider.void(write.void, key, context);
    case 'refund':
      return provider.refund(write.refund, key, context);
  }
}

export type SaleMatch = { kind: 'one'; sale: RemoteSale } | { kind: 'none' } | { kind: 'ambiguous'; candidates: RemoteSale[] };

/** How close a listed time must be to one of ours to break a tie between equal candidates. */
export const TIE_BREAK_MS = 10 * 60_000;

/**
 * Match a sale by its content: the same terminal, the same card (when the provider lists it),
 * the same lines (barcode, quantity and price, in any order) and so the same total, among sales
 * no other outbox row has claimed. Time never excludes a candidate (a sale posted hours after it
 * was made is stamped when the state received it): it only breaks a tie, when exactly one of
 * several equal candidates is near the sale time or one of the attempts. Otherwise a tie is
 * `ambiguous`, for a person to settle.
 */
export function matchRemoteSale(sale: TraceSale, remote: RemoteSale[], isClaimed: (id: string) => boolean, attemptTimes: number[] = []): SaleMatch {
  const candidates = remote.filter(
    (candidate) =>
      !candidate.refund &&
      !candidate.deleted &&
      (candidate.terminalId === null || candidate.terminalId === sale.terminalId) &&
      (candidate.cardId === null || candidate.cardId === sale.cardId) &&
      sameContent(sale.lines, candidate.lines) &&
      !isClaimed(candidate.remoteTxnId),
  );
  return pickCandidate(candidates, [sale.saleTime, ...attemptTimes]);
}

/** One candidate → it; several → the only one near our times, else ambiguous. */
export function pickCandidate(candidates: RemoteSale[], times: number[]): SaleMatch {
  if (candidates.length === 0) return { kind: 'none' };
  if (candidates.length === 1) return { kind: 'one', sale: candidates[0]! };
  const near = candidates.filter((candidate) => candidate.time !== null && times.some((time) => Math.abs(candidate.time! - time) <= TIE_BREAK_MS));
  if (near.length === 1) return { kind: 'one', sale: near[0]! };
  return { kind: 'ambiguous', candidates };
}

/**
 * The same lines, in any order: barcode, quantity, and price, where the listed price is either
 * the unit price or the line's price (the spec's meaning is unconfirmed), read the same way on
 * every line, so the totals agree too.
 */
export function sameContent(ours: TraceLine[], theirs: TraceLine[]): boolean {
  if (ours.length !== theirs.length) return false;
  const key = (lines: Array<{ barcode: string; quantity: number; cents: number }>) =>
    lines
      .map((line) => `${line.barcode}|${Number(line.quantity)}|${Math.round(line.cents)}`)
      .sort()
      .join(',');
  const listed = key(theirs.map((line) => ({ barcode: line.barcode, quantity: line.quantity, cents: line.unitPriceCents })));
  const asUnit = key(ours.map((line) => ({ barcode: line.barcode, quantity: line.quantity, cents: line.unitPriceCents })));
  const asLine = key(ours.map((line) => ({ barcode: line.barcode, quantity: line.quantity, cents: line.unitPriceCents * line.quantity })));
  return listed === asUnit || listed === asLine;
}
