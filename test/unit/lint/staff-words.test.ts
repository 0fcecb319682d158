/**
 * Nothing internal reaches staff or receipts: the renderer's words (comments aside) and every
 * label a jurisdiction file puts on a screen or a receipt carry no research confidence notes,
 * no source codes, no talk of issues or later work, no raw system errors. The receipt's rounding
 * line, built from each jurisdiction's rule, is checked the same way.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { roundingLine } from '../../../main/checkout/receipt-words.js';
import { loadJurisdictionRules } from '../../../main/compliance/rules.js';
import { repoRoot, resourcesDir } from '../../support/paths.js';

const internal: [RegExp, string][] = [
  [/\bGUESS\b/, 'a research confidence mark'],
  [/\bconfidence\b/i, 'research confidence'],
  [/\[[A-Z]{2}-\d+( [HML])?\]/, 'a research source code'],
  [/research\//i, 'a research file'],
  [/later issue|arrives with|issue \d+|\bTODO\b|\bFIXME\b|not implemented|coming soon/i, 'talk of unfinished work'],
  [/ENOENT|EACCES|udevadm|libusb|\bspawn\b/, 'a raw system error'],
];

function offences(text: string): string[] {
  return internal.filter(([pattern]) => pattern.test(text)).map(([, what]) => what);
}

/** Source text without comments (block, line and JSX comments); strings and JSX text stay. */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path);
    return /\.(tsx?|html)$/.test(name) ? [path] : [];
  });
}

/** Every `label` in a parsed jurisdiction file, with where it is. */
function labels(value: unknown, at: string): [string, string][] {
  if (Array.isArray(value)) return value.flatMap((item, index) => labels(item, `${at}[${index}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) =>
    key === 'label' && typeof child === 'string' ? [[`${at}.label`, child] as [string, string]] : labels(child, `${at}.${key}`),
  );
}

const jurisdictionFiles = readdirSync(join(resourcesDir, 'jurisdictions')).filter((name) => name.endsWith('.json'));

describe('words for staff and receipts', () => {
  it('the checks themselves catch what they are meant to', () => {
    expect(offences('Cannabis Purchaser Excise Tax (GUESS)')).toEqual(['a research confidence mark']);
    expect(offences('Excise [IL-11 H]')).toEqual(['a research source code']);
    expect(offences('adding employees arrives with a later issue')).toEqual(['talk of unfinished work']);
    expect(offences('Serial ports could not be listed: spawn udevadm ENOENT')).toEqual(['a raw system error']);
    expect(withoutComments("// issue 8\nconst a = 'issue 9'; /* GUESS */")).not.toContain('issue 8');
    expect(withoutComments("const a = 'issue 9'; // x")).toContain('issue 9');
  });

  it('renderer/ shows no internal words (comments aside)', () => {
    const found = filesUnder(join(repoRoot, 'renderer'))
      .flatMap((file) => offences(withoutComments(readFileSync(file, 'utf8'))).map((what) => `${relative(repoRoot, file)}: ${what}`));
    expect(found).toEqual([]);
  });

  it('main/ never puts a jurisdiction source code (IL-17, CA-9…) into a message for staff', () => {
    const found = filesUnder(join(repoRoot, 'main'))
      .filter((file) => /\.ts$/.test(file))
      .flatMap((file) =>
        withoutComments(readFileSync(file, 'utf8'))
          .split('\n')
          .filter((line) => /\$\{[^}]*\.source\}/.test(line) && /`/.test(line))
          .map((line) => `${relative(repoRoot, file)}: ${line.trim()}`),
      );
    expect(found).toEqual([]);
  });

  it.each(jurisdictionFiles)('%s: every label and the printed rounding line are fit for a receipt', (file) => {
    const parsed: unknown = JSON.parse(readFileSync(join(resourcesDir, 'jurisdictions', file), 'utf8'));
    const all = labels(parsed, file.replace('.json', ''));
    expect(all.length).toBeGreaterThan(3);
    const found = all.flatMap(([where, label]) => offences(label).map((what) => `${where} "${label}": ${what}`));
    expect(found).toEqual([]);

    const rules = loadJurisdictionRules(resourcesDir, file.replace('.json', ''));
    const rounding = roundingLine(rules.taxes.rounding);
    expect(offences(rounding)).toEqual([]);
    expect(rounding).toBe("Each tax is worked out on each item's price after discounts and rounded to the nearest cent (half a cent rounds up).");
    // The file's own note, which used to be printed, is research reasoning: it must not be what the receipt says.
    expect(rounding).not.toBe(rules.taxes.rounding.note);
  });
});
