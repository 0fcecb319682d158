/**
 * Licence barcode parser vs the npm packages `aamva-parser` and `parse-usdl`, side by side on
 * the fixture payloads in test/fixtures/aamva:
 *   licenses.fixtures_right                  files whose every expected field matches (ours)
 *   licenses.fixtures_right.peer.<package>   the same for each peer
 *   licenses.throughput_ratio_vs_best_peer   our payloads/s ÷ the fastest peer's
 *
 * Fairness: peers' outputs are mapped onto our field names (enum → code, Date → ISO local date,
 * DCT "first and middle" split at the first space/comma, NONE/empty → null, postal code
 * normalised by the fixture README's rule). A peer is judged only on the fields it outputs
 * (neither has documentType or iin; parse-usdl has no version), so its count is if anything
 * generous. Throughput alternates short rounds of each parser and keeps each one's best round,
 * so load from other processes hurts all of them alike.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseLicense } from '../../main/licenses/index.js';
import type { BenchLine, BenchSuite } from './harness.js';

type Fields = Record<string, unknown>;

interface Contender {
  name: string;
  /** Fields the parser outputs; expected fields outside this set are not judged. */
  judged: ReadonlySet<string> | 'all';
  /** The bare library call, timed for throughput. */
  parse(payload: string): unknown;
  /** Its output mapped onto our field names, for the fixture comparison. */
  read(payload: string): Fields | null;
}

const here = dirname(fileURLToPath(import.meta.url));
const fixturesDir = join(here, '../fixtures/aamva');
const requireFromHere = createRequire(import.meta.url);

function loadFixtures(): Array<{ file: string; payload: string; expected: Fields }> {
  const expected = JSON.parse(readFileSync(join(fixturesDir, 'expected.json'), 'utf8')) as Record<string, Fields>;
  return readdirSync(fixturesDir)
    .filter((file) => file.endsWith('.txt'))
    .sort()
    .map((file) => ({ file, payload: readFileSync(join(fixturesDir, file), 'utf8'), expected: expected[file] ?? {} }));
}

// ---------------------------------------------------------------- mapping peers' output

function text(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' || /^(NONE|unavl|unavail)$/i.test(trimmed) ? null : trimmed;
}

/** The fixture README's rule, applied to a peer's raw postal code. */
function postal(value: unknown): string | null {
  const raw = text(value);
  if (raw === null) return null;
  const compact = raw.toUpperCase().replace(/[\s-]+/g, '');
  if (/^[A-Z]\d[A-Z]\d[A-Z]\d$/.test(compact)) return `${compact.slice(0, 3)} ${compact.slice(3)}`;
  if (/^\d{5,}$/.test(compact)) {
    const plus4 = compact.length === 9 ? compact.slice(5) : '0000';
    return plus4 === '0000' ? compact.slice(0, 5) : `${compact.slice(0, 5)}-${plus4}`;
  }
  return raw;
}

function localIsoDate(value: unknown): string | null {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) return null;
  const pad = (n: number, width: number): string => String(n).padStart(width, '0');
  return `${pad(value.getFullYear(), 4)}-${pad(value.getMonth() + 1, 2)}-${pad(value.getDate(), 2)}`;
}

function splitGiven(value: unknown): { first: string | null; middle: string | null } {
  const given = text(value);
  if (given === null) return { first: null, middle: null };
  const [first = '', ...rest] = given.split(/[\s,]+/).filter(Boolean);
  return { first: first || null, middle: rest.length > 0 ? rest.join(' ') : null };
}

const SUFFIX_CODES: Record<string, string> = {
  Junior: 'JR', Senior: 'SR', First: '1ST', Second: '2ND', Third: '3RD', Fourth: '4TH', Fifth: '5TH',
  Sixth: '6TH', Seventh: '7TH', Eighth: '8TH', Ninth: '9TH',
};

interface AamvaParserModule {
  parse(barcode: string): Record<string, unknown>;
}

interface ParseUsdlModule {
  parse(barcode: string, options?: { suppressErrors: boolean }): Record<string, unknown>;
}

function loadPeer<T>(name: string): T | null {
  try {
    return requireFromHere(name) as T;
  } catch {
    return null;
  }
}

function aamvaParserContender(module: AamvaParserModule): Contender {
  return {
    name: 'aamva-parser',
    parse: (payload) => module.parse(payload),
    judged: new Set([
      'licenseNumber', 'firstName', 'middleName', 'lastName', 'nameSuffix', 'dateOfBirth', 'expirationDate',
      'issueDate', 'sex', 'street', 'street2', 'city', 'state', 'postalCode', 'country', 'aamvaVersion',
    ]),
    read(payload) {
      const out = module.parse(payload);
      const gender = out.gender === 'Male' ? 'M' : out.gender === 'Female' ? 'F' : null;
      const country = out.country === 'United States' ? 'USA' : out.country === 'Canada' ? 'CAN' : null;
      return {
        licenseNumber: text(out.driversLicenseId),
        firstName: text(out.firstName),
        middleName: text(out.middleName),
        lastName: text(out.lastName),
        nameSuffix: typeof out.suffix === 'string' ? SUFFIX_CODES[out.suffix] ?? null : null,
        dateOfBirth: localIsoDate(out.dateOfBirth),
        expirationDate: localIsoDate(out.expirationDate),
        issueDate: localIsoDate(out.issueDate),
        sex: gender,
        street: text(out.streetAddress),
        street2: text(out.streetAddressSupplement),
        city: text(out.city),
        state: text(out.state),
        postalCode: postal(out.postalCode),
        country,
        aamvaVersion: typeof out.version === 'string' ? Number(out.version) : null,
      };
    },
  };
}

