/**
 * The Electron SecretBox: safeStorage (DPAPI on Windows, the keychain on macOS, libsecret or
 * kwallet on Linux). main.ts passes it to createRegister as `secretBox` after app 'ready'.
 */
import type { SecretBox } from '../core/secret-box.js';

/** The part of Electron's safeStorage this needs (kept narrow so it is easy to fake). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

const PREFIX = 'safestorage:v1:';

export function createSafeStorageSecretBox(safeStorage: SafeStorageLike): SecretBox | undefined {
  // Without an OS keyring safeStorage would fall back to a fixed key: use the key file instead.
  if (!safeStorage.isEncryptionAvailable()) return undefined;
  return {
    kind: 'safeStorage',
    seal: (plain) => `${PREFIX}${safeStorage.encryptString(plain).toString('base64')}`,
    open(sealed) {
      if (!sealed.startsWith(PREFIX)) throw new Error('This password was saved by the browser host: enter it again in Settings.');
      try {
        return safeStorage.decryptString(Buffer.from(sealed.slice(PREFIX.length), 'base64'));
      } catch {
        throw new Error('The saved password cannot be opened by this user account: enter it again in Settings.');
      }
    },
  };
}
