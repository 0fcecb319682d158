/**
 * The BioTrack v1 sandbox's world: one company with users and privileges, sessions, patient and
 * caregiver cards with a 14-day allotment ledger, inventory with usable weight per unit, and
 * sales with transaction ids from one counter shared by every table (so `sync_sale` with
 * `transaction_start` works as BioTrack's does).
 *
 * The real error texts for card and allotment problems are not public: the ones here are
 * plausible and configurable, and the client never branches on them alone.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

export const ALL_PRIVILEGES = [
  'card_lookup',
  'sale_dispense',
  'sale_void',
  'sale_refund',
  'sale_modify',
  'sync_check',
  'sync_sale',
  'sync_inventory',
  'nonce_replay',
] as const;

export const sandboxDataSchema = z.strictObject({
  notes: z.array(z.string()).optional(),
  company: z.strictObject({ licenseNumber: z.string().min(1), name: z.string().min(1) }),
  locations: z.array(z.string().regex(/^\d{6}$/, 'a BioTrack location is 6 digits')).min(1),
  users: z
    .array(
      z.strictObject({
        username: z.string().min(1),
        password: z.string().min(1),
        admin: z.boolean().default(false),
        /** Actions this user may call; omitted = all. */
        privileges: z.array(z.string()).optional(),
      }),
    )
    .min(1),
  /** The unit the allotment is reported in. */
  allotmentUnit: z.enum(['g', 'oz']).default('g'),
  patients: z.array(
    z.strictObject({
      cardId: z.string().min(1),
      status: z.enum(['active', 'inactive']).default('active'),
      expiresOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      /** Limit per 14 days, in grams (Illinois: 2.5 oz = 70.87 g). */
      limitGrams: z.number().positive().default(70.87),
      caregiverCardIds: z.array(z.string()).default([]),
    }),
  ),
  inventory: z.array(
    z.strictObject({
      barcode: z.string().regex(/^\d{16}$/),
      location: z.string(),
      name: z.string().optional(),
      inventoryType: z.number().int(),
      usableWeightPerUnitGrams: z.number().nonnegative(),
      quantity: z.number().nonnegative(),
      isMedical: z.boolean().default(true),
    }),
  ),
});
export type SandboxData = z.infer<typeof sandboxDataSchema>;

export const ALLOTMENT_WINDOW_MS = 14 * 24 * 60 * 60_000;
const GRAMS_PER_OUNCE = 28.3495;

export interface SaleLine {
  barcode: string;
  quantity: number;
  priceCents: number;
  weightGrams: number;
}

export interface SandboxSale {
  transactionid: number;
  /** The transaction id as of the last change (void), for sync_sale's transaction_start. */
  modifiedTxn: number;
  original: number | null;
  kind: 'dispense' | 'refund';
  terminalId: string | null;
  sessiontime: number;
  cardId: string | null;
  lines: SaleLine[];
  deleted: boolean;
  nonce: string | null;
  training: boolean;
  location: string;
}

interface LedgerEntry {
  cardId: string;
  at: number;
  grams: number;
  txn: number;
}

interface Session {
  username: string;
  training: boolean;
  createdAt: number;
  lastUsedAt: number;
}

export type Body = Record<string, unknown>;

/**
 * The ways the sandbox may disagree with the client, chosen per test. The defaults follow the
 * strongest public evidence (shared/research/biotrack-fidelity.md), not the client's guesses.
 */
export const sandboxModesSchema = z.strictObject({
  /** What `sessiontime` holds: the server's receipt time (evidence: the OpenTHC mock) or the client's `sale_time`. */
  sessiontime: z.enum(['receipt', 'sale_time']).default('receipt'),
  /**
   * Nonces on writes: `burned` = any nonce seen once is refused ever after (even if its request
   * was not applied); `kept` = a repeated nonce gets the stored answer of the first request;
   * `off` = nonces are ignored (no de-duplication at all).
   */
  nonces: z.enum(['off', 'burned', 'kept']).default('burned'),
  /** nonce_replay's answer: the stored answer under `response` or `result`, or refused (62, not a privilege). */
  nonceReplay: z.enum(['response', 'result', 'refused']).default('refused'),
  /** The patient link on sale_dispense: `card_key` from card_lookup (required), or `card_id`. */
  patientLink: z.enum(['card_key', 'card_id']).default('card_key'),
  /** card_lookup's answer: the evidence-shaped fields, without a status, or with renamed fields. */
  cardLookup: z.enum(['evidence', 'missing_status', 'renamed']).default('evidence'),
});
export type SandboxModes = z.output<typeof sandboxModesSchema>;
export type SandboxModesInput = z.input<typeof sandboxModesSchema>;
export const DEFAULT_SANDBOX_MODES: SandboxModes = sandboxModesSchema.parse({});

