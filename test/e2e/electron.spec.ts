/**
 * The desktop app itself, through Playwright's `_electron`. Runs where the Electron binary is
 * installed; elsewhere (its download is unreachable on some machines) it is skipped with why.
 */
import { _electron as electron, expect, test } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demo, repoRoot } from './host';
import { expectShell, typePin } from './screens';

/**
 * Asks a plain Node process for `require('electron')` (the package exports its binary's path and
 * throws when the download failed). A separate process, because the test runner maps the
 * 'electron' import to the type shim in types/ through tsconfig paths.
 */
function findElectron(): { path: string } | { missing: string } {
  const result = spawnSync(process.execPath, ['-p', "require('electron')"], { cwd: repoRoot, encoding: 'utf8' });
  if (result.status !== 0) {
    const lines = `${result.stderr}`.split('\n').map((line) => line.trim());
    const reason = lines.find((line) => /^Error\b|Cannot find module|failed to install/i.test(line)) ?? lines.find(Boolean) ?? 'unknown error';
    return { missing: `require('electron') failed: ${reason}` };
  }
  const binary = result.stdout.trim();
  if (!binary || !existsSync(binary)) return { missing: `the electron package names ${binary || 'no binary'}, which does not exist` };
  return { path: binary };
}

const found = findElectron();
const mainScript = join(repoRoot, 'dist', 'main', 'electron.cjs');

test('the Electron app logs in with a PIN and shows the shell', async () => {
  if ('missing' in found) {
    const why = `Electron binary not installed on this machine (download unreachable): ${found.missing}`;
    // Printed as well, since reporters show a skipped test's title but not always its reason.
    console.log(`electron.spec skipped: ${why}`);
    test.skip(true, why);
    return;
  }
  expect(existsSync(mainScript), `${mainScript} is missing: run \`npm run build\``).toBe(true);

  const dataDir = mkdtempSync(join(tmpdir(), 'register-electron-'));
  const app = await electron.launch({
    executablePath: found.path,
    args: [mainScript, '--data-dir', dataDir, '--no-sandbox', '--disable-gpu'],
    cwd: repoRoot,
    env: { ...process.env, REGISTER_DATA_DIR: dataDir },
    timeout: 30_000,
  });
  try {
    const window = await app.firstWindow();
    await expect(window.getByRole('heading', { name: 'Log in' })).toBeVisible({ timeout: 20_000 });
    await typePin(window, demo.budtender.pin);
    await expectShell(window, demo.budtender.name);
    // The full integrity check runs in an Electron utility process (no Electron-as-Node: the
    // packaged app's RunAsNode fuse is off); it must come back passed.
    await expect
      .poll(
        () =>
          window.evaluate(async () => {
            const api = (globalThis as unknown as { register: { call(name: string, payload: unknown): Promise<{ ok: boolean; value?: { databaseCheck?: string } }> } }).register;
            const status = await api.call('app.status', {});
            return status.ok ? (status.value?.databaseCheck ?? 'none') : 'refused';
          }),
        { timeout: 30_000 },
      )
      .toBe('passed');
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
