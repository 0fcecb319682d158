/** Every payload in test/fixtures/aamva matches expected.json, field by field. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLicense, type ParsedLicense } from '../../../main/licenses/index.js';

const fixturesDir = join(import.meta.dirname, '../../fixtures/aamva');
const expected = JSON.parse(readFileSync(join(fixturesDir, 'expected.json'), 'utf8')) as Record<string, Record<string, unknown>>;
const payloadFiles = readdirSync(fixturesDir).filter((name) => name.endsWith('.txt')).sort();

describe('AAMVA fixtures', () => {
  it('has an expectation for every payload file and a file for every expectation', () => {
    expect(payloadFiles.length).toBeGreaterThan(0);
    expect(Object.keys(expected).sort()).toEqual(payloadFiles);
  });

  describe.each(payloadFiles)('%s', (file) => {
    const bytes = readFileSync(join(fixturesDir, file));
    const fields = Object.entries(expected[file] ?? {});

    it.each(fields)('%s (read as text)', (field, want) => {
      const result = parseLicense(bytes.toString('utf8'));
      expect(result.ok, result.ok ? '' : result.error.message).toBe(true);
      if (!result.ok) return;
      const got = result.license[field as keyof ParsedLicense];
      // README: a missing middle name may be null, undefined or "".
      expect(want === null && got === '' ? null : got ?? null).toEqual(want);
    });

    it('reads the same from raw bytes', () => {
      const fromBytes = parseLicense(new Uint8Array(bytes));
      const fromText = parseLicense(bytes.toString('utf8'));
      expect(fromBytes).toEqual(fromText);
    });
  });
});