export type NonceMode = SandboxModes['nonces'];

/** Error texts and codes; changeable because BioTrack's real ones are unknown. */
export const ERRORS = {
  badLogin: { code: null, text: 'Invalid username or password.' },
  apiVersion: { code: '17', text: 'Invalid API Version' },
  privilege: { code: '62', text: 'The current session does not possess access to the {action} privilege.' },
  invalidAction: { code: '62', text: 'Invalid Action' },
  session: { code: '63', text: 'Your session has expired.' },
  possession: { code: '602', text: 'You do not currently have possession of identifier {barcode}.' },
  patientNotFound: { code: '604', text: 'The card could not be found.' },
  cardExpired: { code: '605', text: 'The card has expired.' },
  cardInactive: { code: '605', text: 'The card is not active.' },
  allotment: { code: '606', text: 'This sale exceeds the patient allotment: {remaining} g remaining, {wanted} g requested.' },
  saleNotFound: { code: '602', text: 'The transaction could not be found.' },
  missingField: { code: '603', text: 'Please provide {field}.' },
  repeatedNonce: { code: '607', text: 'Repeated nonce: this request was already received.' },
  nonceNotFound: { code: '608', text: 'No request with this nonce was found.' },
  cardKeyMissing: { code: '603', text: 'Please provide a valid card_key (from card_lookup).' },
} as const;

function fail(error: { code: string | null; text: string }, values: Record<string, string | number> = {}): Body {
  let text: string = error.text;
  for (const [key, value] of Object.entries(values)) text = text.replace(`{${key}}`, String(value));
  return error.code === null ? { success: 0, error: text } : { success: 0, errorcode: error.code, error: text };
}

export class SandboxState {
  private data: SandboxData;
  private sessions = new Map<string, Session>();
  sales: SandboxSale[] = [];
  private ledger: LedgerEntry[] = [];
  private stock = new Map<string, number>();
  private nonces = new Map<string, Body>();
  /** Every nonce ever received on a write (the `burned` mode refuses them all a second time). */
  private burned = new Set<string>();
  private txnCounter = 1000;
  clockOffsetMs = 0;
  sessionTtlMs = 60 * 60_000;
  modes: SandboxModes = { ...DEFAULT_SANDBOX_MODES };
  /** Test hook: the next card_lookup answers are exactly these bodies (one per call), whatever the card. */
  cannedLookups: Body[] = [];
  logins = 0;

  constructor(data: SandboxData) {
    this.data = data;
    this.reset(data);
  }

  reset(data: SandboxData = this.data): void {
    this.data = data;
    this.sessions.clear();
    this.sales = [];
    this.ledger = [];
    this.nonces.clear();
    this.burned.clear();
    this.cannedLookups = [];
    this.modes = { ...DEFAULT_SANDBOX_MODES };
    this.stock = new Map(data.inventory.map((item) => [item.barcode, item.quantity]));
    this.txnCounter = 1000;
    this.clockOffsetMs = 0;
    this.logins = 0;
  }

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  expireSessions(): void {
    this.sessions.clear();
  }

  private nextTxn(): number {
    this.txnCounter += 1;
    return this.txnCounter;
  }

  /** Authenticate a non-login request: a live session, or nosession with valid credentials. */
  authenticate(body: Body): { ok: true; username: string; training: boolean } | { ok: false; body: Body } {
    if (body.nosession === 1 || body.nosession === '1') {
      const user = this.findUser(body);
      return user ? { ok: true, username: user.username, training: isTraining(body) } : { ok: false, body: fail(ERRORS.badLogin) };
    }
    const id = typeof body.sessionid === 'string' ? body.sessionid : '';
    const session = this.sessions.get(id);
    const now = this.now();
    if (!session || now - session.lastUsedAt > this.sessionTtlMs) {
      if (session) this.sessions.delete(id);
      return { ok: false, body: fail(ERRORS.session) };
    }
    session.lastUsedAt = now;
    return { ok: true, username: session.username, training: isTraining(body) || session.training };
  }

  private findUser(body: Body): SandboxData['users'][number] | null {
    if (body.license_number !== this.data.company.licenseNumber) return null;
    return this.data.users.find((user) => user.username === body.username && user.password === body.password) ?? null;
  }

  hasPrivilege(username: string, action: string): boolean {
    const user = this.data.users.find((candidate) => candidate.username === username);
    return !!user && (user.privileges === undefined || user.privileges.includes(action));
  }

