/**
 * The reception tablet's records: pairing (one-time codes, per-device tokens kept as SHA-256),
 * the agreement text, agreements sent to a tablet, and what comes back when the customer signs.
 */
import type Database from 'better-sqlite3';
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { ContactChange, SignatureRequestView, TabletAgreement, TabletDevice } from '../../preload/contract/tablet.js';
import { MAX_SIGNATURE_PNG_BYTES } from '../../preload/contract/tablet.js';
import { appendAudit } from '../audit/log.js';
import { applyCommand } from '../core/commands.js';
import { CoreError } from '../core/errors.js';
import { readSetting } from '../core/settings.js';
import { DocumentStore } from '../customers/documents.js';
import { captureCustomer, captureCustomerDocument, customerSnapshot } from '../hub-sync/capture.js';
import { enqueueMail } from '../mail/outbox.js';
import { newId } from '../store/ids.js';
import { renderAgreementPdf } from './pdf.js';

export const AGREEMENT_SETTING = 'tablet.agreement';
export const ENABLED_SETTING = 'tablet.enabled';
const PAIRING_TTL_MS = 10 * 60_000;
/** Wrong codes in a row before every open code is withdrawn (a person starts pairing again). */
const MAX_WRONG_CODES = 5;
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export const DEFAULT_AGREEMENT = `I, {name}, apply to become a member of {store}.

I confirm that I am of legal age to buy cannabis in this state, that the identification I showed is my own and valid, and that the information I gave is true.

I will use cannabis bought here only as the law allows. I will not resell or give it to anyone else, and I will not consume it on or near the store's premises.

I understand that the store keeps my information to check my identity and my purchase limits, and to report sales to the state as the law requires.

I agree to the store's rules, and I understand the store may end my membership if I break them.

Date: {date}`;

export interface Actor {
  id: string;
}

interface DeviceRow {
  id: string;
  name: string;
  token_hash: string;
  paired_at: number;
  last_seen_at: number | null;
  revoked_at: number | null;
}

interface RequestRow {
  id: string;
  customer_id: string;
  device_id: string;
  state: 'waiting' | 'signed' | 'cancelled';
  customer_name: string;
  agreement_text: string;
  agreement_date: string;
  sent_at: number;
  sent_by: string | null;
  signed_at: number | null;
  document_id: string | null;
  content_sha256: string | null;
  pdf_sha256: string | null;
  contact_changes: string | null;
}

export interface Submission {
  requestId: string;
  signaturePng: string;
  email: string;
  phone: string;
  sendCopy: boolean;
}

