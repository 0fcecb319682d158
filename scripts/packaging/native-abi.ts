/**
 * The packaged app's native modules must be built for the Electron they ship with: a module
 * built for Node's ABI makes the register fail the moment it opens the database. This reads each
 * `.node` file's module version and compares it with the target Electron's.
 *
 * - A module made with Node-API (node-hid, serialport) exports `napi_register_module_v1` (or,
 *   built the older way, calls `napi_module_register`): it loads in any Node or Electron.
 * - A module made against V8 directly (better-sqlite3) exports `node_register_module_v<ABI>`
 *   (NODE_MODULE_VERSION): it loads only where the ABI is exactly that number.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';

const require = createRequire(import.meta.url);

export type ModuleAbi =
  | { kind: 'node-api' }
  | { kind: 'abi'; abi: number }
  | { kind: 'unknown' };

export type BinaryFormat = 'elf' | 'pe' | 'mach-o' | 'unknown';

/** What a compiled module declares, read from its exported symbol names. */
export function readModuleAbi(binary: Buffer): ModuleAbi {
  const text = binary.toString('latin1');
  const versioned = /node_register_module_v(\d+)/.exec(text);
  if (versioned?.[1]) return { kind: 'abi', abi: Number(versioned[1]) };
  if (/napi_register_module_v1|napi_module_register/.test(text)) return { kind: 'node-api' };
  return { kind: 'unknown' };
}

export function binaryFormat(binary: Buffer): BinaryFormat {
  if (binary.length < 4) return 'unknown';
  if (binary[0] === 0x7f && binary.toString('latin1', 1, 4) === 'ELF') return 'elf';
  if (binary.toString('latin1', 0, 2) === 'MZ') return 'pe';
  const magic = binary.readUInt32BE(0);
  if ([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(magic)) return 'mach-o';
  return 'unknown';
}

const FORMAT_FOR_PLATFORM: Record<string, BinaryFormat> = { linux: 'elf', win32: 'pe', darwin: 'mach-o', mas: 'mach-o' };

/** Electron's NODE_MODULE_VERSION, from node-abi's table (no network), or why it is unknown. */
export function electronAbi(electronVersion: string): { abi: number } | { abi: null; reason: string } {
  try {
    const nodeAbi = require('node-abi') as { getAbi(target: string, runtime: string): string };
    return { abi: Number(nodeAbi.getAbi(electronVersion, 'electron')) };
  } catch (error) {
    return {
      abi: null,
      reason: `node-abi does not know Electron ${electronVersion}'s module version (${error instanceof Error ? error.message : String(error)}); update node-abi (npm install -D node-abi@latest)`,
    };
  }
}

export type Verdict = 'ok' | 'mismatch' | 'unknown' | 'other-platform';

export interface ModuleCheck {
  /** Path relative to the folder checked, with forward slashes. */
  file: string;
  found: ModuleAbi;
  format: BinaryFormat;
  verdict: Verdict;
  note: string;
}

export interface AbiReport {
  electronVersion: string;
  platform: string;
  expectedAbi: number | null;
  /** Set when the expected ABI could not be known: the check could not compare. */
  cannotCompare: string | null;
  modules: ModuleCheck[];
  /** True when every module for this platform is known to load in this Electron. */
  ok: boolean;
}

function nodeFiles(folder: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const stat = statSync(path, { throwIfNoEntry: false });
      if (!stat) continue;
      if (stat.isDirectory()) walk(path);
      else if (name.endsWith('.node')) found.push(path);
    }
  };
  walk(folder);
  return found.sort();
}

export function checkModule(file: string, binary: Buffer, platform: string, expectedAbi: number | null): ModuleCheck {
  const found = readModuleAbi(binary);
  const format = binaryFormat(binary);
  const wanted = FORMAT_FOR_PLATFORM[platform] ?? 'unknown';
  if (format !== wanted && format !== 'unknown') {
    return { file, found, format, verdict: 'other-platform', note: `a ${format} binary, not loaded on ${platform}` };
  }
  if (found.kind === 'node-api') return { file, found, format, verdict: 'ok', note: 'Node-API: loads in any Electron' };
  if (found.kind === 'unknown') return { file, found, format, verdict: 'unknown', note: 'declares no module version: cannot tell which runtime it was built for' };
  if (expectedAbi === null) return { file, found, format, verdict: 'unknown', note: `built for ABI ${found.abi}; Electron's ABI is unknown, so it could not be compared` };
  if (found.abi === expectedAbi) return { file, found, format, verdict: 'ok', note: `built for ABI ${found.abi}, as Electron needs` };
  return { file, found, format, verdict: 'mismatch', note: `built for ABI ${found.abi}, but Electron needs ${expectedAbi}: it would fail to load` };
}

/** Checks every `.node` file under `folder` (the packaged app's resources folder). */
export function checkNativeModules(folder: string, electronVersion: string, platform: string): AbiReport {
  const expected = electronAbi(electronVersion);
  const modules = nodeFiles(folder).map((path) =>
    checkModule(relative(folder, path).split(sep).join('/'), readFileSync(path), platform, expected.abi),
  );
  return {
    electronVersion,
    platform,
    expectedAbi: expected.abi,
    cannotCompare: expected.abi === null ? expected.reason : null,
    modules,
    ok: expected.abi !== null && modules.every((m) => m.verdict === 'ok' || m.verdict === 'other-platform'),
  };
}

export function formatReport(report: AbiReport): string {
  const lines = [
    `Native module check for Electron ${report.electronVersion} on ${report.platform}: ` +
      (report.expectedAbi === null ? `COULD NOT COMPARE: ${report.cannotCompare}` : `expects ABI ${report.expectedAbi}`),
  ];
  for (const m of report.modules) lines.push(`  ${m.verdict.padEnd(14)} ${m.file}: ${m.note}`);
  if (report.modules.length === 0) lines.push('  (no .node files found)');
  return lines.join('\n');
}
