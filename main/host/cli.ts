/**
 * `node dist/main/host.mjs [--data-dir DIR] [--port N]`: the register in a browser tab, for
 * machines without Electron. Prints the address to open, token included.
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { createRegister } from '../core/register.js';
import { appPaths, appRootFrom, defaultDataDir, newStoreFrom } from '../core/paths.js';
import { DataFolderError } from '../store/errors.js';
import { createFileLogger } from '../log/logger.js';
import { DEFAULT_HOST_LIMITS, startBrowserHost } from './server.js';

const USAGE = `Usage: npm start -- [--data-dir DIR] [--port N] [--demo IL|OK|CA]
  --data-dir DIR   where the register keeps its database, backups and logs
                   (also REGISTER_DATA_DIR; default ${defaultDataDir()})
  --demo STATE     a new data folder becomes that state's demo store at once, instead of
                   showing the setup screen (also REGISTER_DEMO; an existing store is kept)
  --port N         port on 127.0.0.1 (also REGISTER_PORT; default 47800, 0 = any free port)
REGISTER_MAX_SCREENS=N   how many screens may connect at once (default ${DEFAULT_HOST_LIMITS.maxConnections})
REGISTER_TABLET_HOST=ADDR, REGISTER_TABLET_PORT=N   where the reception tablet's server listens
                   while a manager has it on (default 0.0.0.0 and 47843; 0 = any free port)`;

async function main(): Promise<void> {
  let values: { 'data-dir'?: string; port?: string; demo?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { 'data-dir': { type: 'string' }, port: { type: 'string' }, demo: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: false,
    }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const dataDir = values['data-dir'] ?? process.env.REGISTER_DATA_DIR ?? defaultDataDir();
  const portText = values.port ?? process.env.REGISTER_PORT ?? '47800';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`The port "${portText}" is not a port number (0-65535).\n\n${USAGE}`);
    process.exit(2);
  }
  const maxScreensText = process.env.REGISTER_MAX_SCREENS;
  const maxConnections = maxScreensText === undefined ? undefined : Number(maxScreensText);
  if (maxConnections !== undefined && (!Number.isInteger(maxConnections) || maxConnections < 1)) {
    console.error(`REGISTER_MAX_SCREENS="${maxScreensText}" is not a whole number of screens (1 or more).\n\n${USAGE}`);
    process.exit(2);
  }
  const demoText = values.demo ?? process.env.REGISTER_DEMO;
  const newStore = newStoreFrom(demoText);
  if (!newStore) {
    console.error(`"${demoText}" is not a state with a demo store: use --demo IL, OK or CA.\n\n${USAGE}`);
    process.exit(2);
  }
  const tabletHost = process.env.REGISTER_TABLET_HOST ?? '0.0.0.0';
  const tabletPort = Number(process.env.REGISTER_TABLET_PORT ?? '47843');
  if (!Number.isInteger(tabletPort) || tabletPort < 0 || tabletPort > 65535) {
    console.error(`REGISTER_TABLET_PORT="${process.env.REGISTER_TABLET_PORT}" is not a port number (0-65535).\n\n${USAGE}`);
    process.exit(2);
  }
  const idleLockMs = process.env.REGISTER_IDLE_LOCK_MS ? Number(process.env.REGISTER_IDLE_LOCK_MS) : undefined;
  const appRoot = appRootFrom(import.meta.url);
  const logger = createFileLogger(dataDir);

  let register;
  try {
    register = await createRegister({
      ...appPaths(appRoot),
      dataDir,
      host: 'browser',
      newStore,
      idleLockMs: idleLockMs && idleLockMs > 0 ? idleLockMs : undefined,
      logger,
      version: process.env.npm_package_version,
      tabletListen: { host: tabletHost, port: tabletPort },
    });
  } catch (error) {
    if (error instanceof DataFolderError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  let host;
  try {
    host = await startBrowserHost({ register, rendererDir: join(appRoot, 'dist', 'renderer'), port, logger, limits: { maxConnections } });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    console.error(
      code === 'EADDRINUSE'
        ? `Port ${port} is already in use (is the register already running?). Start with --port 0 or another port.`
        : `The browser host could not start: ${error instanceof Error ? error.message : String(error)}`,
    );
    await register.close();
    process.exit(1);
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await host!.close();
    await register.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  logger.log('info', 'browser host started', { port: host.port, dataDir });
  console.log(`Data folder: ${dataDir}`);
  console.log(`Register ready: ${host.url}`);

}

main().catch((error: unknown) => {
  console.error(`The register could not start: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
