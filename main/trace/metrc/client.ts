/**
 * Metrc v2 behind the provider interface (shared/research/metrc.md §6):
 *
 *   login / ping  GET /facilities/v2 (the keys are checked on every call; there is no session),
 *                 keeping the facility's FacilityType flags;
 *   lookupPatient GET /patients/v2/statuses/{n} (+ GET /caregivers/v2/status/{n} for a caregiver);
 *                 404, 400, [] and Active:false all mean "no allotment": never an active card;
 *   dispense      POST /sales/v2/receipts, one receipt per POST, ExternalReceiptNumber = the
 *                 outbox row's id and SalesDateTime in facility time (frozen in the row at sale time): the same body on every
 *                 attempt;
 *   void          DELETE /sales/v2/receipts/{id}; refund: PUT with what stays sold (DELETE when
 *                 nothing does), unfinalizing first when the receipt is finalized;
 *   reconcile     GET /sales/v2/receipts/external/{n}, then the active and inactive lists by
 *                 sales date (24-hour windows around the sale) before anything is sent again.
 *
 * Outcomes: 400 → rejected with Metrc's message (never retried by itself); 401/403 → auth_failed
 * (the worker halts that credential's queue); 429 → wait Retry-After; a timeout, reset, 5xx or an
 * HTML page → unknown. Keys live only in this object's memory: nothing here logs a request.
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
  WriteContext,
  WriteOutcome,
  TracePackage,
} from '../provider.js';
import { metrcRequest } from './http.js';
import {
  MAX_PACKAGE_PAGES,
  atOrBelow,
  flatten,
  metrcMessage,
  ounces,
  pick,
  readCall,
  readPackage,
  readReceipt,
  remoteSale,
  subtract,
  undecided,
  writeOutcomeOf,
  type Call,
  type MetrcReceipt,
} from './answers.js';

export { metrcMessage, readCall, readPackage, writeOutcomeOf, type MetrcCall } from './answers.js';
import { facilityTime } from '../wall-clock.js';

export { facilityTime, fromFacilityTime } from '../wall-clock.js';
import type { Logger } from '../../log/logger.js';

export interface MetrcV2Config {
  /** The state's API address, e.g. https://api-ok.metrc.com. */
  baseUrl: string;
  vendorKey: string;
  userKey: string;
  /** The facility licence every call is made for. */
  licenseNumber: string;
  /** The facility's time zone: SalesDateTime is written in it, without an offset. */
  timeZone: string;
  timeoutMs?: number;
  clock?: () => number;
  /** Each request's outcome is logged here (method, address without query, status): never a body or the keys. */
  logger?: Logger;
}

/** Metrc's allotment categories → the jurisdiction rules' product categories. */
export const METRC_CATEGORIES: Record<string, string[]> = {
  Flower: ['flower', 'pre_roll'],
  Concentrate: ['concentrate', 'vape'],
  Infused: ['edible', 'beverage', 'tincture', 'capsule', 'topical'],
};

/** Metrc caches patient status "for up to one minute". */
export const STATUS_CACHE_MS = 60_000;

interface FacilityFlags {
  canSellToPatients: boolean;
  canSellToCaregivers: boolean;
  canSellToConsumers: boolean;
}


export class MetrcV2Provider implements TraceProvider {
  readonly displayName = 'Metrc';
  readonly statusCacheMs = STATUS_CACHE_MS;
  private readonly base: string;
  private readonly authorization: string;
  private readonly timeoutMs: number;
  private readonly clock: () => number;
  private facility: FacilityFlags | null = null;
  /** Unit of measure by package label, as Metrc lists the package (a sale must use the same). */
  private readonly units = new Map<string, string>();
  /** Requests made, by method and path pattern (tests read it). */
  calls = 0;

