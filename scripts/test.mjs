// `npm test`: every check a change must pass, in order, each runner printing its own summary.
// lint → typecheck → unit and integration (vitest) → build → packaging (electron-builder against a
// stand-in Electron, scripts/dist-check.ts) → end-to-end (Playwright, Chromium).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { nativeModulesFor } from './native.mjs';

const steps = [
  ['lint', 'npx', ['eslint', '--max-warnings', '0', '.']],
  ['typecheck', 'npx', ['tsc', '-p', 'tsconfig.json']],
  ['unit and integration tests', 'npx', ['vitest', 'run']],
  ['build', 'npm', ['run', '-s', 'build']],
  ['packaging check (dist:check)', 'npm', ['run', '-s', 'dist:check']],
  ['end-to-end tests', 'npx', ['playwright', 'test']],
];

nativeModulesFor('node');
if (!existsSync('/usr/bin/chromium') && !process.env.PLAYWRIGHT_CHROMIUM) {
  console.error('Chromium is missing: install it with `sudo apt-get install chromium` (the end-to-end tests drive it).');
}

const results = [];
for (const [name, command, args] of steps) {
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const started = Date.now();
  // The build step just ran: the end-to-end setup need not build again.
  const env = { ...process.env, REGISTER_E2E_SKIP_BUILD: '1' };
  const result = spawnSync(command, args, { stdio: 'inherit', shell: process.platform === 'win32', env });
  results.push({ name, ok: result.status === 0, seconds: ((Date.now() - started) / 1000).toFixed(1) });
}

console.log('\n=== summary');
for (const r of results) console.log(`${r.ok ? 'PASS' : 'FAIL'}  ${r.name} (${r.seconds} s)`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
