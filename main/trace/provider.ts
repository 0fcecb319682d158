/**
 * The track-and-trace provider interface. BioTrack v1 (serverjson.asp) is the first
 * implementation; BioTrack's REST APIs and Metrc plug in behind the same shape:
 *
 *   - requests are provider-neutral (a sale is barcodes, quantities and unit prices, a terminal,
 *     a sale time and the patient's card), and each provider maps them to its own wire format;
 *   - every write carries an idempotency key fixed when the outbox row was made (BioTrack's
 *     `nonce`, Metrc's `ExternalReceiptNumber`), resent unchanged on every retry;
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
  cardId: string;
  caregiverCardId?: string | null;
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
}

export type TraceWrite =
  | { kind: 'dispense'; sale: TraceSale }
  | { kind: 'void'; void: TraceVoid }
  | { kind: 'refund'; refund: TraceRefund };

export type WriteOutcome =
  | { kind: 'accepted'; remoteTxnId: string }
  /** A definite business refusal: a person must fix the cause. Never retried by itself. */
  | { kind: 'rejected'; code: string | null; message: string }
  /** Timeout after sending, reset, 5xx, an unreadable answer: it may have been applied. */
  | { kind: 'unknown'; reason: string }
  /** The request never reached the provider (connection refused, DNS): safe to send again. */
  | { kind: 'not_sent'; reason: string }
  /** The provider refused the credentials: nothing is sent until Settings are corrected. */
  | { kind: 'auth_failed'; message: string };

/** A sale as the provider lists it (for reconciliation). */
export interface RemoteSale {
  remoteTxnId: string;
  terminalId: string | null;
  /** UTC epoch ms, as the provider recorded it (may be the back-dated sale time). */
  time: number | null;
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
  | { kind: 'undecided'; reason: string };

export interface PatientLookup {
  cardId: string;
  status: 'active' | 'inactive' | 'expired' | 'not_found';
  expiresOn: string | null;
  /** Remaining allotment exactly as the state gave it, with its unit (never assumed). */
  allotment: { amount: string; unit: string } | null;
  caregiverCardId: string | null;
}

export type ProviderResult<T> = { ok: true; value: T } | { ok: false; kind: 'rejected' | 'unavailable' | 'auth_failed'; message: string };

export interface PingResult {
  ok: boolean;
  latencyMs: number;
  message: string;
}

/** Which outbox row is being reconciled, and which transaction ids are already claimed by others. */
export interface ReconcileQuery {
  write: TraceWrite;
  idempotencyKey: string;
  /** When the last attempt started (UTC ms). */
  sentAt: number;
  claimedRemoteIds: ReadonlySet<string>;
  /** The highest transaction id known to predate the attempt: only later ones can be ours. */
  watermark: string | null;
}

export interface TraceProvider {
  /** Shown in the status bar, e.g. "BioTrack". */
  readonly displayName: string;
  login(): Promise<ProviderResult<{ sessionStartedAt: number }>>;
  lookupPatient(query: { cardId: string; caregiverCardId?: string | null }): Promise<ProviderResult<PatientLookup>>;
  dispense(sale: TraceSale, idempotencyKey: string): Promise<WriteOutcome>;
  void(request: TraceVoid, idempotencyKey: string): Promise<WriteOutcome>;
  refund(request: TraceRefund, idempotencyKey: string): Promise<WriteOutcome>;
  /** Sales recorded by the provider since a transaction id or time (for reconciliation). */
  findSales(query: { sinceRemoteTxnId?: string; from?: number; to?: number }): Promise<ProviderResult<RemoteSale[]>>;
  /** Decide whether a write whose outcome was unknown was applied. */
  reconcile(query: ReconcileQuery): Promise<ReconcileOutcome>;
  ping(): Promise<PingResult>;
  /** Forget any session (after Settings change). */
  reset(): void;
}

/** Send a frozen write through the provider. */
export function sendWrite(provider: TraceProvider, write: TraceWrite, key: string): Promise<WriteOutcome> {
  switch (write.kind) {
    case 'dispense':
      return provider.dispense(write.sale, key);
    case 'void':
      return provider.void(write.void, key);
    case 'refund':
      return provider.refund(write.refund, key);
  }
}

/**
 * Match a sale against the provider's list: same terminal, the same lines (barcode, quantity,
 * unit price, in any order), a time close to the sale time, and a transaction id no other
 * outbox row has claimed. Returns the first unclaimed match, or null.
 */
export function matchRemoteSale(
  sale: TraceSale,
  remote: RemoteSale[],
  claimed: ReadonlySet<string>,
  toleranceMs = 10 * 60_000,
): RemoteSale | null {
  const want = lineKey(sale.lines);
  for (const candidate of remote) {
    if (claimed.has(candidate.remoteTxnId) || candidate.refund || candidate.deleted) continue;
    if (candidate.terminalId !== null && candidate.terminalId !== sale.terminalId) continue;
    if (candidate.time !== null && Math.abs(candidate.time - sale.saleTime) > toleranceMs) continue;
    if (lineKey(candidate.lines) === want) return candidate;
  }
  return null;
}

function lineKey(lines: TraceLine[]): string {
  return lines
    .map((line) => `${line.barcode}|${Number(line.quantity)}|${Math.round(line.unitPriceCents)}`)
    .sort()
    .join(',');
}