export interface SignedOutcome {
  customerId: string;
  /** False when the register had this signature already (a resend after a dropped connection). */
  fresh: boolean;
  mailQueued: boolean;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export class TabletService {
  private readonly codes = new Map<string, { expiresAt: number; createdBy: string }>();
  private wrongCodes = 0;
  private readonly documents: DocumentStore;

  constructor(
    private readonly deps: {
      sqlite: () => Database.Database;
      clock: () => number;
      dataDir: string;
      mailConfigured: () => boolean;
      isConnected: (deviceId: string) => boolean;
    },
  ) {
    this.documents = new DocumentStore(deps.dataDir);
  }

  private get sqlite(): Database.Database {
    return this.deps.sqlite();
  }

  // -------------------------------------------------------------------------------------------
  // Settings
  // -------------------------------------------------------------------------------------------

  enabled(): boolean {
    const row = this.sqlite.prepare('SELECT value FROM settings WHERE key = ?').get(ENABLED_SETTING) as { value: string } | undefined;
    return row?.value === 'true';
  }

  setEnabled(actor: Actor, commandId: string, enabled: boolean): void {
    const now = this.deps.clock();
    applyCommand(
      this.sqlite,
      { commandId, name: enabled ? 'tablet.turn_on' : 'tablet.turn_off', actorId: actor.id },
      () => {
        this.writeSetting(ENABLED_SETTING, enabled, now);
        return { result: null, audit: { details: { enabled } } };
      },
      now,
    );
  }

  agreement(): { text: string; updatedAt: number | null; updatedBy: string | null } {
    const row = this.sqlite.prepare('SELECT value, updated_at FROM settings WHERE key = ?').get(AGREEMENT_SETTING) as { value: string; updated_at: number } | undefined;
    if (!row) return { text: DEFAULT_AGREEMENT, updatedAt: null, updatedBy: null };
    try {
      const parsed = JSON.parse(row.value) as { text?: unknown; by?: unknown };
      return {
        text: typeof parsed.text === 'string' ? parsed.text : DEFAULT_AGREEMENT,
        updatedAt: row.updated_at,
        updatedBy: typeof parsed.by === 'string' ? parsed.by : null,
      };
    } catch {
      return { text: DEFAULT_AGREEMENT, updatedAt: null, updatedBy: null };
    }
  }

  saveAgreement(actor: Actor & { name: string }, commandId: string, text: string): void {
    const now = this.deps.clock();
    applyCommand(
      this.sqlite,
      { commandId, name: 'tablet.agreement_saved', actorId: actor.id },
      () => {
        this.writeSetting(AGREEMENT_SETTING, { text, by: actor.name }, now);
        return { result: null, audit: { details: { sha256: createHash('sha256').update(text).digest('hex'), chars: text.length } } };
      },
      now,
    );
  }

  private writeSetting(key: string, value: unknown, now: number): void {
    this.sqlite
      .prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at')
      .run(key, JSON.stringify(value), now);
  }

  // -------------------------------------------------------------------------------------------
  // Pairing and devices
  // -------------------------------------------------------------------------------------------

  startPairing(actor: Actor): { code: string; expiresAt: number } {
    const now = this.deps.clock();
    this.dropExpiredCodes(now);
    let code = '';
    for (let i = 0; i < 8; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
    const expiresAt = now + PAIRING_TTL_MS;
    this.codes.set(code, { expiresAt, createdBy: actor.id });
    this.wrongCodes = 0;
    appendAudit(this.sqlite, { employeeId: actor.id, action: 'tablet.pairing_started', details: { expiresAt } }, now);
    return { code, expiresAt };
  }

  private dropExpiredCodes(now: number): void {
    for (const [code, entry] of this.codes) if (entry.expiresAt <= now) this.codes.delete(code);
  }

  /** A tablet presents a one-time code: it gets a device and its token (shown once, kept hashed). */
  pair(code: string, name: string): { deviceId: string; token: string; name: string } {
    const now = this.deps.clock();
    this.dropExpiredCodes(now);
    let match: { code: string; createdBy: string } | null = null;
    for (const [candidate, entry] of this.codes) {
      const a = Buffer.from(candidate);
      const b = Buffer.from(code);
      if (a.length === b.length && timingSafeEqual(a, b)) match = { code: candidate, createdBy: entry.createdBy };
    }
    if (!match) {
      this.wrongCodes++;
      if (this.wrongCodes >= MAX_WRONG_CODES) {
        this.codes.clear();
        this.wrongCodes = 0;
      }
      throw new CoreError('forbidden', 'This pairing code is wrong, used or expired: ask a manager for a new one in Settings › Tablet.');
    }
    this.codes.delete(match.code);
    const token = randomBytes(32).toString('base64url');
    const deviceId = newId(now);
    const createdBy = match.createdBy;
    this.sqlite.transaction(() => {
      this.sqlite
        .prepare('INSERT INTO tablet_devices (id, name, token_hash, paired_at, paired_by) VALUES (?, ?, ?, ?, ?)')
        .run(deviceId, name, hashToken(token), now, createdBy);
      appendAudit(this.sqlite, { employeeId: createdBy, action: 'tablet.paired', details: { deviceId, name } }, now);
    }).immediate();
    return { deviceId, token, name };
  }

  /** The device a token belongs to, unless revoked. */
  authenticate(token: string): { id: string; name: string } | null {
    const row = this.sqlite.prepare('SELECT id, name FROM tablet_devices WHERE token_hash = ? AND revoked_at IS NULL').get(hashToken(token)) as
      | { id: string; name: string }
      | undefined;
    if (!row) return null;
    this.sqlite.prepare('UPDATE tablet_devices SET last_seen_at = ? WHERE id = ?').run(this.deps.clock(), row.id);
    return row;
  }

  isActive(deviceId: string): boolean {
    return this.sqlite.prepare('SELECT 1 FROM tablet_devices WHERE id = ? AND revoked_at IS NULL').get(deviceId) !== undefined;
  }

  devices(): TabletDevice[] {
    const rows = this.sqlite.prepare('SELECT id, name, token_hash, paired_at, last_seen_at, revoked_at FROM tablet_devices WHERE revoked_at IS NULL ORDER BY paired_at').all() as DeviceRow[];
    return rows.map((row) => ({ id: row.id, name: row.name, pairedAt: row.paired_at, lastSeenAt: row.last_seen_at, connected: this.deps.isConnected(row.id) }));
  }

  revoke(actor: Actor, commandId: string, deviceId: string): string[] {
    const now = this.deps.clock();
    const { result } = applyCommand(
      this.sqlite,
      { commandId, name: 'tablet.revoked', actorId: actor.id },
      () => {
        const device = this.sqlite.prepare('SELECT id, name, revoked_at FROM tablet_devices WHERE id = ?').get(deviceId) as { id: string; name: string; revoked_at: number | null } | undefined;
        if (!device) throw new CoreError('not_found', 'This tablet is not paired with this register.');
        if (device.revoked_at !== null) return { result: [] as string[], audit: { details: { deviceId, name: device.name, already: true } } };
        this.sqlite.prepare('UPDATE tablet_devices SET revoked_at = ?, revoked_by = ? WHERE id = ?').run(now, actor.id, deviceId);
        const waiting = this.sqlite.prepare(`SELECT customer_id FROM signature_requests WHERE device_id = ? AND state = 'waiting'`).all(deviceId) as Array<{ customer_id: string }>;
        this.sqlite.prepare(`UPDATE signature_requests SET state = 'cancelled', closed_at = ? WHERE device_id = ? AND state = 'waiting'`).run(now, deviceId);
        return { result: waiting.map((row) => row.customer_id), audit: { details: { deviceId, name: device.name } } };
      },
      now,
    );
    return result;
  }

  // -------------------------------------------------------------------------------------------
  // Agreements sent to a tablet
  // -------------------------------------------------------------------------------------------

  storeName(): string {
    return readSetting(this.sqlite, 'store.name') ?? 'Dispensary Register';
  }

  private timeZone(): string {
    return readSetting(this.sqlite, 'store.timeZone') ?? 'America/Chicago';
  }

  private dateWords(at: number): string {
    return new Intl.DateTimeFormat('en-US', { timeZone: this.timeZone(), year: 'numeric', month: 'long', day: 'numeric' }).format(new Date(at));
  }

  /** Sends the agreement to a tablet; an agreement still waiting on that tablet is taken back. Returns customers whose state changed. */
  collect(actor: Actor, commandId: string, customerId: string, deviceId: string): { request: SignatureRequestView; affected: string[] } {
    const now = this.deps.clock();
    const { result } = applyCommand(
      this.sqlite,
      { commandId, name: 'tablet.agreement_sent', actorId: actor.id },
      () => {
        const customer = this.sqlite.prepare('SELECT id, first_name, last_name FROM customers WHERE id = ?').get(customerId) as
          | { id: string; first_name: string; last_name: string }
          | undefined;
        if (!customer) throw new CoreError('not_found', 'This customer does not exist.');
        const device = this.sqlite.prepare('SELECT id, name FROM tablet_devices WHERE id = ? AND revoked_at IS NULL').get(deviceId) as { id: string; name: string } | undefined;
        if (!device) throw new CoreError('not_found', 'This tablet is no longer paired: choose another, or pair it again in Settings › Tablet.');
        const replaced = this.sqlite
          .prepare(`SELECT customer_id FROM signature_requests WHERE state = 'waiting' AND (device_id = ? OR customer_id = ?)`)
          .all(deviceId, customerId) as Array<{ customer_id: string }>;
        this.sqlite.prepare(`UPDATE signature_requests SET state = 'cancelled', closed_at = ? WHERE state = 'waiting' AND (device_id = ? OR customer_id = ?)`).run(now, deviceId, customerId);
        const name = `${customer.first_name} ${customer.last_name}`.trim();
        const date = this.dateWords(now);
        const text = this.agreement()
          .text.replaceAll('{name}', name)
          .replaceAll('{date}', date)
          .replaceAll('{store}', this.storeName());
        const id = newId(now);
        this.sqlite
          .prepare(
            `INSERT INTO signature_requests (id, customer_id, device_id, state, customer_name, agreement_text, agreement_date, sent_at, sent_by)
             VALUES (?, ?, ?, 'waiting', ?, ?, ?, ?, ?)`,
          )
          .run(id, customerId, deviceId, name, text, date, now, actor.id);
        return {
          result: { requestId: id, affected: [...new Set(replaced.map((row) => row.customer_id).filter((other) => other !== customerId))] },
          audit: { customerId, details: { requestId: id, deviceId, deviceName: device.name } },
        };
      },
      now,
    );
    return { request: this.view(this.requestRow(result.requestId)!), affected: result.affected };
  }

  cancel(actor: Actor, commandId: string, requestId: string): SignatureRequestView {
    const now = this.deps.clock();
    applyCommand(
      this.sqlite,
      { commandId, name: 'tablet.agreement_cancelled', actorId: actor.id },
      () => {
        const row = this.requestRow(requestId);
        if (!row) throw new CoreError('not_found', 'This agreement was not sent.');
        if (row.state === 'signed') throw new CoreError('conflict', 'The customer has signed this agreement already.');
        this.sqlite.prepare(`UPDATE signature_requests SET state = 'cancelled', closed_at = ? WHERE id = ? AND state = 'waiting'`).run(now, requestId);
        return { result: null, audit: { customerId: row.customer_id, details: { requestId } } };
      },
      now,
    );
    return this.view(this.requestRow(requestId)!);
  }

  private requestRow(id: string): RequestRow | null {
    return (this.sqlite.prepare('SELECT * FROM signature_requests WHERE id = ?').get(id) as RequestRow | undefined) ?? null;
  }

  latestFor(customerId: string): SignatureRequestView | null {
    const row = this.sqlite.prepare('SELECT * FROM signature_requests WHERE customer_id = ? ORDER BY sent_at DESC, id DESC LIMIT 1').get(customerId) as RequestRow | undefined;
    return row ? this.view(row) : null;
  }

  private view(row: RequestRow): SignatureRequestView {
    const device = this.sqlite.prepare('SELECT name FROM tablet_devices WHERE id = ?').get(row.device_id) as { name: string } | undefined;
    const mail = row.document_id
      ? (this.sqlite.prepare('SELECT to_address, state FROM mail_outbox WHERE document_id = ? ORDER BY created_at DESC LIMIT 1').get(row.document_id) as
          | { to_address: string; state: 'pending' | 'sending' | 'sent' | 'failed' }
          | undefined)
      : undefined;
    let changes: ContactChange[] = [];
    try {
      changes = row.contact_changes ? (JSON.parse(row.contact_changes) as ContactChange[]) : [];
    } catch {
      changes = [];
    }
    return {
      id: row.id,
      customerId: row.customer_id,
      deviceName: device?.name ?? 'a tablet',
      state: row.state,
      sentAt: row.sent_at,
      signedAt: row.signed_at,
      documentId: row.document_id,
      contentSha256: row.content_sha256,
      pdfSha256: row.pdf_sha256,
      contactChanges: changes,
      emailCopy: mail ? { to: mail.to_address, state: mail.state } : null,
    };
  }

  /** What a tablet shows now: the agreement waiting on it, or nothing. */
  currentFor(deviceId: string): TabletAgreement | null {
    const row = this.sqlite
      .prepare(`SELECT * FROM signature_requests WHERE device_id = ? AND state = 'waiting' ORDER BY sent_at DESC LIMIT 1`)
      .get(deviceId) as RequestRow | undefined;
    if (!row) return null;
    return {
      requestId: row.id,
      customerName: row.customer_name,
      storeName: this.storeName(),
      date: row.agreement_date,
      text: row.agreement_text,
      copyOffered: this.deps.mailConfigured(),
    };
  }

  /**
   * The customer signed. Renders the PDF, keeps it and the signature image as files, then in one
   * transaction: the document on the profile, the contact fields, the request signed, the audit
   * event (with both hashes) and, when asked for, the email copy's outbox row. Applied once: a
   * resend of a signature the register has already returns `fresh: false`.
   */
  async submit(deviceId: string, submission: Submission): Promise<SignedOutcome> {
    const row = this.requestRow(submission.requestId);
    if (!row || row.device_id !== deviceId) throw new CoreError('forbidden', 'This agreement was not sent to this tablet.');
    if (row.state === 'signed') return { customerId: row.customer_id, fresh: false, mailQueued: false };
    if (row.state === 'cancelled') throw new CoreError('conflict', 'Staff took this agreement back: ask at the counter.');
    const png = Buffer.from(submission.signaturePng.slice(submission.signaturePng.indexOf(',') + 1), 'base64');
    if (png.length > MAX_SIGNATURE_PNG_BYTES) throw new CoreError('invalid_message', 'The signature image is too large.');
    if (png.length < 8 || !png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
      throw new CoreError('invalid_message', 'The signature is not a PNG image.');
    }
    const now = this.deps.clock();
    const storeName = this.storeName();
    const device = this.sqlite.prepare('SELECT name FROM tablet_devices WHERE id = ?').get(deviceId) as { name: string };
    const signedOn = `${new Intl.DateTimeFormat('en-US', { timeZone: this.timeZone(), dateStyle: 'long', timeStyle: 'short' }).format(new Date(now))}, on ${device.name}`;
    let rendered: { pdf: Buffer; contentSha256: string };
    try {
      rendered = await renderAgreementPdf({ storeName, customerName: row.customer_name, date: row.agreement_date, text: row.agreement_text, signaturePng: png, signedAt: now, signedOn });
    } catch {
      throw new CoreError('invalid_message', 'The signature image could not be read: clear it and sign again.');
    }
    // The files first, named by content: a crash after this leaves at worst an unused file.
    const pdf = this.documents.store(rendered.pdf, 'application/pdf');
    const signatureFile = this.documents.store(png, 'image/png');
    const email = submission.email.trim();
    const phone = submission.phone.trim();
    const mailWanted = submission.sendCopy && email !== '' && this.deps.mailConfigured();

    return this.sqlite.transaction((): SignedOutcome => {
      const current = this.requestRow(submission.requestId)!;
      if (current.state === 'signed') return { customerId: row.customer_id, fresh: false, mailQueued: false };
      if (current.state !== 'waiting') throw new CoreError('conflict', 'Staff took this agreement back: ask at the counter.');
      const customer = this.sqlite.prepare('SELECT email, phone FROM customers WHERE id = ?').get(row.customer_id) as { email: string | null; phone: string | null };
      const changes: ContactChange[] = [];
      if (email !== '' && email !== (customer.email ?? '')) changes.push({ field: 'Email', from: customer.email, to: email });
      if (phone !== '' && phone !== (customer.phone ?? '')) changes.push({ field: 'Phone', from: customer.phone, to: phone });
      if (changes.length > 0) {
        const hubBefore = customerSnapshot(this.sqlite, row.customer_id);
        this.sqlite
          .prepare('UPDATE customers SET email = ?, phone = ?, updated_at = ? WHERE id = ?')
          .run(email !== '' ? email : customer.email, phone !== '' ? phone : customer.phone, now, row.customer_id);
        // The store's hub hears of the new contact fields, in this transaction.
        captureCustomer(this.sqlite, row.customer_id, hubBefore, now);
      }
      const documentId = newId(now);
      const title = `Membership Agreement ${stamp(now, this.timeZone())}`;
      this.sqlite
        .prepare(
          `INSERT INTO customer_documents (id, customer_id, kind, title, sha256, mime, size_bytes, added_at, added_by) VALUES (?, ?, 'membership_agreement', ?, ?, 'application/pdf', ?, ?, ?)`,
        )
        .run(documentId, row.customer_id, title, pdf.sha256, pdf.sizeBytes, now, row.sent_by);
      // The store's hub hears of the signed agreement too, in this transaction.
      captureCustomerDocument(this.sqlite, documentId, now);
      this.sqlite
        .prepare(
          `UPDATE signature_requests SET state = 'signed', signed_at = ?, closed_at = ?, document_id = ?, content_sha256 = ?, pdf_sha256 = ?, contact_changes = ? WHERE id = ?`,
        )
        .run(now, now, documentId, rendered.contentSha256, pdf.sha256, JSON.stringify(changes), row.id);
      let outboxId: string | null = null;
      if (mailWanted) {
        outboxId = enqueueMail(
          this.sqlite,
          {
            customerId: row.customer_id,
            to: email,
            subject: `Your membership agreement with ${storeName}`,
            body: `Hello ${row.customer_name},\n\nAttached is a copy of the membership agreement you signed at ${storeName} on ${row.agreement_date}.\n\n${storeName}`,
            documentId,
            attachmentName: `${title.replace(/[^A-Za-z0-9 -]/g, '-')}.pdf`,
          },
          now,
        );
      }
      appendAudit(
        this.sqlite,
        {
          employeeId: null,
          action: 'tablet.signed',
          customerId: row.customer_id,
          details: {
            requestId: row.id,
            deviceId,
            deviceName: device.name,
            documentId,
            title,
            pdfSha256: pdf.sha256,
            contentSha256: rendered.contentSha256,
            signatureSha256: signatureFile.sha256,
            changes,
            emailCopy: outboxId,
          },
        },
        now,
      );
      return { customerId: row.customer_id, fresh: true, mailQueued: outboxId !== null };
    }).immediate();
  }
}

function stamp(at: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(at));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}
