/**
 * The store's SMTP settings (Settings › Email), kept in the settings table under `mail.smtp`.
 * The password is sealed by the register's SecretBox and never sent back to a screen.
 */
import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { MailSettingsInput, MailSettingsView } from '../../preload/contract/tablet.js';
import { smtpSecuritySchema } from '../../preload/contract/tablet.js';
import type { SecretBox } from '../core/secret-box.js';

export const MAIL_SETTINGS_KEY = 'mail.smtp';

const storedSchema = z.object({
  host: z.string(),
  port: z.number().int(),
  security: smtpSecuritySchema,
  user: z.string(),
  passwordSealed: z.string().nullable(),
  fromAddress: z.string(),
  fromName: z.string(),
});
export type StoredMailSettings = z.infer<typeof storedSchema>;

const EMPTY: StoredMailSettings = { host: '', port: 587, security: 'starttls', user: '', passwordSealed: null, fromAddress: '', fromName: '' };

export function readMailSettings(sqlite: Database.Database): StoredMailSettings {
  const row = sqlite.prepare('SELECT value FROM settings WHERE key = ?').get(MAIL_SETTINGS_KEY) as { value: string } | undefined;
  if (!row) return EMPTY;
  try {
    const parsed = storedSchema.safeParse(JSON.parse(row.value));
    return parsed.success ? parsed.data : EMPTY;
  } catch {
    return EMPTY;
  }
}

/** Enough to send: a server and a sender address. */
export function mailConfigured(settings: StoredMailSettings): boolean {
  return settings.host !== '' && settings.fromAddress !== '';
}

export function mailSettingsView(settings: StoredMailSettings): MailSettingsView {
  return {
    configured: mailConfigured(settings),
    host: settings.host,
    port: settings.port,
    security: settings.security,
    user: settings.user,
    hasPassword: settings.passwordSealed !== null,
    fromAddress: settings.fromAddress,
    fromName: settings.fromName,
  };
}

export function nextMailSettings(current: StoredMailSettings, input: MailSettingsInput, secretBox: SecretBox): StoredMailSettings {
  const passwordSealed = input.password === undefined ? current.passwordSealed : input.password === '' ? null : secretBox.seal(input.password);
  return {
    host: input.host,
    port: input.port,
    security: input.security,
    user: input.user,
    passwordSealed,
    fromAddress: input.fromAddress,
    fromName: input.fromName,
  };
}

export function writeMailSettings(sqlite: Database.Database, settings: StoredMailSettings, now: number): void {
  sqlite
    .prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at')
    .run(MAIL_SETTINGS_KEY, JSON.stringify(settings), now);
}
