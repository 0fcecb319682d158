import { describe, expect, it } from 'vitest';
import { installedDataDir } from '../../../main/core/paths.js';
import { chooseSecretBackend, secretBoxFor, type SafeStorageLike } from '../../../main/electron/secret-box.js';

/** A fake safeStorage: reversible "encryption", with the availability and backend given. */
function fakeSafeStorage(available: boolean, backend?: string): SafeStorageLike {
  return {
    isEncryptionAvailable: () => available,
    encryptString: (plain) => Buffer.from(plain, 'utf8').reverse(),
    decryptString: (encrypted) => Buffer.from(encrypted).reverse().toString('utf8'),
    ...(backend === undefined ? {} : { getSelectedStorageBackend: () => backend }),
  };
}

describe('where track-and-trace passwords are sealed', () => {
  it('uses the key file on Linux without a keyring, where safeStorage would use a fixed password', () => {
    const choice = chooseSecretBackend(fakeSafeStorage(true, 'basic_text'), 'linux', { sharedDataFolder: false });
    expect(choice).toEqual({ backend: 'keyFile', reason: expect.stringContaining('basic_text') });
    expect(chooseSecretBackend(fakeSafeStorage(true, 'unknown'), 'linux', { sharedDataFolder: false }).backend).toBe('keyFile');
    expect(chooseSecretBackend(fakeSafeStorage(true), 'linux', { sharedDataFolder: false }).backend).toBe('keyFile');
  });

  it('uses the keyring on Linux when libsecret or kwallet is running', () => {
    for (const backend of ['gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6']) {
      expect(chooseSecretBackend(fakeSafeStorage(true, backend), 'linux', { sharedDataFolder: false }).backend, backend).toBe('safeStorage');
    }
  });

  it('uses the key file when the system has no encryption at all', () => {
    expect(chooseSecretBackend(fakeSafeStorage(false, 'gnome_libsecret'), 'linux', { sharedDataFolder: false }).backend).toBe('keyFile');
    expect(chooseSecretBackend(fakeSafeStorage(false), 'win32', { sharedDataFolder: false }).backend).toBe('keyFile');
  });

  it("uses the key file for Windows' shared ProgramData folder (DPAPI would tie a password to one account)", () => {
    const shared = installedDataDir('win32', { ProgramData: 'C:\\ProgramData' }, 'C:\\Users\\ann\\AppData\\Roaming\\Dispensary Register');
    expect(shared).toEqual({ dir: 'C:\\ProgramData\\Dispensary Register', sharedByAllAccounts: true });
    expect(chooseSecretBackend(fakeSafeStorage(true), 'win32', { sharedDataFolder: shared.sharedByAllAccounts }).backend).toBe('keyFile');
    expect(chooseSecretBackend(fakeSafeStorage(true), 'win32', { sharedDataFolder: false }).backend).toBe('safeStorage');
  });

  it('keeps Linux and macOS data in the user data folder', () => {
    expect(installedDataDir('linux', {}, '/home/ann/.config/Dispensary Register')).toEqual({ dir: '/home/ann/.config/Dispensary Register', sharedByAllAccounts: false });
  });

  it('seals and opens with safeStorage when chosen, and with nothing (the key file) otherwise', () => {
    const keyring = secretBoxFor(fakeSafeStorage(true, 'gnome_libsecret'), 'linux', { sharedDataFolder: false });
    expect(keyring.box?.kind).toBe('safeStorage');
    const sealed = keyring.box!.seal('hunter2');
    expect(sealed).not.toContain('hunter2');
    expect(keyring.box!.open(sealed)).toBe('hunter2');
    expect(() => keyring.box!.open('keyfile:v1:a:b:c')).toThrow(/enter it again in Settings/);
    expect(secretBoxFor(fakeSafeStorage(true, 'basic_text'), 'linux', { sharedDataFolder: false }).box).toBeUndefined();
  });
});
