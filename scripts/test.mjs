// `npm test`: every check a change must pass, in order, each runner printing its own summary.
// lint → typecheck → unit and integration (vitest) → build → packaging (electron-builder against a
// stand-in Electron, scripts/dist-check.ts) → end-to-end (Playwright, Chromium).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nativeModulesFor } from './native.mjs';

// Vitest also writes a JSON report so the closing summary can name the failing tests: a CI log is
// often read from its tail, far below the failure itself.
const vitestReport = join(mkdtempSync(join(tmpdir(), 'register-test-')), 'vitest.json');

const steps = [
  ['lint', 'npx', ['eslint', '--max-warnings', '0', '.']],
  ['typecheck', 'npx', ['tsc', '-p', 'tsconfig.json']],
  ['unit and integration tests', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestReport}`]],
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

/** The failing vitest tests, each with the first lines of its message; empty when none or unreadable. */
function vitestFailures() {
  if (!existsSync(vitestReport)) return [];
  try {
    const report = JSON.parse(readFileSync(vitestReport, 'utf8'));
    const lines = [];
    for (const file of report.testResults ?? []) {
      const where = file.name.replace(process.cwd() + '/', '');
      const failed = (file.assertionResults ?? []).filter((t) => t.status === 'failed');
      if (failed.length === 0 && file.status === 'failed') lines.push(`  ${where}: ${String(file.message ?? '').split('\n')[0]}`);
      for (const t of failed) {
        lines.push(`  ${where} › ${t.fullName}`);
        const message = (t.failureMessages ?? []).join('\n').split('\n').slice(0, 4);
        for (const m of message) lines.push(`      ${m}`);
      }
    }
    return lines;
  } catch {
    return [];
  }
}

console.log('\n=== summary');
for (const r of results) console.log(`${r.ok ? 'PASS' : 'FAIL'}  ${r.name} (${r.seconds} s)`);
const failures = vitestFailures();
if (failures.length > 0) {
  console.log('\nfailing unit and integration tests:');
  for (const line of failures) console.log(line);
}
process.exit(results.every((r) => r.ok) ? 0 : 1);