  constructor(private readonly config: MetrcV2Config) {
    this.base = config.baseUrl.trim().replace(/\/+$/, '');
    this.authorization = `Basic ${Buffer.from(`${config.vendorKey}:${config.userKey}`).toString('base64')}`;
    this.timeoutMs = config.timeoutMs ?? 60_000;
    this.clock = config.clock ?? Date.now;
  }

  reset(): void {
    this.facility = null;
    this.units.clear();
  }

  private url(path: string, query: Record<string, string> = {}, licensed = true): string {
    const params = new URLSearchParams(licensed ? { licenseNumber: this.config.licenseNumber, ...query } : query);
    const search = params.toString();
    return `${this.base}${path}${search ? `?${search}` : ''}`;
  }

  private async call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown): Promise<Call> {
    this.calls += 1;
    return readCall(await metrcRequest(method, url, { authorization: this.authorization, body, timeoutMs: this.timeoutMs, ...(this.config.logger ? { logger: this.config.logger } : {}) }));
  }

  /** 429: how long to wait (Retry-After when given, else 1 s, doubling is the worker's job). */
  private waitFor(call: Extract<Call, { kind: 'answer' }>): number {
    return call.retryAfterMs ?? 1_000;
  }

  async login(): Promise<ProviderResult<{ sessionStartedAt: number }>> {
    const call = await this.call('GET', this.url('/facilities/v2', {}, false));
    if (call.kind !== 'answer') return { ok: false, kind: 'unavailable', message: call.reason };
    if (call.status === 401 || call.status === 403) return { ok: false, kind: 'auth_failed', message: `Metrc refused the credentials: ${metrcMessage(call)}` };
    if (call.status === 429) return { ok: false, kind: 'unavailable', message: 'Metrc asked the register to slow down: it will try again shortly.' };
    if (call.status !== 200 || !Array.isArray(call.json)) return { ok: false, kind: 'unavailable', message: `Metrc system error (HTTP ${call.status}): please try again.` };
    const facility = (call.json as Array<Record<string, unknown>>).find((row) => {
      const license = row.License as Record<string, unknown> | undefined;
      return license?.Number === this.config.licenseNumber;
    });
    if (!facility) {
      return { ok: false, kind: 'auth_failed', message: `Metrc refused the credentials: this user key has no access to facility ${this.config.licenseNumber}.` };
    }
    const type = (facility.FacilityType ?? {}) as Record<string, unknown>;
    this.facility = {
      canSellToPatients: type.CanSellToPatients !== false,
      canSellToCaregivers: type.CanSellToCaregivers !== false,
      canSellToConsumers: type.IsRetail === true,
    };
    return { ok: true, value: { sessionStartedAt: this.clock() } };
  }

  async ping(): Promise<PingResult> {
    const started = performance.now();
    const login = await this.login();
    const latencyMs = Math.round(performance.now() - started);
    if (login.ok) return { ok: true, latencyMs, message: `Metrc answered in ${latencyMs} ms.` };
    return { ok: false, latencyMs, message: login.message };
  }

  // ---- patients ------------------------------------------------------------------------------

  async lookupPatient(query: { cardId: string; caregiverCardId?: string | null }): Promise<ProviderResult<PatientLookup>> {
    const asOf = this.clock() - STATUS_CACHE_MS;
    const base: PatientLookup = { cardId: query.cardId, status: 'not_found', expiresOn: null, allotment: null, caregiverCardId: query.caregiverCardId ?? null, cardKey: null, raw: null, asOf };
    if (query.caregiverCardId) {
      const call = await this.call('GET', this.url(`/caregivers/v2/status/${encodeURIComponent(query.caregiverCardId)}`));
      const failed = this.readFailure(call);
      if (failed) return failed;
      const answer = call as Extract<Call, { kind: 'answer' }>;
      const status = answer.status === 200 && answer.json && typeof answer.json === 'object' && !Array.isArray(answer.json) ? (answer.json as Record<string, unknown>) : null;
      if (!status || status.Active !== true) {
        return { ok: false, kind: 'rejected', message: `Metrc does not list caregiver ${query.caregiverCardId} as active: check the caregiver licence.` };
      }
      const patients = Array.isArray(status.Patients) ? status.Patients : null;
      if (patients && !patients.some((p) => (p as Record<string, unknown>)?.PatientLicenseNumber === query.cardId)) {
        return { ok: false, kind: 'rejected', message: `Metrc does not list patient ${query.cardId} under caregiver ${query.caregiverCardId}.` };
      }
    }
    const call = await this.call('GET', this.url(`/patients/v2/statuses/${encodeURIComponent(query.cardId)}`));
    if (call.kind === 'answer' && (call.status === 404 || call.status === 400)) return { ok: true, value: base };
    const failed = this.readFailure(call);
    if (failed) return failed;
    const answer = call as Extract<Call, { kind: 'answer' }>;
    if (answer.status !== 200) return { ok: false, kind: 'unavailable', message: `Metrc system error (HTTP ${answer.status}): please try again.` };
    const rows = Array.isArray(answer.json) ? (answer.json as unknown[]) : answer.json && typeof answer.json === 'object' ? [answer.json] : null;
    if (rows === null) return { ok: true, value: { ...base, status: 'unreadable', raw: { answer: answer.text.slice(0, 200) } } };
    if (rows.length === 0) return { ok: true, value: base };
    const records = rows.filter((row): row is Record<string, unknown> => !!row && typeof row === 'object');
    const expiresOn = records.map((row) => (typeof row.PatientLicenseExpirationDate === 'string' ? row.PatientLicenseExpirationDate.slice(0, 10) : null)).find((d) => d) ?? null;
    if (records.length === 0 || records.some((row) => row.Active !== true)) {
      const anyActiveField = records.some((row) => 'Active' in row);
      if (!anyActiveField) return { ok: true, value: { ...base, status: 'unreadable', raw: flatten(records[0] ?? {}) } };
      return { ok: true, value: { ...base, status: 'inactive', expiresOn, allotment: { amount: '0', unit: 'oz' } } };
    }
    const smallest = (field: string): number | null => {
      const values = records.map((row) => Number(row[field])).filter((n) => Number.isFinite(n));
      return values.length === records.length ? Math.min(...values) : null;
    };
    const flower = smallest('FlowerOuncesAvailable');
    if (flower === null) return { ok: true, value: { ...base, status: 'unreadable', raw: flatten(records[0]!) } };
    const categories = Object.entries(METRC_CATEGORIES).flatMap(([name, productCategories]) => {
      const available = smallest(`${name}OuncesAvailable`);
      return available === null ? [] : [{ stateCategory: name, productCategories, available: ounces(available), unit: 'oz' }];
    });
    return { ok: true, value: { ...base, status: 'active', expiresOn, allotment: { amount: ounces(flower), unit: 'oz' }, categories } };
  }

  /** A read that did not get a usable answer, as a ProviderResult failure; null when it did. */
  private readFailure(call: Call): { ok: false; kind: 'unavailable' | 'auth_failed'; message: string } | null {
    if (call.kind !== 'answer') return { ok: false, kind: 'unavailable', message: call.reason };
    if (call.status === 401 || call.status === 403) return { ok: false, kind: 'auth_failed', message: `Metrc refused the credentials: ${metrcMessage(call)}` };
    if (call.status === 429) return { ok: false, kind: 'unavailable', message: `Metrc asked the register to slow down (try again in ${Math.ceil(this.waitFor(call) / 1000)} s).` };
    if (call.status >= 500 || call.html) return { ok: false, kind: 'unavailable', message: `Metrc system error (HTTP ${call.status}): please try again.` };
    return null;
  }

  // ---- writes --------------------------------------------------------------------------------

  /** The facility's flags, fetched once (a GET: a failure here means nothing was sent). */
  private async ensureFacility(): Promise<WriteOutcome | null> {
    if (this.facility) return null;
    const login = await this.login();
    if (login.ok) return null;
    if (login.kind === 'auth_failed') return { kind: 'auth_failed', message: login.message };
    return { kind: 'not_sent', reason: login.message };
  }

  /** Each line's package unit of measure (looked up once per label). */
  private async unitsFor(lines: TraceLine[]): Promise<WriteOutcome | null> {
    for (const line of lines) {
      if (this.units.has(line.barcode)) continue;
      const call = await this.call('GET', this.url(`/packages/v2/${encodeURIComponent(line.barcode)}`));
      if (call.kind !== 'answer') return { kind: 'not_sent', reason: `package ${line.barcode} could not be looked up (${call.reason})` };
      if (call.status === 401 || call.status === 403) return { kind: 'auth_failed', message: `Metrc refused the credentials: ${metrcMessage(call)}` };
      if (call.status === 429) return { kind: 'not_sent', reason: 'Metrc asked the register to slow down', retryAfterMs: this.waitFor(call) };
      if (call.status === 404 || call.status === 400) {
        return { kind: 'rejected', code: String(call.status), message: `Metrc does not know package ${line.barcode} at facility ${this.config.licenseNumber}: check the product's package label.` };
      }
      const unit = call.status === 200 && call.json && typeof call.json === 'object' ? (call.json as Record<string, unknown>).UnitOfMeasureName : null;
      if (typeof unit !== 'string' || !unit) return { kind: 'not_sent', reason: `Metrc's answer for package ${line.barcode} had no unit of measure` };
      this.units.set(line.barcode, unit);
    }
    return null;
  }

  private transactions(lines: TraceLine[]) {
    return lines.map((line) => ({
      PackageLabel: line.barcode,
      Quantity: line.quantity,
      UnitOfMeasure: this.units.get(line.barcode) ?? 'Each',
      TotalAmount: Math.round(line.quantity * line.unitPriceCents) / 100,
    }));
  }

  /** The receipt exactly as every attempt sends it (frozen: the row id, the sale time in facility time). */
  receiptBody(sale: TraceSale, externalNumber: string): Record<string, unknown> {
    const type = sale.consumer ? 'Consumer' : sale.caregiverCardId ? 'Caregiver' : sale.cardId ? 'Patient' : 'Consumer';
    return {
      // Frozen in the outbox row at sale time; rows queued before that was done are computed as before.
      SalesDateTime: sale.localTime ?? facilityTime(sale.saleTime, this.config.timeZone),
      SalesCustomerType: type,
      PatientLicenseNumber: type === 'Consumer' ? null : sale.cardId,
      CaregiverLicenseNumber: type === 'Caregiver' ? sale.caregiverCardId : null,
      IdentificationMethod: null,
      ExternalReceiptNumber: externalNumber,
      Transactions: this.transactions(sale.lines),
    };
  }

  async dispense(sale: TraceSale, key: string, context?: WriteContext): Promise<WriteOutcome> {
    const blocked = (await this.ensureFacility()) ?? (await this.unitsFor(sale.lines));
    if (blocked) return blocked;
    const body = this.receiptBody(sale, context?.outboxId ?? key);
    const type = body.SalesCustomerType;
    if (type === 'Caregiver' && !this.facility!.canSellToCaregivers) return { kind: 'rejected', code: null, message: 'Metrc says this facility may not sell to caregivers.' };
    if (type === 'Patient' && !this.facility!.canSellToPatients) return { kind: 'rejected', code: null, message: 'Metrc says this facility may not sell to patients.' };
    if (type === 'Consumer' && !this.facility!.canSellToConsumers) return { kind: 'rejected', code: null, message: 'Metrc says this facility may not sell to adult-use customers: check the licence number in Settings › Track & Trace.' };
    const call = await this.call('POST', this.url('/sales/v2/receipts'), [body]);
    const outcome = this.writeOutcome(call);
    if (outcome) return outcome;
    const answer = call as Extract<Call, { kind: 'answer' }>;
    const ids = answer.json && typeof answer.json === 'object' && !Array.isArray(answer.json) ? (answer.json as Record<string, unknown>).Ids : null;
    const id = Array.isArray(ids) && ids.length > 0 ? ids[0] : null;
    if (typeof id !== 'number' && typeof id !== 'string') return { kind: 'unknown', reason: 'Metrc accepted the sale but sent no receipt id' };
    return { kind: 'accepted', remoteTxnId: String(id) };
  }

  private writeOutcome(call: Call): WriteOutcome | null {
    return writeOutcomeOf(call);
  }

  private async receipt(id: string): Promise<{ kind: 'found'; receipt: MetrcReceipt } | { kind: 'missing' } | { kind: 'failed'; outcome: WriteOutcome }> {
    const call = await this.call('GET', this.url(`/sales/v2/receipts/${encodeURIComponent(id)}`));
    if (call.kind === 'answer' && call.status === 404) return { kind: 'missing' };
    const outcome = this.writeOutcome(call);
    if (outcome) return { kind: 'failed', outcome: outcome.kind === 'unknown' || outcome.kind === 'rejected' ? { kind: 'not_sent', reason: `receipt ${id} could not be read (${'reason' in outcome ? outcome.reason : outcome.message})` } : outcome };
    const answer = call as Extract<Call, { kind: 'answer' }>;
    const receipt = readReceipt(answer.json);
    if (!receipt) return { kind: 'failed', outcome: { kind: 'not_sent', reason: `Metrc's answer for receipt ${id} was not readable` } };
    return { kind: 'found', receipt };
  }

  async void(request: TraceVoid): Promise<WriteOutcome> {
    const found = await this.receipt(request.remoteTxnId);
    if (found.kind === 'failed') return found.outcome;
    if (found.kind === 'missing') return { kind: 'rejected', code: '404', message: `Metrc has no receipt ${request.remoteTxnId} to void.` };
    if (found.receipt.ArchivedDate) return { kind: 'accepted', remoteTxnId: request.remoteTxnId };
    if (found.receipt.IsFinal) {
      const unfinalized = this.writeOutcome(await this.call('PUT', this.url('/sales/v2/receipts/unfinalize'), [{ Id: found.receipt.Id }]));
      if (unfinalized) return unfinalized;
    }
    const call = await this.call('DELETE', this.url(`/sales/v2/receipts/${encodeURIComponent(request.remoteTxnId)}`));
    return this.writeOutcome(call) ?? { kind: 'accepted', remoteTxnId: request.remoteTxnId };
  }

  async refund(request: TraceRefund): Promise<WriteOutcome> {
    const found = await this.receipt(request.remoteTxnId);
    if (found.kind === 'failed') return found.outcome;
    if (found.kind === 'missing') return { kind: 'rejected', code: '404', message: `Metrc has no receipt ${request.remoteTxnId} to refund.` };
    const receipt = found.receipt;
    if (receipt.ArchivedDate) return { kind: 'rejected', code: null, message: `Metrc receipt ${request.remoteTxnId} was voided: there is nothing left to refund.` };
    const remaining = request.remainingLines ?? subtract(receipt, request.lines);
    const blocked = await this.unitsFor(remaining);
    if (blocked) return blocked;
    if (receipt.IsFinal) {
      const unfinalized = this.writeOutcome(await this.call('PUT', this.url('/sales/v2/receipts/unfinalize'), [{ Id: receipt.Id }]));
      if (unfinalized) return unfinalized;
    }
    const call =
      remaining.length === 0
        ? // Metrc cannot update a sale to nothing: a full return removes the receipt.
          await this.call('DELETE', this.url(`/sales/v2/receipts/${receipt.Id}`))
        : await this.call('PUT', this.url('/sales/v2/receipts'), [
            {
              Id: receipt.Id,
              SalesDateTime: receipt.SalesDateTime,
              SalesCustomerType: receipt.SalesCustomerType,
              PatientLicenseNumber: receipt.PatientLicenseNumber,
              CaregiverLicenseNumber: receipt.CaregiverLicenseNumber,
              IdentificationMethod: receipt.IdentificationMethod,
              ExternalReceiptNumber: receipt.ExternalReceiptNumber,
              Transactions: this.transactions(remaining),
            },
          ]);
    return this.writeOutcome(call) ?? { kind: 'accepted', remoteTxnId: request.remoteTxnId };
  }

  // ---- finding and reconciling ---------------------------------------------------------------

  // ---- packages (receiving) ------------------------------------------------------------------

  /** The facility's active packages (GET /packages/v2/active, 20 a page), for Products › Receive stock. */
  async listPackages(): Promise<ProviderResult<TracePackage[]>> {
    const packages: TracePackage[] = [];
    for (let page = 1; page <= MAX_PACKAGE_PAGES; page++) {
      const call = await this.call('GET', this.url('/packages/v2/active', { pageNumber: String(page), pageSize: '20' }));
      const failed = this.readFailure(call);
      if (failed) return failed;
      const answer = call as Extract<Call, { kind: 'answer' }>;
      if (answer.status !== 200) return { ok: false, kind: 'rejected', message: `Metrc refused the package list (HTTP ${answer.status}): ${metrcMessage(answer)}` };
      const body = answer.json as { Data?: unknown; TotalPages?: unknown } | unknown[] | null;
      const rows = Array.isArray(body) ? body : Array.isArray(body?.Data) ? (body.Data as unknown[]) : null;
      if (!rows) return { ok: false, kind: 'unavailable', message: "Metrc's package list was not readable: try again, or call Metrc support if it keeps happening." };
      for (const row of rows) {
        const pkg = readPackage(row);
        if (pkg) packages.push(pkg);
      }
      const totalPages = Array.isArray(body) ? 1 : Number(body?.TotalPages ?? 1);
      if (!Number.isFinite(totalPages) || page >= totalPages) break;
    }
    return { ok: true, value: packages };
  }

  async findSales(query: { sinceRemoteTxnId?: string; from?: number; to?: number }): Promise<ProviderResult<RemoteSale[]>> {
    const to = query.to ?? this.clock();
    const from = query.from ?? to - 24 * 3600_000;
    const listed = await this.listWindow(from, to);
    if (!listed.ok) return listed;
    return { ok: true, value: listed.value.map((receipt) => remoteSale(receipt, this.config.timeZone)) };
  }

  /** Active and inactive receipts whose sales date lies in [from, to] (UTC ms), in windows of at most 24 h. */
  private async listWindow(from: number, to: number): Promise<{ ok: true; value: MetrcReceipt[] } | { ok: false; kind: 'unavailable' | 'auth_failed'; message: string; retryAfterMs?: number }> {
    const receipts: MetrcReceipt[] = [];
    for (let start = from; start <= to; start += 24 * 3600_000) {
      const end = Math.min(to, start + 24 * 3600_000 - 1000);
      for (const which of ['active', 'inactive']) {
        const call = await this.call(
          'GET',
          this.url(`/sales/v2/receipts/${which}`, { salesDateStart: facilityTime(start, this.config.timeZone), salesDateEnd: facilityTime(end, this.config.timeZone) }),
        );
        if (call.kind === 'answer' && call.status === 429) return { ok: false, kind: 'unavailable', message: 'Metrc asked the register to slow down', retryAfterMs: this.waitFor(call) };
        const failed = this.readFailure(call);
        if (failed) return failed;
        const answer = call as Extract<Call, { kind: 'answer' }>;
        if (answer.status !== 200) return { ok: false, kind: 'unavailable', message: `Metrc refused the list (HTTP ${answer.status}): ${metrcMessage(answer)}` };
        const rows = Array.isArray(answer.json) ? answer.json : Array.isArray((answer.json as { Data?: unknown })?.Data) ? (answer.json as { Data: unknown[] }).Data : null;
        if (!rows) return { ok: false, kind: 'unavailable', message: `Metrc's ${which} receipts list was not readable` };
        for (const row of rows) {
          const receipt = readReceipt(row);
          if (receipt) receipts.push(receipt);
        }
      }
    }
    return { ok: true, value: receipts };
  }

  async reconcile(query: ReconcileQuery): Promise<ReconcileOutcome> {
    const write = query.write;
    if (write.kind === 'void' || write.kind === 'refund') {
      const id = write.kind === 'void' ? write.void.remoteTxnId : write.refund.remoteTxnId;
      const found = await this.receipt(id);
      if (found.kind === 'failed') return undecided(found.outcome);
      if (found.kind === 'missing') return { kind: 'undecided', reason: `Metrc has no receipt ${id}` };
      const receipt = found.receipt;
      if (write.kind === 'void') return receipt.ArchivedDate ? { kind: 'found', remoteTxnId: id, how: 'receipt' } : { kind: 'absent', how: 'receipt' };
      const remaining = write.refund.remainingLines ?? null;
      if (remaining === null) return { kind: 'undecided', reason: 'this refund was queued without what stays sold: a manager must check the receipt in Metrc' };
      if (receipt.ArchivedDate) {
        return remaining.length === 0 ? { kind: 'found', remoteTxnId: id, how: 'receipt' } : { kind: 'rejected', code: null, message: `Metrc receipt ${id} was voided: there is nothing left to refund.` };
      }
      // Refunds only take away: the receipt at or below what stays after this one means it (or a later one) was applied.
      return atOrBelow(receipt, remaining) ? { kind: 'found', remoteTxnId: id, how: 'receipt' } : { kind: 'absent', how: 'receipt' };
    }
    const external = query.outboxId ?? query.idempotencyKey;
    const call = await this.call('GET', this.url(`/sales/v2/receipts/external/${encodeURIComponent(external)}`));
    let byExternal: MetrcReceipt[] | null = null;
    if (call.kind === 'answer' && call.status === 200) {
      const rows = Array.isArray(call.json) ? call.json : call.json ? [call.json] : [];
      byExternal = rows.map(readReceipt).filter((r): r is MetrcReceipt => !!r && r.ExternalReceiptNumber === external);
    } else if (call.kind === 'answer' && call.status === 429) {
      return { kind: 'undecided', reason: 'Metrc asked the register to slow down', retryAfterMs: this.waitFor(call) };
    } else if (call.kind === 'answer' && call.status === 403) {
      return { kind: 'undecided', reason: `Metrc refused the credentials: ${metrcMessage(call)}`, authFailed: true };
    } else if (call.kind !== 'answer' || (call.status !== 404 && call.status !== 401)) {
      // A 401 here may only mean "not a receipt of this licence": the lists decide, and they check the keys.
      return { kind: 'undecided', reason: call.kind === 'answer' ? `Metrc system error (HTTP ${call.status})` : call.reason };
    }
    if (byExternal && byExternal.length > 0) return pick(byExternal, 'receipts/external');
    // Not found by its number: the lists of the days around the sale, active and inactive.
    const saleTime = write.sale.saleTime;
    const listed = await this.listWindow(saleTime - 24 * 3600_000, saleTime + 24 * 3600_000);
    if (!listed.ok) return { kind: 'undecided', reason: listed.message, retryAfterMs: listed.retryAfterMs, authFailed: listed.kind === 'auth_failed' || undefined };
    const mine = listed.value.filter((receipt) => receipt.ExternalReceiptNumber === external);
    if (mine.length > 0) return pick(mine, 'receipts/active+inactive');
    return { kind: 'absent', how: 'receipts/external+active+inactive' };
  }
}
