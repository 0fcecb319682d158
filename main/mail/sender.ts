/**
 * Drains the email outbox over the store's SMTP server (nodemailer), one message at a time.
 *
 * Each attempt first commits the row as `sending` (attempts + 1), then talks SMTP, then commits
 * `sent`. A failure puts the row back to `pending` with a backoff (30 s, doubling, at most 1 h);
 * after MAX_ATTEMPTS it is `failed` and waits for a person (Sync screen › Send again).
 *
 * Delivery is AT LEAST ONCE, never a second *different* message: a row found in `sending` when
 * the register starts was cut off mid-send (a crash, a power cut). The register cannot know whether
 * the server took the message before the crash, so it sends it again, with the same Message-ID
 * (derived from the outbox id, ./outbox.ts). The server can only have taken it if the crash came
 * in the instant between the server's final "250 OK" and our commit of `sent`; anything earlier
 * (connecting, the envelope, the data before its last line) leaves the server with nothing and
 * the resend is the only copy. In that one instant the customer may get the same message twice,
 * which mail programs show once since they share the Message-ID. The other choice, at most once,
 * would leave every crash mid-send as a copy that may never arrive until a person looks: for a
 * customer's own copy of what they signed, a rare recognisable duplicate is the better failure.
 */
import type Database from 'better-sqlite3';
import nodemailer from 'nodemailer';
import type { Logger } from '../log/logger.js';
import type { SecretBox } from '../core/secret-box.js';
import { DocumentStore } from '../customers/documents.js';
import { mailConfigured, readMailSettings } from './settings.js';

export const MAX_ATTEMPTS = 8;

export interface MailSenderOptions {
  /** First retry delay; doubles each attempt. Default 30 s. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** SMTP timeouts (connect, greeting, socket). Default 15 s. */
  timeoutMs?: number;
}

interface DueRow {
  id: string;
  to_address: string;
  subject: string;
  body: string;
  message_id: string;
  attempts: number;
  attachment_name: string | null;
  sha256: string | null;
  mime: string | null;
}

export class MailSender {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private readonly documents: DocumentStore;

  constructor(
    private readonly deps: {
      sqlite: () => Database.Database;
      clock: () => number;
      logger: Logger;
      secretBox: SecretBox;
      dataDir: string;
      changed: () => void;
    },
    private readonly options: MailSenderOptions = {},
  ) {
    this.documents = new DocumentStore(deps.dataDir);
  }

  start(): void {
    this.stopped = false;
    const sqlite = this.deps.sqlite();
    // Cut off mid-send by the last stop: send again with the same Message-ID (see the header).
    const interrupted = sqlite.prepare(`UPDATE mail_outbox SET state = 'pending', next_attempt_at = ? WHERE state = 'sending'`).run(this.deps.clock());
    if (interrupted.changes > 0) {
      this.deps.logger.log('warn', 'emails cut off mid-send by the last stop are sent again with the same Message-ID', { count: interrupted.changes });
    }
    this.poke();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Something was queued or the settings changed: look now. */
  poke(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) {
      void this.running.then(() => this.poke());
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
    });
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      const sqlite = this.deps.sqlite();
      const settings = readMailSettings(sqlite);
      if (!mailConfigured(settings)) return; // saving the settings pokes again
      const now = this.deps.clock();
      const row = sqlite
        .prepare(
          `SELECT m.id, m.to_address, m.subject, m.body, m.message_id, m.attempts, m.attachment_name, d.sha256, d.mime
             FROM mail_outbox m LEFT JOIN customer_documents d ON d.id = m.document_id
            WHERE m.state = 'pending' AND m.next_attempt_at <= ? ORDER BY m.next_attempt_at, m.id LIMIT 1`,
        )
        .get(now) as DueRow | undefined;
      if (!row) {
        this.scheduleNext();
        return;
      }
      sqlite.prepare(`UPDATE mail_outbox SET state = 'sending', attempts = attempts + 1 WHERE id = ? AND state = 'pending'`).run(row.id);
      this.deps.changed();
      try {
        const password = settings.passwordSealed ? this.deps.secretBox.open(settings.passwordSealed) : undefined;
        const timeout = this.options.timeoutMs ?? 15_000;
        const transport = nodemailer.createTransport({
          host: settings.host,
          port: settings.port,
          secure: settings.security === 'tls',
          requireTLS: settings.security === 'starttls',
          ignoreTLS: settings.security === 'none',
          ...(settings.user ? { auth: { user: settings.user, pass: password ?? '' } } : {}),
          connectionTimeout: timeout,
          greetingTimeout: timeout,
          socketTimeout: timeout,
        });
        try {
          await transport.sendMail({
            from: settings.fromName ? { name: settings.fromName, address: settings.fromAddress } : settings.fromAddress,
            to: row.to_address,
            subject: row.subject,
            text: row.body,
            messageId: row.message_id,
            attachments:
              row.sha256 && row.attachment_name ? [{ filename: row.attachment_name, content: this.documents.read(row.sha256), contentType: row.mime ?? 'application/octet-stream' }] : [],
          });
        } finally {
          transport.close();
        }
        this.deps.sqlite().prepare(`UPDATE mail_outbox SET state = 'sent', sent_at = ?, last_error = NULL WHERE id = ?`).run(this.deps.clock(), row.id);
        this.deps.logger.log('info', 'email sent', { outboxId: row.id, messageId: row.message_id });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const attempts = row.attempts + 1;
        const failed = attempts >= MAX_ATTEMPTS;
        const delay = Math.min(this.options.maxBackoffMs ?? 3_600_000, (this.options.baseBackoffMs ?? 30_000) * 2 ** (attempts - 1));
        this.deps
          .sqlite()
          .prepare(`UPDATE mail_outbox SET state = ?, next_attempt_at = ?, last_error = ? WHERE id = ?`)
          .run(failed ? 'failed' : 'pending', this.deps.clock() + delay, describeSmtpError(message), row.id);
        this.deps.logger.log('warn', failed ? 'an email could not be sent and waits for a person' : 'an email could not be sent: trying again later', {
          outboxId: row.id,
          attempts,
          error: message,
        });
      }
      this.deps.changed();
    }
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    const next = this.deps.sqlite().prepare(`SELECT min(next_attempt_at) AS at FROM mail_outbox WHERE state = 'pending'`).get() as { at: number | null };
    if (next.at === null) return;
    const wait = Math.max(0, Math.min(next.at - this.deps.clock(), 2_147_000_000));
    this.timer = setTimeout(() => this.poke(), wait);
    this.timer.unref();
  }
}

/** What staff read on the Sync screen: the server's words, without a stack. */
function describeSmtpError(message: string): string {
  if (/ECONNREFUSED/.test(message)) return 'The email server refused the connection: check the server and port in Settings › Email.';
  if (/ETIMEDOUT|timeout/i.test(message)) return 'The email server did not answer in time: it is tried again later.';
  if (/ENOTFOUND|EAI_AGAIN/.test(message)) return 'The email server\'s name was not found: check the internet connection and the server name.';
  if (/Invalid login|535|auth/i.test(message)) return 'The email server refused the user name or password: check them in Settings › Email.';
  return `The email server said: ${message.slice(0, 200)}`;
}
