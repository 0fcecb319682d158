/**
 * `npm run dist:check`: packs the app with the real electron-builder and electron-builder.ts,
 * against a stand-in Electron (no Electron download is possible here), then checks the result.
 * Runs in `npm test` (and so in CI) after the build step.
 *
 * - The stand-in Electron is a folder with a small `electron` file carrying Electron's fuse wire,
 *   so electron-builder's fuse flipping runs for real and its result can be read back.
 * - The deb target runs up to its last step: fpm (a Ruby tool electron-builder downloads) is
 *   replaced by a stand-in that keeps the maintainer scripts and arguments electron-builder
 *   passes it. Everything before it (metadata checks, script composition, icons) is real.
 * - better-sqlite3 cannot be rebuilt for Electron here (Electron's headers are unreachable), so
 *   the afterPack check must report it as built for Node's ABI; the check is also run in its
 *   strict form to show a real build would stop on it.
 */
import { extractFile, listPackage } from '@electron/asar';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isUnpacked, verifyPackedNativeModules, type NativeCheckResult } from './packaging/after-pack.js';
import { ELECTRON_VERSION, EXECUTABLE_NAME, PRODUCT_NAME, UDEV_RULES } from './packaging/constants.js';

const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const FUSES = ['RunAsNode', 'EnableCookieEncryption', 'EnableNodeOptionsEnvironmentVariable', 'EnableNodeCliInspectArguments', 'EnableEmbeddedAsarIntegrityValidation', 'OnlyLoadAppFromAsar', 'LoadBrowserProcessSpecificV8Snapshot', 'GrantFileProtocolExtraPrivileges'];

/** A folder shaped like Electron's Linux zip, with every fuse set to Electron's defaults. */
export function makeStandInElectron(dir: string): void {
  mkdirSync(join(dir, 'locales'), { recursive: true });
  mkdirSync(join(dir, 'resources'), { recursive: true });
  // Electron's own defaults: RunAsNode on, cookie encryption off, NODE_OPTIONS on, inspect on,
  // asar integrity off, only-load-from-asar off, browser snapshot off, file:// privileges on.
  const wire = Buffer.from([0x01, FUSES.length, ...'10110001'.split('').map((c) => (c === '1' ? 0x31 : 0x30))]);
  const script = Buffer.from('#!/bin/sh\necho "stand-in Electron: the real binary cannot be downloaded here" >&2\nexit 1\n# ');
  writeFileSync(join(dir, 'electron'), Buffer.concat([script, Buffer.from(FUSE_SENTINEL, 'latin1'), wire, Buffer.from('\n')]));
  chmodSync(join(dir, 'electron'), 0o755);
  writeFileSync(join(dir, 'chrome-sandbox'), '');
  chmodSync(join(dir, 'chrome-sandbox'), 0o755);
  writeFileSync(join(dir, 'version'), ELECTRON_VERSION);
  writeFileSync(join(dir, 'LICENSE'), 'stand-in');
  writeFileSync(join(dir, 'LICENSES.chromium.html'), 'stand-in');
  writeFileSync(join(dir, 'locales', 'en-US.pak'), '');
}

/** Stands in for fpm: keeps what electron-builder hands it and writes a placeholder package. */
export function makeStandInFpm(dir: string, captureDir: string): string {
  const file = join(dir, 'fpm');
  writeFileSync(
    file,
    `#!/usr/bin/env node
const { copyFileSync, mkdirSync, writeFileSync } = require('node:fs');
const args = process.argv.slice(2);
const capture = ${JSON.stringify(captureDir)};
mkdirSync(capture, { recursive: true });
const value = (flag) => { const i = args.indexOf(flag); return i >= 0 ? args[i + 1] : null; };
for (const [flag, name] of [['--after-install', 'after-install'], ['--after-remove', 'after-remove']]) {
  const path = value(flag);
  if (path) copyFileSync(path, capture + '/' + name);
}
writeFileSync(capture + '/args.json', JSON.stringify(args, null, 2));
const out = value('--package');
if (out) writeFileSync(out, 'stand-in deb: fpm is not available here\\n');
`,
  );
  chmodSync(file, 0o755);
  return file;
}

export function readFuses(binary: Buffer): Record<string, 'on' | 'off' | 'removed' | 'inherit'> {
  const at = binary.indexOf(FUSE_SENTINEL);
  if (at < 0) throw new Error('no fuse wire in the packed executable');
  const wire = at + FUSE_SENTINEL.length;
  const length = binary[wire + 1] ?? 0;
  const states: Record<string, 'on' | 'off' | 'removed' | 'inherit'> = {};
  for (let i = 0; i < length; i++) {
    const byte = binary[wire + 2 + i];
    states[FUSES[i] ?? `fuse${i}`] = byte === 0x31 ? 'on' : byte === 0x30 ? 'off' : byte === 0x72 ? 'removed' : 'inherit';
  }
  return states;
}

