/**
 * The Electron SecretBox: safeStorage (DPAPI on Windows, the keychain on macOS, libsecret or
 * kwallet on Linux). main.ts passes it to createRegister as `secretBox` after app 'ready';
 * when it returns undefined the register uses the key file in the data folder instead
 * (core/secret-box.ts).
 */
import type { SecretBox } from '../core/secret-box.js';

/** The part of Electron's safeStorage this needs (kept narrow so it is easy to fake). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: which keyring safeStorage uses. */
  getSelectedStorageBackend?(): string;
}

export interface SecretBackendChoice {
  backend: 'safeStorage' | 'keyFile';
  /** Why, for the log. */
  reason: string;
}

/** Linux backends that protect nothing: basic_text encrypts with a fixed, well-known password. */
const WEAK_LINUX_BACKENDS = new Set(['basic_text', 'unknown']);

/**
 * Where track-and-trace passwords are sealed on this machine.
 * - No OS encryption at all → the key file.
 * - Linux with no keyring: safeStorage still says encryption is available, but its backend is
 *   `basic_text` (a fixed password), which is no protection → the key file.
 * - Data shared by every account of the PC (Windows: ProgramData): DPAPI would tie each
 *   password to the one Windows account that saved it → the key file, protected like the
 *   database by the folder's ACL.
 */
export function chooseSecretBackend(
  safeStorage: Pick<SafeStorageLike, 'isEncryptionAvailable' | 'getSelectedStorageBackend'>,
  platform: NodeJS.Platform,
  options: { sharedDataFolder: boolean },
): SecretBackendChoice {
  if (!safeStorage.isEncryptionAvailable()) return { backend: 'keyFile', reason: 'the system offers no encryption for this user' };
  if (platform === 'linux') {
    const linuxBackend = safeStorage.getSelectedStorageBackend?.() ?? 'unknown';
    if (WEAK_LINUX_BACKENDS.has(linuxBackend)) {
      return { backend: 'keyFile', reason: `no keyring is running (safeStorage backend: ${linuxBackend})` };
    }
  }
  if (options.sharedDataFolder) return { backend: 'keyFile', reason: "the data folder is shared by all of this PC's accounts" };
  return { backend: 'safeStorage', reason: 'the system keyring' };
}

const PREFIX = 'safestorage:v1:';

export function createSafeStorageSecretBox(safeStorage: SafeStorageLike): SecretBox {
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

/** The box to pass to createRegister: safeStorage's, or undefined for the key file. */
export function secretBoxFor(
  safeStorage: SafeStorageLike,
  platform: NodeJS.Platform,
  options: { sharedDataFolder: boolean },
): { box: SecretBox | undefined; choice: SecretBackendChoice } {
  const choice = chooseSecretBackend(safeStorage, platform, options);
  return { box: choice.backend === 'safeStorage' ? createSafeStorageSecretBox(safeStorage) : undefined, choice };
}
