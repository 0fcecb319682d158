/**
 * Who may read the data folder. Linux and macOS: real modes on a real folder. Windows: the icacls
 * command the register would run, recorded by a stand-in runner (these tests run on Linux).
 */
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureDataFolder } from '../../../main/store/db.js';
import { restrictFolder, restrictSubFolder } from '../../../main/store/permissions.js';
import { tempDir } from '../../support/paths.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});
function folder(): string {
  const work = tempDir('register-privacy-');
  cleanups.push(work.cleanup);
  return work.dir;
}

const windowsUser = { USERDOMAIN: 'SHOP', USERNAME: 'anna' };
function recorder(): { runs: Array<{ command: string; args: string[] }>; runCommand: (command: string, args: string[]) => void } {
  const runs: Array<{ command: string; args: string[] }> = [];
  return { runs, runCommand: (command, args) => runs.push({ command, args }) };
}

describe('the data folder on Windows', () => {
  it("a user's own data folder gets an ACL for that user only, on the folder and what is in it", () => {
    const { runs, runCommand } = recorder();
    expect(restrictFolder('D:\\Register', { platform: 'win32', env: windowsUser, runCommand })).toBeNull();
    expect(runs).toEqual([{ command: 'icacls', args: ['D:\\Register', '/inheritance:r', '/grant:r', 'SHOP\\anna:(OI)(CI)F', '/T', '/Q'] }]);
  });

  it("the installed app's ProgramData folder, shared by the PC's accounts, keeps the installer's ACL", () => {
    // Narrowing it to whoever started the register first would lock every other account out.
    const dir = folder();
    const { runs, runCommand } = recorder();
    expect(ensureDataFolder(dir, { platform: 'win32', sharedByAllAccounts: true, env: windowsUser, runCommand })).toBeNull();
    expect(runs).toEqual([]);
    // The same folder not shared: the user-only ACL.
    expect(ensureDataFolder(dir, { platform: 'win32', env: windowsUser, runCommand })).toBeNull();
    expect(runs.map((run) => run.args.slice(0, 4))).toEqual([[dir, '/inheritance:r', '/grant:r', 'SHOP\\anna:(OI)(CI)F']]);
  });

  it('backups/ and logs/ get no ACL of their own: they inherit the data folder\'s', () => {
    const dir = join(folder(), 'backups');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    expect(restrictSubFolder(dir, 'win32')).toBeNull();
    expect(statSync(dir).mode & 0o777).toBe(0o755);
  });

  it('says what failed rather than stopping the register', () => {
    expect(restrictFolder('D:\\Register', { platform: 'win32', env: {}, runCommand: () => {} })).toMatch(/Windows user is not known/);
    const refused = restrictFolder('D:\\Register', {
      platform: 'win32',
      env: windowsUser,
      runCommand: () => {
        throw new Error('Access is denied.');
      },
    });
    expect(refused).toMatch(/icacls failed \(Access is denied\.\)/);
  });
});

describe('the data folder on Linux', () => {
  it('is 0700 with its backups/ and logs/, whatever the sharing flag (it is for Windows only)', () => {
    const dir = join(folder(), 'data');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    expect(ensureDataFolder(dir, { platform: 'linux', sharedByAllAccounts: true })).toBeNull();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const logs = join(dir, 'logs');
    mkdirSync(logs, { mode: 0o755 });
    chmodSync(logs, 0o755);
    expect(restrictSubFolder(logs, 'linux')).toBeNull();
    expect(statSync(logs).mode & 0o777).toBe(0o700);
  });
});
