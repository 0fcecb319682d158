/**
 * Secrets at rest (track-and-trace passwords, API keys). A SecretBox seals a string into text
 * that is safe to keep in the settings table, and opens it again on this machine.
 *
 * Two implementations: Electron's safeStorage (the OS keychain / DPAPI / libsecret), made in
 * main/electron/ and passed to createRegister as `secretBox`; and, for the browser host, a
 * random key in a file in the data folder that only this user can read (mode 0600), used with
 * AES-256-GCM. Sealed text names its kind, so the register can tell which box opens it.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SecretBox {
  /** Shown in Settings: where the secret is protected. */
  readonly kind: 'safeStorage' | 'keyFile';
  seal(plain: string): string;
  /** Throws an Error saying what to do when the text cannot be opened here. */
  open(sealed: string): string;
}

const KEY_FILE = 'secret.key';
const PREFIX = 'keyfile:v1:';

/** AES-256-GCM with a 32-byte random key kept in `<dataDir>/secret.key` (mode 0600). */
export class KeyFileSecretBox implements SecretBox {
  readonly kind = 'keyFile' as const;
  private key: Buffer | null = null;

  constructor(private readonly dataDir: string) {}

  private loadKey(): Buffer {
    if (this.key) return this.key;
    const file = join(this.dataDir, KEY_FILE);
    if (!existsSync(file)) {
      // 'wx': never overwrite a key another process just made.
      try {
        writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    try {
      chmodSync(file, 0o600);
    } catch {
      // Windows has no POSIX modes; the data folder's ACL protects the file there.
    }
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`The key file ${file} is damaged: enter the track-and-trace password again in Settings.`);
    this.key = key;
    return key;
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.loadKey(), iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${PREFIX}${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${data.toString('base64')}`;
  }

  open(sealed: string): string {
    if (!sealed.startsWith(PREFIX)) throw new Error('This password was saved by the desktop app: enter it again in Settings.');
    const [iv, tag, data] = sealed.slice(PREFIX.length).split(':');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.loadKey(), Buffer.from(iv ?? '', 'base64'));
      decipher.setAuthTag(Buffer.from(tag ?? '', 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(data ?? '', 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('The saved password cannot be opened on this machine (the key file changed): enter it again in Settings.');
    }
  }
}
