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
 * The app root (holding drizzle/ and resources/). Both main/<host>/x.ts (run by tsx) and the
 * bundles in dist/main/ sit two folders below it.
 */
export function appRootFrom(moduleUrl: string): string {
  return resolve(dirname(fileURLToPath(moduleUrl)), '..', '..');
}

export function appPaths(appRoot: string): { resourcesDir: string; migrationsFolder: string } {
  return { resourcesDir: join(appRoot, 'resources'), migrationsFolder: join(appRoot, 'drizzle') };
}