  login(body: Body): Body {
    const user = this.findUser(body);
    if (!user) return fail(ERRORS.badLogin);
    this.logins += 1;
    const sessionid = randomBytes(64).toString('hex');
    const now = this.now();
    this.sessions.set(sessionid, { username: user.username, training: isTraining(body), createdAt: now, lastUsedAt: now });
    return { success: 1, admin: user.admin ? 1 : 0, sessionid, time: Math.floor(now / 1000) };
  }

  /** The stored answer for a nonce, for nonce_replay and repeated-nonce handling. */
  storedAnswer(nonce: unknown): Body | null {
    return typeof nonce === 'string' ? (this.nonces.get(nonce) ?? null) : null;
  }

  remember(nonce: unknown, answer: Body): void {
    if (typeof nonce === 'string' && nonce) this.nonces.set(nonce, answer);
  }

  /** Note a write's nonce on receipt; true when it was seen before. */
  burn(nonce: unknown): boolean {
    if (typeof nonce !== 'string' || !nonce) return false;
    if (this.burned.has(nonce)) return true;
    this.burned.add(nonce);
    return false;
  }

  /** The card key card_lookup hands out (patientLink = card_key): stable per card, not the card id. */
  cardKeyFor(cardId: string): string {
    let hash = 2166136261;
    for (const char of `key:${cardId}`) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
    return `CK${hash.toString(16).padStart(8, '0')}`;
  }

  private cardIdForKey(key: string | null): string | null {
    if (!key) return null;
    return this.data.patients.find((patient) => this.cardKeyFor(patient.cardId) === key)?.cardId ?? null;
  }

  /** Grams left in the card's 14-day window. */
  remainingGrams(cardId: string): number {
    const patient = this.patientFor(cardId);
    if (!patient) return 0;
    const since = this.now() - ALLOTMENT_WINDOW_MS;
    const used = this.ledger.filter((entry) => entry.cardId === patient.cardId && entry.at >= since).reduce((sum, entry) => sum + entry.grams, 0);
    return Math.max(0, round(patient.limitGrams - used));
  }

  private patientFor(cardId: string): SandboxData['patients'][number] | null {
    return (
      this.data.patients.find((patient) => patient.cardId === cardId) ??
      this.data.patients.find((patient) => patient.caregiverCardIds.includes(cardId)) ??
      null
    );
  }

  private cardProblem(cardId: string | null, caregiverCardId: string | null): Body | null {
    if (!cardId) return fail(ERRORS.missingField, { field: 'a card id' });
    const patient = this.data.patients.find((candidate) => candidate.cardId === cardId);
    if (!patient) return fail(ERRORS.patientNotFound);
    if (caregiverCardId && !patient.caregiverCardIds.includes(caregiverCardId)) return fail(ERRORS.patientNotFound);
    if (patient.status !== 'active') return fail(ERRORS.cardInactive);
    if (patient.expiresOn < new Date(this.now()).toISOString().slice(0, 10)) return fail(ERRORS.cardExpired);
    return null;
  }

  cardLookup(body: Body): Body {
    const canned = this.cannedLookups.shift();
    if (canned) return canned;
    const cardId = text(body.card_id);
    const caregiver = text(body.caregiver_card_id);
    const problem = this.cardProblem(cardId, caregiver);
    if (problem) return problem;
    const patient = this.patientFor(cardId!)!;
    const grams = this.remainingGrams(patient.cardId);
    const amount = this.data.allotmentUnit === 'oz' ? (grams / GRAMS_PER_OUNCE).toFixed(4) : grams.toFixed(2);
    const key = this.modes.patientLink === 'card_key' ? { card_key: this.cardKeyFor(patient.cardId) } : {};
    const sessiontime = Math.floor(this.now() / 1000);
    switch (this.modes.cardLookup) {
      case 'missing_status':
        return { success: 1, card_id: patient.cardId, ...key, expiration_date: patient.expiresOn, allotment: { amount, unit: this.data.allotmentUnit }, sessiontime };
      case 'renamed':
        return {
          success: 1,
          patient_card: patient.cardId,
          ...key,
          patient_status: patient.status.toUpperCase(),
          card_expires: patient.expiresOn,
          available_allotment: amount,
          allotment_uom: this.data.allotmentUnit,
          sessiontime,
        };
      default:
        return {
          success: 1,
          card_id: patient.cardId,
          ...key,
          caregiver_card_id: caregiver ?? undefined,
          status: patient.status,
          expiration_date: patient.expiresOn,
          allotment: { amount, unit: this.data.allotmentUnit },
          sessiontime,
        };
    }
  }

