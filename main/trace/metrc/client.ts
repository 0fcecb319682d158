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
import { metrcRequest, type MetrcResponse } from './http.js';
import { facilityTime, fromFacilityTime } from '../wall-clock.js';

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

export type MetrcCall = Call;
type Call = { kind: 'answer'; status: number; json: unknown; text: string; html: boolean; retryAfterMs: number | null } | { kind: 'not_sent'; reason: string } | { kind: 'unknown'; reason: string };

interface FacilityFlags {
  canSellToPatients: boolean;
  canSellToCaregivers: boolean;
  canSellToConsumers: boolean;
}

interface MetrcReceipt {
  Id: number;
  ExternalReceiptNumber: string | null;
  SalesDateTime: string;
  SalesCustomerType: string;
  PatientLicenseNumber: string | null;
  CaregiverLicenseNumber: string | null;
  IdentificationMethod: string | null;
  Transactions: Array<{ PackageLabel: string; Quantity: number; UnitOfMeasure: string; TotalAmount: number }>;
  IsFinal: boolean;
  ArchivedDate: string | null;
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
    const type = sale.caregiverCardId ? 'Caregiver' : sale.cardId ? 'Patient' : 'Consumer';
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

/** An HTTP result read once: JSON when it is JSON, HTML pages told apart. */
export function readCall(result: MetrcResponse): MetrcCall {
  if (result.kind !== 'response') return result;
  const html = /html/i.test(result.contentType) || /^\s*<(!doctype|html|head|body)/i.test(result.body);
  let json: unknown = undefined;
  if (!html && result.body.trim()) {
    try {
      json = JSON.parse(result.body);
    } catch {
      json = undefined;
    }
  }
  return { kind: 'answer', status: result.status, json, text: result.body, html, retryAfterMs: result.retryAfterMs };
}

/** What a write's HTTP answer means, or null for a 2xx the caller reads itself. */
export function writeOutcomeOf(call: MetrcCall): WriteOutcome | null {
  if (call.kind === 'not_sent') return { kind: 'not_sent', reason: call.reason };
  if (call.kind === 'unknown') return { kind: 'unknown', reason: call.reason };
  if (call.status >= 200 && call.status < 300) return null;
  if (call.status === 401 || call.status === 403) return { kind: 'auth_failed', message: `Metrc refused the credentials: ${metrcMessage(call)}` };
  if (call.status === 429) return { kind: 'not_sent', reason: 'Metrc asked the register to slow down', retryAfterMs: call.retryAfterMs ?? 1_000 };
  if (call.status === 413) return { kind: 'rejected', code: '413', message: `Metrc refused the request as too large: ${metrcMessage(call)}` };
  if (call.status === 400) return { kind: 'rejected', code: '400', message: metrcMessage(call) };
  // 404/405: the address does not lead to Metrc's receipts: nothing was applied.
  if (call.status === 404 || call.status === 405) return { kind: 'not_sent', reason: `Metrc has no such address (HTTP ${call.status}): check the Metrc address in Settings › Track & Trace` };
  return { kind: 'unknown', reason: `Metrc system error (HTTP ${call.status})` };
}

function pick(receipts: MetrcReceipt[], how: string): ReconcileOutcome {
  const live = receipts.filter((r) => !r.ArchivedDate);
  const chosen = live.length > 0 ? live : receipts;
  if (chosen.length === 1) return { kind: 'found', remoteTxnId: String(chosen[0]!.Id), how };
  return { kind: 'ambiguous', candidates: chosen.map((receipt) => remoteSale(receipt, 'UTC')), how };
}

function undecided(outcome: WriteOutcome): ReconcileOutcome {
  if (outcome.kind === 'auth_failed') return { kind: 'undecided', reason: outcome.message, authFailed: true };
  if (outcome.kind === 'not_sent') return { kind: 'undecided', reason: outcome.reason, retryAfterMs: outcome.retryAfterMs };
  return { kind: 'undecided', reason: outcome.kind === 'rejected' ? outcome.message : outcome.kind === 'unknown' ? outcome.reason : 'unexpected answer' };
}

function readReceipt(value: unknown): MetrcReceipt | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const row = value as Record<string, unknown>;
  if (typeof row.Id !== 'number') return null;
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    Id: row.Id,
    ExternalReceiptNumber: text(row.ExternalReceiptNumber),
    SalesDateTime: text(row.SalesDateTime) ?? '',
    SalesCustomerType: text(row.SalesCustomerType) ?? '',
    PatientLicenseNumber: text(row.PatientLicenseNumber),
    CaregiverLicenseNumber: text(row.CaregiverLicenseNumber),
    IdentificationMethod: text(row.IdentificationMethod),
    Transactions: (Array.isArray(row.Transactions) ? row.Transactions : []).map((t) => {
      const item = (t ?? {}) as Record<string, unknown>;
      return { PackageLabel: String(item.PackageLabel ?? ''), Quantity: Number(item.Quantity), UnitOfMeasure: String(item.UnitOfMeasure ?? ''), TotalAmount: Number(item.TotalAmount) };
    }),
    IsFinal: row.IsFinal === true,
    ArchivedDate: text(row.ArchivedDate),
  };
}

