/**
 * `npm run -s license -- FILE...`: parse licence barcode payloads saved as files and print one
 * JSON object per line: `{"file": ..., ...fields}` or `{"file": ..., "error": message}`.
 * `file` is the file's base name (the key used by test/fixtures/aamva/expected.json).
 * Files are read as bytes: CR, RS and any noise in them are part of the scan.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseLicense } from '../main/licenses/index.js';

const files = process.argv.slice(2).filter((arg) => arg !== '--');
if (files.length === 0) {
  console.error('usage: npm run -s license -- FILE...');
  process.exit(2);
}

let failed = false;
for (const file of files) {
  const name = basename(file);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    failed = true;
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    console.log(JSON.stringify({ file: name, error: `cannot read the file (${reason})` }));
    continue;
  }
  const result = parseLicense(bytes);
  console.log(JSON.stringify(result.ok ? { file: name, ...result.license } : { file: name, error: result.error.message }));
}
process.exit(failed ? 1 : 0);