  dispense(body: Body, training: boolean): Body {
    let cardId = text(body.card_id);
    if (this.modes.patientLink === 'card_key') {
      // The patient is named by the key card_lookup gave; a card id alone is not enough.
      cardId = this.cardIdForKey(text(body.card_key));
      if (!cardId) return fail(ERRORS.cardKeyMissing);
    }
    const problem = this.cardProblem(cardId, text(body.caregiver_card_id));
    if (problem) return problem;
    const lines = readLines(body.data);
    if (!lines) return fail(ERRORS.missingField, { field: 'the items sold (data)' });
    let wanted = 0;
    const saleLines: SaleLine[] = [];
    for (const line of lines) {
      const item = this.data.inventory.find((candidate) => candidate.barcode === line.barcode);
      const onHand = this.stock.get(line.barcode) ?? 0;
      if (!item || onHand < line.quantity) return fail(ERRORS.possession, { barcode: line.barcode });
      const weightGrams = round(line.quantity * item.usableWeightPerUnitGrams);
      wanted += weightGrams;
      saleLines.push({ ...line, weightGrams });
    }
    wanted = round(wanted);
    const remaining = this.remainingGrams(cardId!);
    if (wanted > remaining + 1e-9) return fail(ERRORS.allotment, { remaining: remaining.toFixed(2), wanted: wanted.toFixed(2) });
    const txn = this.nextTxn();
    const saleTime = typeof body.sale_time === 'number' || typeof body.sale_time === 'string' ? Number(body.sale_time) : NaN;
    const sessiontime =
      this.modes.sessiontime === 'sale_time' && Number.isFinite(saleTime) && saleTime > 0 ? Math.floor(saleTime) : Math.floor(this.now() / 1000);
    const patient = this.patientFor(cardId!)!;
    this.sales.push({
      transactionid: txn,
      modifiedTxn: txn,
      original: null,
      kind: 'dispense',
      terminalId: text(body.terminal_id),
      sessiontime,
      cardId: patient.cardId,
      lines: saleLines,
      deleted: false,
      nonce: text(body.nonce),
      training,
      location: this.data.inventory.find((item) => item.barcode === saleLines[0]!.barcode)?.location ?? this.data.locations[0]!,
    });
    if (!training) {
      for (const line of saleLines) this.stock.set(line.barcode, (this.stock.get(line.barcode) ?? 0) - line.quantity);
      // The allotment window counts from when the state recorded the sale.
      this.ledger.push({ cardId: patient.cardId, at: this.now(), grams: wanted, txn });
    }
    return { success: 1, transactionid: String(txn), sessiontime: Math.floor(this.now() / 1000) };
  }

  void(body: Body): Body {
    const id = Number(text(body.transactionid));
    const sale = this.sales.find((candidate) => candidate.transactionid === id && candidate.kind === 'dispense');
    if (!sale || sale.deleted) return fail(ERRORS.saleNotFound);
    const txn = this.nextTxn();
    sale.deleted = true;
    sale.modifiedTxn = txn;
    if (!sale.training) {
      for (const line of sale.lines) this.stock.set(line.barcode, (this.stock.get(line.barcode) ?? 0) + line.quantity);
      this.ledger = this.ledger.filter((entry) => entry.txn !== sale.transactionid);
    }
    return { success: 1, transactionid: String(txn), sessiontime: Math.floor(this.now() / 1000) };
  }

