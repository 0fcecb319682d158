/**
 * Before the end-to-end run: make sure Chromium is there and the app is built, so a failure
 * says what to do instead of timing out.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export default function globalSetup(): void {
  const chromium = process.env.PLAYWRIGHT_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    throw new Error(`Chromium is not installed at ${chromium}: run \`apt-get install chromium\` (or set PLAYWRIGHT_CHROMIUM to another Chromium).`);
  }
  // Build unless told the build is fresh (the test script builds first and sets this).
  if (process.env.REGISTER_E2E_SKIP_BUILD !== '1') {
    const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
    if (build.status !== 0) throw new Error('`npm run build` failed: the end-to-end tests need the built register.');
  }
  for (const file of ['dist/main/host.mjs', 'dist/renderer/index.html']) {
    if (!existsSync(join(root, file))) throw new Error(`${file} is missing after the build: run \`npm run build\` and look at its errors.`);
  }
}
