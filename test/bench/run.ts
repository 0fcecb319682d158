/**
 * `npm run bench [-- --only PREFIX] [-- --strict]`: runs every suite in test/bench/*.bench.ts and
 * prints one line per figure, `name: value (target ...)`. A figure this machine cannot measure
 * prints `not measured`; with --strict (CI's smoke step) that, or a failed suite, exits non-zero.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatLine, NOT_MEASURED, type BenchSuite } from './harness.js';

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
let failed = false;
let printed = 0;
for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { suites?: BenchSuite[] };
  for (const suite of mod.suites ?? []) {
    if (only && !suite.prefix.startsWith(only) && !only.startsWith(suite.prefix)) continue;
    try {
      const lines = await suite.run();
      for (const line of lines) {
        if (only && !line.name.startsWith(only)) continue;
        printed++;
        const text = formatLine(line);
        console.log(text);
        if (strict && text.startsWith(`${line.name}: ${NOT_MEASURED}`)) failed = true;
      }
    } catch (error) {
      failed = true;
      console.error(`${suite.prefix}: bench failed: ${error instanceof Error ? error.stack : String(error)}`);
    }
  }
}
if (printed === 0) {
  console.error(only ? `No bench figure starts with "${only}".` : 'No bench figure was printed.');
  failed = true;
}
process.exit(failed ? 1 : 0);