function remoteSale(receipt: MetrcReceipt, timeZone: string): RemoteSale {
  return {
    remoteTxnId: String(receipt.Id),
    terminalId: null,
    time: fromFacilityTime(receipt.SalesDateTime, timeZone),
    cardId: receipt.PatientLicenseNumber,
    deleted: !!receipt.ArchivedDate,
    originalRemoteTxnId: null,
    refund: false,
    lines: receipt.Transactions.map((t) => ({ barcode: t.PackageLabel, quantity: t.Quantity, unitPriceCents: t.Quantity > 0 ? Math.round((t.TotalAmount * 100) / t.Quantity) : 0 })),
  };
}

/** Quantity per label on the receipt ≤ what stays sold per label (all refunds only take away). */
function atOrBelow(receipt: MetrcReceipt, remaining: TraceLine[]): boolean {
  const allowed = new Map<string, number>();
  for (const line of remaining) allowed.set(line.barcode, (allowed.get(line.barcode) ?? 0) + line.quantity);
  const listed = new Map<string, number>();
  for (const t of receipt.Transactions) listed.set(t.PackageLabel, (listed.get(t.PackageLabel) ?? 0) + t.Quantity);
  for (const [label, quantity] of listed) if (quantity > (allowed.get(label) ?? 0) + 1e-9) return false;
  return true;
}

/** The receipt's lines less a refund's (only for a refund queued without what stays sold). */
function subtract(receipt: MetrcReceipt, lines: TraceLine[]): TraceLine[] {
  const left = receipt.Transactions.map((t) => ({ barcode: t.PackageLabel, quantity: t.Quantity, unitPriceCents: t.Quantity > 0 ? Math.round((t.TotalAmount * 100) / t.Quantity) : 0 }));
  for (const line of lines) {
    const match = left.find((l) => l.barcode === line.barcode && l.quantity > 0);
    if (match) match.quantity = Math.max(0, match.quantity - line.quantity);
  }
  return left.filter((line) => line.quantity > 0);
}

/** Metrc's message from a 4xx: `[{row, message}]`, `{Message}`, or the text of an HTML page. */
export function metrcMessage(call: { json: unknown; text: string; html: boolean; status: number }): string {
  const json = call.json;
  if (Array.isArray(json)) {
    const messages = json.map((item) => (item && typeof item === 'object' ? (item as Record<string, unknown>).message ?? (item as Record<string, unknown>).Message : null)).filter((m): m is string => typeof m === 'string' && !!m.trim());
    if (messages.length > 0) return messages.join(' ');
  } else if (json && typeof json === 'object') {
    const message = (json as Record<string, unknown>).Message ?? (json as Record<string, unknown>).message;
    if (typeof message === 'string' && message.trim()) return message.trim();
  }
  const text = call.text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
  return text ? text.slice(0, 200) : `HTTP ${call.status} without a reason`;
}


function ounces(value: number): string {
  return String(Math.round(value * 10_000) / 10_000);
}

function flatten(record: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, typeof value === 'object' ? JSON.stringify(value) : String(value)]));
}

/** A store with more active packages than this many pages (20 each) lists only the first ones. */
const MAX_PACKAGE_PAGES = 250;

const GRAMS_PER_OUNCE = 28.349523125;

/** Metrc's item categories (their words vary by state) onto the register's, by the words they use. */
const CATEGORY_WORDS: Array<[RegExp, string]> = [
  [/pre-?roll|preroll|infused pre/i, 'pre_roll'],
  [/vape|cartridge|cart\b|pen/i, 'vape'],
  [/concentrate|extract|wax|shatter|rosin|resin|kief|hash/i, 'concentrate'],
  [/beverage|drink/i, 'beverage'],
  [/edible|gumm|chocolate|candy/i, 'edible'],
  [/tincture/i, 'tincture'],
  [/capsule|tablet/i, 'capsule'],
  [/topical|lotion|balm/i, 'topical'],
  [/clone|immature|seed/i, 'plant_immature'],
  [/flower|bud|shake|trim/i, 'flower'],
];

/** One row of /packages/v2/active, or null when it has no label. */
export function readPackage(row: unknown): TracePackage | null {
  if (!row || typeof row !== 'object') return null;
  const item = row as Record<string, unknown>;
  const label = typeof item.Label === 'string' && item.Label.trim() !== '' ? item.Label.trim() : null;
  if (!label) return null;
  const details = (item.Item && typeof item.Item === 'object' ? item.Item : {}) as Record<string, unknown>;
  const category = typeof details.ProductCategoryName === 'string' ? details.ProductCategoryName : 'Unknown';
  const weight = Number(details.UnitWeight);
  const unit = typeof details.UnitWeightUnitOfMeasureName === 'string' ? details.UnitWeightUnitOfMeasureName.toLowerCase() : '';
  const grams = !Number.isFinite(weight) || weight <= 0 ? null : unit.startsWith('ounce') ? weight * GRAMS_PER_OUNCE : unit.startsWith('gram') ? weight : unit.startsWith('milligram') ? weight / 1000 : null;
  const quantity = Number(item.Quantity);
  return {
    label,
    name: typeof details.Name === 'string' ? details.Name : null,
    stateCategory: category,
    suggestedCategory: CATEGORY_WORDS.find(([words]) => words.test(category))?.[1] ?? null,
    quantity: Number.isFinite(quantity) ? quantity : 0,
    usableWeightMg: grams === null ? null : Math.round(grams * 1000),
    medical: null,
  };
}
