/**
 * `npm run hub [-- --data-dir DIR] [--port N] [--store-name NAME]`: runs the store hub.
 * `npm run hub -- code | devices | revoke <deviceId> | revoke-grant <grantId> | backup`: asks the
 * running hub on this PC (127.0.0.1, the data folder's admin token).
 * `npm run hub -- restore <backup folder or old .json.gz> --data-dir NEW_DIR [--without-damaged-files]`:
 * a hub on another PC from a backup, checked whole before anything is restored (new epoch: every
 * register resyncs and pushes again what the backup lacks); `--without-damaged-files` restores a
 * backup whose only damage is in document files, leaving those out and listing them.
 * DATABASE_URL=postgres://… uses an existing PostgreSQL instead of the embedded one.
 */
import { readFileSync, existsSync } from 'node:fs';
import https from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { DEFAULT_HUB_PORT, startHub } from './hub.js';
import { openDatabase } from './postgres.js';
import { restoreVerified, verifyBackup } from './backup-restore.js';

const USAGE = `Usage:
  npm run hub [-- --data-dir DIR] [--port N] [--store-name NAME]   start the store hub
  npm run hub -- code                  a new one-time pairing code for a station
  npm run hub -- devices               paired stations and their sync state
  npm run hub -- revoke DEVICE_ID      remove a station (its token stops working at once)
  npm run hub -- revoke-grant GRANT_ID --reason TEXT   take a patient's allotment back from a silent register
  npm run hub -- backup                take a backup now (also taken every hour)
  npm run hub -- restore BACKUP --data-dir NEW_DIR     a hub on this PC from a backup (a hub-backup-… folder)
      [--without-damaged-files]        when only document files in it are damaged: restore the rest, list those
Options: --no-mdns (do not announce the hub on the network), --backup-copy DIR (repeatable; also HUB_BACKUP_COPY_DIR) copies every backup to another disk,
--data-dir DIR (also HUB_DATA_DIR; default ${defaultHubDir()}), --port N (also HUB_PORT; default ${DEFAULT_HUB_PORT}),
DATABASE_URL=postgres://... to use an existing PostgreSQL server instead of the hub's own.`;

/** Beside the register's data folder: the same conventions, its own folder. */
export function defaultHubDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const name = 'Dispensary Register Hub';
  if (platform === 'win32') return join(env.ProgramData ?? env.PROGRAMDATA ?? 'C:\\ProgramData', name);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', name);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), name);
}

