/**
 * `npm run dist [-- electron-builder options]`: the real installers for this machine's system
 * (Linux: AppImage and deb; Windows: NSIS). README, "Building installers", says which machine
 * builds which. Steps:
 *   1. drop npm_config_* settings that point native builds at another runtime (an
 *      npm_config_nodedir once made better-sqlite3 build for Node's ABI instead of Electron's);
 *   2. build the app (renderer, main, preload);
 *   3. rebuild better-sqlite3, and only it, for Electron (node-hid and serialport are Node-API
 *      modules whose prebuilt binaries load in Electron as they are);
 *   4. electron-builder with electron-builder.ts, whose afterPack check stops the build if any
 *      native module does not fit Electron.
 */
import { rebuild } from '@electron/rebuild';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { ELECTRON_VERSION } from './packaging/constants.js';

/** npm settings that would redirect a native build to another runtime's headers. */
export const LEAKY_NPM_SETTINGS = ['npm_config_nodedir', 'npm_config_target', 'npm_config_runtime', 'npm_config_disturl', 'npm_config_build_from_source'];

export function cleanBuildEnv(env: NodeJS.ProcessEnv): { env: NodeJS.ProcessEnv; removed: string[] } {
  const clean = { ...env };
  const removed: string[] = [];
  for (const key of Object.keys(clean)) {
    if (LEAKY_NPM_SETTINGS.includes(key.toLowerCase())) {
      removed.push(key);
      delete clean[key];
    }
  }
  return { env: clean, removed };
}

/** The system the installers are for: only this machine's own (see README). */
export function targetPlatform(args: string[], host: NodeJS.Platform): NodeJS.Platform {
  if (args.some((a) => a === '--win' || a === '-w' || a === '--windows')) return 'win32';
  if (args.some((a) => a === '--linux' || a === '-l')) return 'linux';
  if (args.some((a) => a === '--mac' || a === '-m' || a === '--macos')) return 'darwin';
  return host;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): void {
  const result = spawnSync(command, args, { stdio: 'inherit', env, shell: process.platform === 'win32' });
  if (result.status !== 0) {
    console.error(`\`${command} ${args.join(' ')}\` failed: see above.`);
    process.exit(result.status ?? 1);
  }
}

async function main(): Promise<void> {
  const builderArgs = process.argv.slice(2);
  const target = targetPlatform(builderArgs, process.platform);
  if (target !== process.platform) {
    console.error(
      `Installers for ${target} are built on ${target}: better-sqlite3 must be compiled for that system, which this ${process.platform} machine cannot do. See README, "Building installers".`,
    );
    process.exit(1);
  }
  const { env, removed } = cleanBuildEnv(process.env);
  if (removed.length > 0) console.log(`Ignoring ${removed.join(', ')} for this build: native modules are built for Electron ${ELECTRON_VERSION}.`);
  Object.assign(process.env, env);
  for (const key of removed) delete process.env[key];

  run('npm', ['run', '-s', 'build'], env);

  console.log(`Rebuilding better-sqlite3 for Electron ${ELECTRON_VERSION} (${process.arch})…`);
  await rebuild({
    buildPath: process.cwd(),
    electronVersion: ELECTRON_VERSION,
    arch: process.arch,
    onlyModules: ['better-sqlite3'],
    force: true,
  });
  // `npm test` and `npm start` switch the modules back to Node's ABI when they next run.
  writeFileSync('node_modules/.register-native-runtime', 'electron\n');

  run('npx', ['electron-builder', '--config', 'electron-builder.ts', '--publish', 'never', ...builderArgs], env);
}

if (process.argv[1]?.endsWith('dist.ts')) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
