/** Where the register keeps its data and finds its bundled files, outside Electron. */
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const APP_FOLDER_NAME = 'Dispensary Register';

/** The same folder Electron's app.getPath('userData') gives for this app's productName. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_FOLDER_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_FOLDER_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_FOLDER_NAME);
}

/**
 * Where the installed desktop app keeps the store's data when no --data-dir is given.
 * Windows: one folder for the whole PC, %ProgramData%\Dispensary Register, made by the
 * installer with an ACL letting every account in the local Users group read and write it
 * (resources/build/installer.nsh): staff signing in with different Windows accounts share one
 * database. Elsewhere: the user's own data folder (Electron's userData).
 */
export function installedDataDir(
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
  userDataDir: string,
): { dir: string; sharedByAllAccounts: boolean } {
  if (platform === 'win32') {
    const programData = env.ProgramData ?? env.PROGRAMDATA ?? 'C:\\ProgramData';
    return { dir: win32Join(programData, APP_FOLDER_NAME), sharedByAllAccounts: true };
  }
  return { dir: userDataDir, sharedByAllAccounts: false };
}

function win32Join(base: string, name: string): string {
  return `${base.replace(/[\\/]+$/, '')}\\${name}`;
}

/**
 * The app root (holding drizzle/ and resources/). Both main/<host>/x.ts (run by tsx) and the
 * bundles in dist/main/ sit two folders below it.
 */
export function appRootFrom(moduleUrl: string): string {
  return resolve(dirname(fileURLToPath(moduleUrl)), '..', '..');
}

export function appPaths(appRoot: string): { resourcesDir: string; migrationsFolder: string } {
  return { resourcesDir: join(appRoot, 'resources'), migrationsFolder: join(appRoot, 'drizzle') };
}

/** `--demo IL` (or REGISTER_DEMO): the demo store of that state; absent: the setup screen. Null when invalid. */
export function newStoreFrom(demo: string | undefined): { kind: 'setup' } | { kind: 'demo'; jurisdiction: string } | null {
  if (demo === undefined || demo === '') return { kind: 'setup' };
  const code = demo.trim().toUpperCase();
  return /^[A-Z]{2}$/.test(code) ? { kind: 'demo', jurisdiction: code } : null;
}

/** REGISTER_TABLET_HOST / REGISTER_TABLET_PORT: where the reception tablet's server listens (default every interface, 47843; an invalid port falls back to it). */
export function tabletListenFromEnv(env: NodeJS.ProcessEnv): { host: string; port: number } {
  const port = Number(env.REGISTER_TABLET_PORT ?? '47843');
  return { host: env.REGISTER_TABLET_HOST ?? '0.0.0.0', port: Number.isInteger(port) && port >= 0 && port <= 65535 ? port : 47843 };
}