function adminCall(dataDir: string, port: number, method: string, path: string, body?: unknown): Promise<unknown> {
  const tokenPath = join(dataDir, 'admin-token');
  const certPath = join(dataDir, 'tls', 'hub-cert.pem');
  if (!existsSync(tokenPath) || !existsSync(certPath)) throw new Error(`No hub has run with the data folder ${dataDir}: start it with npm run hub first.`);
  const token = readFileSync(tokenPath, 'utf8').trim();
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port, path, method, ca: readFileSync(certPath, 'utf8'), servername: 'localhost', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, timeout: 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
          if ((res.statusCode ?? 500) >= 400) reject(new Error(typeof parsed === 'object' && parsed && 'message' in parsed ? String(parsed.message) : `hub answered ${res.statusCode}`));
          else resolve(parsed);
        });
      },
    );
    req.on('error', (error) => reject(new Error(`The hub is not running on this PC (port ${port}): ${error.message}`)));
    req.on('timeout', () => req.destroy(new Error('no answer in 30 s')));
    req.end(text);
  });
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: { 'data-dir': { type: 'string' }, port: { type: 'string' }, 'store-name': { type: 'string' }, reason: { type: 'string' }, 'backup-copy': { type: 'string', multiple: true }, 'no-mdns': { type: 'boolean' }, 'without-damaged-files': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exit(2);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const dataDir = values['data-dir'] ?? process.env.HUB_DATA_DIR ?? defaultHubDir();
  const port = Number(values.port ?? process.env.HUB_PORT ?? DEFAULT_HUB_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`"${values.port ?? process.env.HUB_PORT}" is not a port number.\n\n${USAGE}`);
    process.exit(2);
  }
  const [command, arg] = positionals;
  const print = (value: unknown) => console.log(JSON.stringify(value, null, 2));
  switch (command) {
    case undefined:
      return run(dataDir, port, values['store-name'], values['no-mdns'] !== true, [...(values['backup-copy'] ?? []), ...(process.env.HUB_BACKUP_COPY_DIR ? [process.env.HUB_BACKUP_COPY_DIR] : [])]);
    case 'code': {
      const answer = (await adminCall(dataDir, port, 'POST', '/admin/code', {})) as { code: string; fingerprint256: string };
      console.log(`Pairing code: ${answer.code}  (valid 10 minutes, once)\nHub certificate: ${answer.fingerprint256}`);
      return;
    }
    case 'devices':
      return print(await adminCall(dataDir, port, 'GET', '/admin/devices'));
    case 'status':
      return print(await adminCall(dataDir, port, 'GET', '/admin/status'));
    case 'backup':
      return print(await adminCall(dataDir, port, 'POST', '/admin/backup', {}));
    case 'revoke':
      if (!arg) throw new Error('Which station? npm run hub -- devices lists their ids.');
      return print(await adminCall(dataDir, port, 'POST', `/admin/devices/${arg}/revoke`, values.reason ? { reason: values.reason } : {}));
    case 'revoke-grant':
      if (!arg || !values.reason) throw new Error('Give the grant id and --reason "why" (it is recorded and flagged).');
      return print(await adminCall(dataDir, port, 'POST', `/admin/grants/${arg}/revoke`, { reason: values.reason }));
    case 'restore': {
      if (!arg) throw new Error('Which backup file? npm run hub -- restore FILE --data-dir NEW_DIR');
      // The whole backup is checked before any database is started or touched.
      console.log(`Checking ${arg} (every table and document file)…`);
      const backup = await verifyBackup(arg, { withoutDamagedFiles: values['without-damaged-files'] === true });
      const db = await openDatabase({ dataDir, databaseUrl: process.env.DATABASE_URL });
      try {
        const restored = await restoreVerified(db.pool, backup, dataDir);
        console.log(`Restored ${arg} into ${dataDir}: ${restored.rows} rows, ${restored.files} document files (new epoch ${restored.epoch}). Start it with: npm run hub -- --data-dir "${dataDir}"`);
        if (restored.damagedFiles.length > 0) {
          console.log(`${restored.damagedFiles.length} damaged document file${restored.damagedFiles.length > 1 ? 's were' : ' was'} left out:`);
          for (const file of restored.damagedFiles) {
            console.log(`  ${file.sha256}  ${file.customerIds === null ? '(its customer could not be looked up)' : file.customerIds.length > 0 ? `a document of customer ${file.customerIds.join(', ')}` : 'no customer document names it'}`);
          }
          console.log(
            'A register sends such a file again when the document that added it is still waiting in its outbox; otherwise scan the document again from its paper original on the customer\'s profile.',
          );
        }
      } finally {
        await db.close();
      }
      return;
    }
    default:
      console.error(`Unknown command "${command}".\n\n${USAGE}`);
      process.exit(2);
  }
}

async function run(dataDir: string, port: number, storeName: string | undefined, mdns: boolean, backupCopyDirs: string[]): Promise<void> {
  const hub = await startHub({ dataDir, databaseUrl: process.env.DATABASE_URL, port, storeName, backupCopyDirs, advertise: mdns, log: (line) => console.log(`${new Date().toISOString()} ${line}`) });
  const code = await hub.newPairingCode();
  console.log(`Store hub "${hub.meta().storeName}" running on port ${hub.port} (data: ${dataDir}${hub.db.kind === 'external' ? ', PostgreSQL from DATABASE_URL' : ''}).`);
  console.log(`Hub certificate: ${hub.fingerprint256}`);
  console.log(`Pairing code: ${code.code}  (valid 10 minutes, once; type "code" + Enter, or npm run hub -- code, for another)`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping the hub…`);
    hub.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  if (process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin });
    rl.on('line', (line) => {
      if (line.trim() === 'code') hub.newPairingCode().then((c) => console.log(`Pairing code: ${c.code}  (valid 10 minutes, once)`), (e: unknown) => console.error(e));
    });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