function parseUsdlContender(module: ParseUsdlModule): Contender {
  return {
    name: 'parse-usdl',
    parse: (payload) => module.parse(payload, { suppressErrors: true }),
    judged: new Set([
      'licenseNumber', 'firstName', 'middleName', 'lastName', 'nameSuffix', 'dateOfBirth', 'expirationDate',
      'issueDate', 'sex', 'street', 'street2', 'city', 'state', 'postalCode', 'country',
    ]),
    read(payload) {
      const out = module.parse(payload, { suppressErrors: true });
      const given = splitGiven(out.firstNameAndMiddleName);
      const issuer = text(out.issuer);
      return {
        licenseNumber: text(out.documentNumber),
        firstName: text(out.firstName) ?? given.first,
        middleName: text(out.middleName) ?? given.middle,
        lastName: text(out.lastName),
        nameSuffix: text(out.nameSuffix),
        dateOfBirth: text(out.dateOfBirth),
        expirationDate: text(out.dateOfExpiry),
        issueDate: text(out.dateOfIssue),
        sex: text(out.sex),
        street: text(out.addressStreet),
        street2: text(out.addressStreet2),
        city: text(out.addressCity),
        state: text(out.addressState),
        postalCode: postal(out.addressPostalCode),
        country: issuer === 'CDN' ? 'CAN' : issuer,
      };
    },
  };
}

const ours: Contender = {
  name: 'ours',
  judged: 'all',
  parse: (payload) => parseLicense(payload),
  read(payload) {
    const result = parseLicense(payload);
    return result.ok ? { ...result.license } : null;
  },
};

// ---------------------------------------------------------------- figures

function fileIsRight(contender: Contender, payload: string, expected: Fields): boolean {
  let got: Fields | null;
  try {
    got = contender.read(payload);
  } catch {
    return false;
  }
  if (got === null) return false;
  for (const [field, want] of Object.entries(expected)) {
    if (contender.judged !== 'all' && !contender.judged.has(field)) continue;
    const value = got[field] === '' ? null : got[field] ?? null;
    if (value !== want) return false;
  }
  return true;
}

/** Payloads per second: alternating rounds, best round per contender. */
function throughputs(contenders: Contender[], payloads: string[]): Map<string, number> {
  const run = (contender: Contender): void => {
    for (const payload of payloads) {
      try {
        contender.parse(payload);
      } catch {
        // Peers throw on some payloads; the attempt still counts as one payload handled.
      }
    }
  };
  for (const contender of contenders) for (let i = 0; i < 300; i++) run(contender);
  const best = new Map<string, number>();
  const roundMs = 40;
  for (let round = 0; round < 25; round++) {
    for (const contender of contenders) {
      const started = performance.now();
      let handled = 0;
      while (performance.now() - started < roundMs) {
        run(contender);
        handled += payloads.length;
      }
      const rate = handled / ((performance.now() - started) / 1000);
      best.set(contender.name, Math.max(best.get(contender.name) ?? 0, rate));
    }
  }
  return best;
}

async function runLicenses(): Promise<BenchLine[]> {
  const fixtures = loadFixtures();
  const total = fixtures.length;
  const peers: Contender[] = [];
  const missing: string[] = [];
  const aamvaParser = loadPeer<AamvaParserModule>('aamva-parser');
  if (aamvaParser) peers.push(aamvaParserContender(aamvaParser));
  else missing.push('aamva-parser');
  const parseUsdl = loadPeer<ParseUsdlModule>('parse-usdl');
  if (parseUsdl) peers.push(parseUsdlContender(parseUsdl));
  else missing.push('parse-usdl');

  const rightCount = (contender: Contender): number =>
    fixtures.filter(({ payload, expected }) => fileIsRight(contender, payload, expected)).length;
  const oursRight = rightCount(ours);
  const peerRight = peers.map((peer) => ({ name: peer.name, right: rightCount(peer) }));
  const missingNote = missing.length > 0 ? `; not installed: ${missing.join(', ')}` : '';

  const lines: BenchLine[] = [
    {
      name: 'licenses.fixtures_right',
      value: `${oursRight}/${total}`,
      target: `${total}/${total}`,
      note: `peers: ${peerRight.map((p) => `${p.name} ${p.right}/${total}`).join(', ') || 'none'}; peers judged only on the fields they output${missingNote}`,
    },
    ...peerRight.map((peer): BenchLine => ({
      name: `licenses.fixtures_right.peer.${peer.name}`,
      value: `${peer.right}/${total}`,
      target: 'reference',
    })),
  ];

  if (peers.length === 0) {
    lines.push({ name: 'licenses.throughput_ratio_vs_best_peer', value: 'n/a', target: '>= 2', note: `no peer installed${missingNote}` });
    return lines;
  }
  const payloads = fixtures.map(({ payload }) => payload);
  const rates = throughputs([ours, ...peers], payloads);
  const oursRate = rates.get('ours') ?? 0;
  const fastestPeer = peers.reduce((a, b) => ((rates.get(a.name) ?? 0) >= (rates.get(b.name) ?? 0) ? a : b));
  const peerRate = rates.get(fastestPeer.name) ?? 0;
  lines.push({
    name: 'licenses.throughput_ratio_vs_best_peer',
    value: peerRate > 0 ? oursRate / peerRate : Number.NaN,
    target: '>= 2',
    note: `payloads/s on the ${total} fixtures: ours ${Math.round(oursRate)}, ${
      peers.map((peer) => `${peer.name} ${Math.round(rates.get(peer.name) ?? 0)}`).join(', ')
    }; fastest peer ${fastestPeer.name}${missingNote}`,
  });
  return lines;
}

export const suites: BenchSuite[] = [{ prefix: 'licenses', run: runLicenses }];