/**
 * The installer's own NSIS steps (resources/build/installer.nsh), compiled by Debian's makensis
 * inside a small script that inserts its macros the way electron-builder's installer does
 * (`${isUpdated}` stands in for electron-builder's). Warnings count as errors: an unknown
 * constant is only a warning to NSIS, and would leave the data folder unmade.
 */
export function compileInstallerInclude(projectDir: string, work: string): { ok: boolean; detail: string } {
  const makensis = spawnSync('makensis', ['-VERSION'], { encoding: 'utf8' });
  if (makensis.status !== 0) return { ok: false, detail: 'makensis is missing: sudo apt-get install nsis' };
  const script = join(work, 'installer-include-check.nsi');
  writeFileSync(
    script,
    [
      'Unicode true',
      '!include LogicLib.nsh',
      '!macro _isUpdated _a _b _t _f',
      '  StrCmp "$R9" "updated" `${_t}` `${_f}`',
      '!macroend',
      '!define isUpdated `"" isUpdated ""`',
      `!include "${join(projectDir, 'resources', 'build', 'installer.nsh')}"`,
      'Name "installer.nsh check"',
      `OutFile "${join(work, 'installer-include-check.exe')}"`,
      'RequestExecutionLevel admin',
      'Section "Install"',
      '  !insertmacro customInstall',
      '  WriteUninstaller "$INSTDIR\\uninstall.exe"',
      'SectionEnd',
      'Section "Uninstall"',
      '  !insertmacro customUnInstall',
      'SectionEnd',
      '',
    ].join('\n'),
  );
  const result = spawnSync('makensis', ['-V2', '-WX', script], { encoding: 'utf8' });
  return { ok: result.status === 0, detail: `${result.stdout}${result.stderr}`.trim().split('\n').slice(-3).join(' ') };
}

interface Check {
  name: string;
  ok: boolean;
  detail?: string;
}

