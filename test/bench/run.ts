/**
 * `npm run bench [-- --only PREFIX] [-- --strict]`: runs every suite in test/bench/*.bench.ts and
 * prints one line per figure, `name: value (target ...)`. A figure this machine cannot measure
 * prints `not measured`; with --strict (CI's smoke step) that, or a failed suite, exits non-zero.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runSuites, type BenchSuite } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const strict = args.includes('--strict');
const onlyIndex = args.indexOf('--only');
const only = onlyIndex >= 0 ? args[onlyIndex + 1] : undefined;
if (onlyIndex >= 0 && !only) {
  console.error('usage: npm run bench -- --only PREFIX   (e.g. --only core, --only licenses)');
  process.exit(2);
}

const files = readdirSync(here).filter((f) => f.endsWith('.bench.ts')).sort();
const suites: BenchSuite[] = [];
for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { suites?: BenchSuite[] };
  suites.push(...(mod.suites ?? []));
}
process.exit(await runSuites(suites, { only, strict, print: (line) => console.log(line), error: (line) => console.error(line) }));
