/**
 * electron-builder's afterPack hook: before any installer is made, every native module in the
 * packaged app must be unpacked from app.asar and built for the Electron it ships with.
 *
 * A real build (`npm run dist`) stops here on any doubt. The stand-in check (`npm run dist:check`,
 * REGISTER_DIST_STAND_IN=1) cannot rebuild better-sqlite3 for Electron (Electron's headers are
 * unreachable there), so it prints and records what it found and lets the build go on.
 */
import { listPackage, statFile } from '@electron/asar';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkNativeModules, formatReport, type AbiReport } from './native-abi.js';

/** The part of electron-builder's AfterPackContext this hook reads. */
export interface AfterPackInput {
  appOutDir: string;
  outDir: string;
  electronPlatformName: string;
  arch: number;
  packager: { getResourcesDir(appOutDir: string): string; config: { electronVersion?: string | null } };
}

export interface NativeCheckResult extends AbiReport {
  /** `.node` files left inside app.asar, where they cannot be loaded. */
  packedInAsar: string[];
  standIn: boolean;
}

/** True when app.asar lists the file as stored beside it, in app.asar.unpacked/. */
export function isUnpacked(asar: string, file: string): boolean {
  const entry = statFile(asar, file.replace(/^[\\/]/, ''), false) as { unpacked?: boolean };
  return entry.unpacked === true && existsSync(join(`${asar}.unpacked`, file));
}

export function isStandInBuild(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.REGISTER_DIST_STAND_IN === '1';
}

export function nativeCheck(context: AfterPackInput, env: NodeJS.ProcessEnv = process.env): NativeCheckResult {
  const resources = context.packager.getResourcesDir(context.appOutDir);
  const electronVersion = context.packager.config.electronVersion;
  if (!electronVersion) throw new Error('electron-builder did not say which Electron it packs (set electronVersion in electron-builder.ts).');
  const asar = join(resources, 'app.asar');
  const packedInAsar = existsSync(asar)
    ? listPackage(asar, { isPack: false }).filter((file) => file.endsWith('.node') && !isUnpacked(asar, file))
    : [];
  return { ...checkNativeModules(resources, electronVersion, context.electronPlatformName), packedInAsar, standIn: isStandInBuild(env) };
}

export function problems(result: NativeCheckResult): string[] {
  const found: string[] = [];
  if (result.cannotCompare) found.push(`could not compare: ${result.cannotCompare}`);
  for (const file of result.packedInAsar) found.push(`${file} is packed inside app.asar, where it cannot be loaded (add it to asarUnpack)`);
  for (const m of result.modules) if (m.verdict === 'mismatch' || m.verdict === 'unknown') found.push(`${m.file}: ${m.note}`);
  return found;
}

/** Checks, records and reports; throws (stopping the build) unless this is a stand-in build. */
export function verifyPackedNativeModules(context: AfterPackInput, env: NodeJS.ProcessEnv = process.env): NativeCheckResult {
  const result = nativeCheck(context, env);
  console.log(formatReport(result));
  mkdirSync(context.outDir, { recursive: true });
  writeFileSync(join(context.outDir, `native-check-${context.electronPlatformName}-${context.arch}.json`), `${JSON.stringify(result, null, 2)}\n`);
  const found = problems(result);
  if (found.length === 0) {
    console.log('Native module check passed.');
    return result;
  }
  if (result.standIn) {
    console.log(
      'Native module check: STAND-IN BUILD, NOT VERIFIED. This build used a stand-in Electron and skipped the rebuild ' +
        "(Electron's headers are unreachable here), so these modules were not built for Electron:\n  " +
        found.join('\n  ') +
        '\nA real `npm run dist` stops on this.',
    );
    return result;
  }
  throw new Error(`The packaged app would not start: its native modules do not fit Electron ${result.electronVersion}.\n  ${found.join('\n  ')}`);
}

export default async function afterPack(context: AfterPackInput): Promise<void> {
  verifyPackedNativeModules(context);
}