function main(): void {
  const started = Date.now();
  const projectDir = process.cwd();
  if (!existsSync(join(projectDir, 'dist', 'main', 'electron.cjs')) || process.argv.includes('--build')) {
    const build = spawnSync('npm', ['run', '-s', 'build'], { stdio: 'inherit', shell: process.platform === 'win32' });
    if (build.status !== 0) process.exit(1);
  }

  const work = mkdtempSync(join(tmpdir(), 'register-dist-check-'));
  const electronDir = join(work, 'electron');
  const outDir = join(work, 'release');
  const captureDir = join(work, 'fpm-capture');
  makeStandInElectron(electronDir);
  const fpm = makeStandInFpm(work, captureDir);

  console.log(`Packing against a stand-in Electron ${ELECTRON_VERSION} in ${work}…`);
  const builder = spawnSync(
    'npx',
    ['electron-builder', '--config', 'electron-builder.ts', '--linux', 'dir', 'deb', '--x64', '--publish', 'never', `-c.electronDist=${electronDir}`, `-c.directories.output=${outDir}`],
    { stdio: 'inherit', env: { ...process.env, REGISTER_DIST_STAND_IN: '1', CUSTOM_FPM_PATH: fpm, ELECTRON_BUILDER_OFFLINE: 'true' } },
  );
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail?: string): void => {
    checks.push(detail === undefined ? { name, ok } : { name, ok, detail });
  };
  check('electron-builder packs the app and makes the deb (stand-in fpm)', builder.status === 0, `exit code ${builder.status}`);

  const unpacked = join(outDir, 'linux-unpacked');
  const resources = join(unpacked, 'resources');
  const asar = join(resources, 'app.asar');
  if (builder.status === 0 && existsSync(asar)) {
    const files = listPackage(asar, { isPack: false }).map((f) => f.replaceAll('\\', '/'));
    const has = (path: string): boolean => files.includes(path);
    check('app.asar holds dist/ (main, the database workers\' runner, preload, renderer)', has('/dist/main/electron.cjs') && has('/dist/main/store-worker.cjs') && has('/dist/preload/preload.cjs') && has('/dist/renderer/index.html'));
    check('app.asar holds drizzle/ (the migrations)', has('/drizzle/meta/_journal.json') && files.some((f) => /^\/drizzle\/\d{4}_.*\.sql$/.test(f)));
    check('app.asar holds resources/ (jurisdiction rules, demo data)', files.some((f) => f.startsWith('/resources/jurisdictions/')) && files.some((f) => f.startsWith('/resources/demo/')));
    const mainBundle = extractFile(asar, 'dist/main/electron.cjs').toString('utf8');
    check(
      'the main bundle loads packages with require (ESM import() of a package fails inside app.asar), node-hid included',
      !/\bimport\(\s*["'`](?![./])/.test(mainBundle) && /require\)?\(__importMetaUrl\)\("node-hid"\)|require\("node-hid"\)/i.test(mainBundle),
    );
    const pkg = JSON.parse(extractFile(asar, 'package.json').toString('utf8')) as { main?: string };
    check("package.json's main is in app.asar", pkg.main !== undefined && has(`/${pkg.main}`), pkg.main);
    check('app.asar holds no node_modules/electron', !files.some((f) => /\/node_modules\/electron(\/|$)/.test(f)));
    check('app.asar holds no build-only files (resources/build, resources/linux, source maps)', !files.some((f) => f.startsWith('/resources/build') || f.startsWith('/resources/linux') || f.endsWith('.map')));
    check('app.asar holds the runtime dependencies (better-sqlite3, drizzle-orm, node-hid, serialport, zod)', ['better-sqlite3', 'drizzle-orm', 'node-hid', 'serialport', 'zod'].every((m) => has(`/node_modules/${m}/package.json`)));

    const leftovers = files.filter((f) => /\/node_modules\/better-sqlite3\/(deps|src|build\/deps|build\/Release\/(obj|obj\.target|\.deps))\//.test(f) || f.endsWith('test_extension.node') || f.endsWith('.a'));
    check("no native build leftovers (better-sqlite3's SQLite sources, object files, test extension)", leftovers.length === 0, leftovers.slice(0, 3).join(', '));
    const nodeFiles = files.filter((f) => f.endsWith('.node'));
    const packed = nodeFiles.filter((f) => !isUnpacked(asar, f));
    check('every .node file is unpacked (app.asar.unpacked)', nodeFiles.length > 0 && packed.length === 0, packed.length ? packed.join(', ') : `${nodeFiles.length} files`);
    check('better-sqlite3.node is among them', nodeFiles.some((f) => f.endsWith('better_sqlite3.node')));

    const reportFile = join(outDir, 'native-check-linux-1.json');
    if (existsSync(reportFile)) {
      const report = JSON.parse(readFileSync(reportFile, 'utf8')) as NativeCheckResult;
      check('afterPack ABI check ran, knowing Electron 45’s ABI offline (150)', report.expectedAbi === 150, `expected ${report.expectedAbi}`);
      const sqlite = report.modules.find((m) => m.file.endsWith('better_sqlite3.node'));
      check(
        "afterPack ABI check reports better-sqlite3 as built for Node's ABI, not Electron's (no rebuild in a stand-in build)",
        sqlite?.verdict === 'mismatch' && sqlite.found.kind === 'abi' && sqlite.found.abi === Number(process.versions.modules),
        sqlite?.note,
      );
      const linuxNodeApi = report.modules.filter((m) => m.verdict === 'ok' && m.found.kind === 'node-api');
      check('node-hid and serialport binaries are Node-API (load in Electron unchanged)', linuxNodeApi.some((m) => m.file.includes('node-hid')) && linuxNodeApi.some((m) => m.file.includes('serialport')));
    } else {
      check('afterPack ABI check ran', false, `${reportFile} is missing`);
    }
    let strictError = '';
    try {
      // The same check as a real `npm run dist` runs it (no stand-in flag): it must refuse this package.
      verifyPackedNativeModules(
        {
          appOutDir: unpacked,
          outDir: join(work, 'strict'),
          electronPlatformName: 'linux',
          arch: 1,
          packager: { getResourcesDir: (dir: string) => join(dir, 'resources'), config: { electronVersion: ELECTRON_VERSION } },
        },
        {},
      );
    } catch (error) {
      strictError = error instanceof Error ? error.message : String(error);
    }
    finish();

    function finish(): void {
      check('a real build would stop on the mismatch (afterPack without the stand-in flag throws)', strictError.includes('better_sqlite3.node'), strictError.split('\n')[0]);

      const fuses = readFuses(readFileSync(join(unpacked, EXECUTABLE_NAME)));
      check(
        'Electron fuses flipped: cookie encryption on, NODE_OPTIONS and --inspect off, only-load-from-asar on, file:// privileges off',
        fuses.EnableCookieEncryption === 'on' &&
          fuses.EnableNodeOptionsEnvironmentVariable === 'off' &&
          fuses.EnableNodeCliInspectArguments === 'off' &&
          fuses.OnlyLoadAppFromAsar === 'on' &&
          fuses.GrantFileProtocolExtraPrivileges === 'off',
        JSON.stringify(fuses),
      );
      // Nothing may run Electron as Node: the store's workers run in utility processes instead.
      const runsAsNode = /ELECTRON_RUN_AS_NODE['"]?\s*[:=]/;
      const workerRunsAsNode = ['worker.ts', 'backup.ts', 'integrity.ts'].some((name) => runsAsNode.test(readFileSync(join(projectDir, 'main', 'store', name), 'utf8')));
      check(
        'RunAsNode fuse off, and no store worker asks for ELECTRON_RUN_AS_NODE (they run in utility processes)',
        fuses.RunAsNode === 'off' && !workerRunsAsNode,
        `RunAsNode is ${fuses.RunAsNode}${workerRunsAsNode ? '; main/store still sets ELECTRON_RUN_AS_NODE' : ''}`,
      );
      check('the udev rule ships in resources/udev/', existsSync(join(resources, 'udev', UDEV_RULES)));

      const afterInstall = readOr(join(captureDir, 'after-install'));
      const afterRemove = readOr(join(captureDir, 'after-remove'));
      const defaultSteps = afterInstall.indexOf('chrome-sandbox');
      const udevStep = afterInstall.indexOf(`/etc/udev/rules.d/${UDEV_RULES}`);
      check(
        "deb after-install: electron-builder's default steps (chrome-sandbox permissions, /usr/bin link)",
        defaultSteps >= 0 &&
          afterInstall.includes(`chmod 4755 '/opt/${PRODUCT_NAME}/chrome-sandbox'`) &&
          afterInstall.includes(`'/usr/bin/${EXECUTABLE_NAME}'`) &&
          afterInstall.includes(`ln -sf '/opt/${PRODUCT_NAME}/${EXECUTABLE_NAME}' '/usr/bin/${EXECUTABLE_NAME}'`),
      );
      check('deb after-install: then installs the udev rule and reloads udev', udevStep > defaultSteps && afterInstall.includes('udevadm control --reload-rules') && afterInstall.includes(`/opt/${PRODUCT_NAME}/resources/udev/${UDEV_RULES}`));
      check('deb after-remove: default steps (/usr/bin link) and removes the udev rule', afterRemove.includes(`'/usr/bin/${EXECUTABLE_NAME}'`) && afterRemove.includes(`rm -f /etc/udev/rules.d/${UDEV_RULES}`));
      check('deb scripts have every macro filled and parse (bash -n)', [afterInstall, afterRemove].every((s) => s.length > 0 && !/\$\{[a-zA-Z]+\}/.test(s) && spawnSync('bash', ['-n'], { input: s }).status === 0));
      const args = JSON.parse(readOr(join(captureDir, 'args.json'), '[]')) as string[];
      const depends = args.flatMap((a, i) => (a === '-d' ? [args[i + 1]] : []));
      check('deb metadata: maintainer and homepage from package.json, depends on libusb and libudev', args.includes('--maintainer') && args.includes('--url') && depends.includes('libusb-1.0-0') && depends.includes('libudev1'), depends.join(', '));
      const nsis = compileInstallerInclude(projectDir, work);
      check('the Windows installer steps (resources/build/installer.nsh: ProgramData folder, ACL, uninstall keeps data) compile with makensis', nsis.ok, nsis.detail);
      check('deb installs the app icons', args.some((a) => a.includes('/usr/share/icons/hicolor/256x256/apps/')));

      report(checks, started, work);
    }
    return;
  }
  report(checks, started, work);
}

function readOr(path: string, fallback = ''): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : fallback;
}

function report(checks: Check[], started: number, work: string): void {
  console.log('\n=== dist:check');
  for (const c of checks) console.log(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name}${c.detail && !c.ok ? ` (${c.detail})` : ''}`);
  const failed = checks.filter((c) => !c.ok).length;
  console.log(`Packed and checked in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
  console.log(`dist:check: ${checks.length - failed} passed, ${failed} failed`);
  if (failed === 0) rmSync(work, { recursive: true, force: true });
  else console.log(`The packed app is left in ${work} for a look: ${readdirSync(work).join(', ')}`);
  process.exit(failed === 0 ? 0 : 1);
}

if (process.argv[1]?.endsWith('dist-check.ts')) main();
