// Native modules (better-sqlite3, node-hid, serialport) are built for one runtime at a time:
// Node for tests and the browser host, Electron for the window. These helpers switch them.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const MARKER = 'node_modules/.register-native-runtime';

/** The Electron binary's path, or null with the reason it is not usable here. */
export function findElectron() {
  try {
    const binary = require('electron');
    if (typeof binary === 'string' && existsSync(binary)) return { binary };
    return { binary: null, reason: 'the electron package has no binary (its download failed or was skipped)' };
  } catch (error) {
    return { binary: null, reason: 'Electron is not installed (its download is unreachable from this machine)' };
  }
}

function currentRuntime() {
  return existsSync(MARKER) ? readFileSync(MARKER, 'utf8').trim() : 'node';
}

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed`);
}

export function nativeModulesFor(runtime) {
  if (currentRuntime() === runtime) return;
  if (runtime === 'electron') {
    // Only better-sqlite3 is built per runtime: node-hid and serialport are Node-API modules.
    console.log('Rebuilding better-sqlite3 for Electron (once)…');
    run('npx', ['electron-rebuild', '--only', 'better-sqlite3', '--force']);
    writeFileSync(MARKER, 'electron\n');
  } else {
    console.log('Rebuilding native modules for Node (once)…');
    run('npm', ['rebuild', 'better-sqlite3', 'node-hid', '@serialport/bindings-cpp']);
    rmSync(MARKER, { force: true });
  }
}