  refund(body: Body, training: boolean): Body {
    const id = Number(text(body.transactionid));
    const sale = this.sales.find((candidate) => candidate.transactionid === id && candidate.kind === 'dispense');
    if (!sale || sale.deleted) return fail(ERRORS.saleNotFound);
    const lines = readLines(body.data);
    if (!lines) return fail(ERRORS.missingField, { field: 'the items refunded (data)' });
    const refundLines: SaleLine[] = [];
    for (const line of lines) {
      const sold = sale.lines.find((candidate) => candidate.barcode === line.barcode);
      const refunded = this.sales
        .filter((candidate) => candidate.kind === 'refund' && candidate.original === sale.transactionid)
        .flatMap((candidate) => candidate.lines)
        .filter((candidate) => candidate.barcode === line.barcode)
        .reduce((sum, candidate) => sum + candidate.quantity, 0);
      if (!sold || sold.quantity - refunded < line.quantity) return fail(ERRORS.possession, { barcode: line.barcode });
      refundLines.push({ ...line, weightGrams: round((sold.weightGrams / sold.quantity) * line.quantity) });
    }
    const txn = this.nextTxn();
    const sessionTime = Number(body.sale_time);
    this.sales.push({
      transactionid: txn,
      modifiedTxn: txn,
      original: sale.transactionid,
      kind: 'refund',
      terminalId: sale.terminalId,
      sessiontime: this.modes.sessiontime === 'sale_time' && Number.isFinite(sessionTime) && sessionTime > 0 ? Math.floor(sessionTime) : Math.floor(this.now() / 1000),
      cardId: sale.cardId,
      lines: refundLines,
      deleted: false,
      nonce: text(body.nonce),
      training,
      location: sale.location,
    });
    if (!training && !sale.training) {
      for (const line of refundLines) this.stock.set(line.barcode, (this.stock.get(line.barcode) ?? 0) + line.quantity);
      const grams = round(refundLines.reduce((sum, line) => sum + line.weightGrams, 0));
      const entry = this.ledger.find((candidate) => candidate.txn === sale.transactionid);
      if (entry) this.ledger.push({ cardId: entry.cardId, at: entry.at, grams: -grams, txn });
    }
    return { success: 1, transactionid: String(txn), sessiontime: Math.floor(this.now() / 1000) };
  }

  syncSale(body: Body, training: boolean): Body {
    const start = Number(text(body.transaction_start) ?? 0) || 0;
    const end = Number(text(body.transaction_end) ?? Infinity) || Infinity;
    const rows = this.sales
      .filter((sale) => sale.training === training && sale.modifiedTxn >= start && sale.modifiedTxn <= end)
      .flatMap((sale) =>
        sale.lines.map((line, index) => ({
          transactionid: String(sale.transactionid),
          transactionid_original: String(sale.original ?? sale.transactionid),
          terminal_id: sale.terminalId ?? '',
          card_id: sale.cardId ?? '',
          sessiontime: sale.sessiontime,
          location: sale.location,
          inventoryid: line.barcode,
          itemnumber: String(index),
          quantity: String(line.quantity),
          price: (line.priceCents / 100).toFixed(2),
          deleted: sale.deleted ? '1' : '0',
          refunded: sale.kind === 'refund' ? '1' : '0',
        })),
      );
    return { success: 1, sale: rows };
  }

  syncCheck(): Body {
    const saleSum = this.sales.reduce((sum, sale) => sum + sale.modifiedTxn, 0);
    return {
      success: 1,
      summary: [
        { table: 'sale', sum: String(saleSum), match: 0 },
        { table: 'inventory', sum: String(this.data.inventory.length), match: 0 },
      ],
    };
  }

  syncInventory(): Body {
    return {
      success: 1,
      inventory: this.data.inventory.map((item) => ({
        id: item.barcode,
        location: item.location,
        inventorytype: String(item.inventoryType),
        usableweight: String(item.usableWeightPerUnitGrams),
        remaining_quantity: String(this.stock.get(item.barcode) ?? 0),
        is_medical: item.isMedical ? '1' : '0',
        strain: item.name ?? '',
      })),
    };
  }

  /** What tests and the harness read: every sale, the allotments, stock, counters. */
  snapshot(): Body {
    return {
      now: this.now(),
      sessions: this.sessions.size,
      logins: this.logins,
      nonces: this.nonces.size,
      modes: this.modes,
      sales: this.sales.map((sale) => ({ ...sale, lines: sale.lines.map((line) => ({ ...line })) })),
      patients: this.data.patients.map((patient) => ({
        cardId: patient.cardId,
        remainingGrams: this.remainingGrams(patient.cardId),
      })),
      stock: Object.fromEntries(this.stock),
    };
  }
}

function isTraining(body: Body): boolean {
  return body.training === 1 || body.training === '1' || body.training === true;
}

function text(value: unknown): string | null {
  if (typeof value === 'string' && value.trim()) return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function readLines(data: unknown): Array<{ barcode: string; quantity: number; priceCents: number }> | null {
  if (!Array.isArray(data) || data.length === 0) return null;
  const lines: Array<{ barcode: string; quantity: number; priceCents: number }> = [];
  for (const entry of data) {
    if (!entry || typeof entry !== 'object') return null;
    const record = entry as Record<string, unknown>;
    const barcode = text(record.barcodeid);
    const quantity = Number(record.quantity);
    const price = Number(record.price);
    if (!barcode || !Number.isFinite(quantity) || quantity <= 0 || !Number.isFinite(price)) return null;
    lines.push({ barcode, quantity, priceCents: Math.round(price * 100) });
  }
  return lines;
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
