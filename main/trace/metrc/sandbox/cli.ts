/**
 * `npm run sandbox:metrc -- [--port N] [--data FILE] [--latency MS] [--mode NAME=VALUE ...]`: the
 * Metrc v2 sandbox on its own, on 127.0.0.1. Point the register's Track & Trace settings (Metrc)
 * at the printed address with the demo keys from the data file.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadMetrcSandboxData, startMetrcSandbox } from './server.js';
import { metrcModesSchema } from './state.js';

const USAGE = `Usage: npm run sandbox:metrc -- [--port N] [--data FILE] [--latency MS] [--mode NAME=VALUE ...]
  --port N       port on 127.0.0.1 (default 47910; 0 = any free port)
  --data FILE    starting data (default resources/demo/metrc-sandbox.json)
  --latency MS   delay added to every answer (default 0)
  --mode N=V     how it behaves (repeatable): patientNotFound=404|400|empty|inactive,
                 externalLookup=array|object, postAnswer=ids|empty (defaults: the first of each)`;

async function main(): Promise<void> {
  let values: { port?: string; data?: string; latency?: string; mode?: string[]; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { port: { type: 'string' }, data: { type: 'string' }, latency: { type: 'string' }, mode: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port ?? '47910');
  const latencyMs = Number(values.latency ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535 || !Number.isInteger(latencyMs) || latencyMs < 0) {
    console.error(`--port must be 0-65535 and --latency a whole number of milliseconds.\n\n${USAGE}`);
    process.exit(2);
  }
  const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..');
  const dataFile = values.data ?? join(repoRoot, 'resources', 'demo', 'metrc-sandbox.json');
  const modes = metrcModesSchema.partial().safeParse(Object.fromEntries((values.mode ?? []).map((pair) => pair.split('=', 2))));
  if (!modes.success) {
    console.error(`--mode: ${modes.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}\n\n${USAGE}`);
    process.exit(2);
  }
  const data = loadMetrcSandboxData(dataFile);
  const sandbox = await startMetrcSandbox({ port, data, latencyMs });
  sandbox.setFaults({ modes: modes.data });
  console.log(`Metrc sandbox ready: ${sandbox.url}`);
  for (const user of data.users) console.log(`  vendor key ${data.vendorKeys[0]}, user key ${user.userKey} (${user.name}): ${user.facilities.join(', ')}`);
  console.log(`Harness: ${sandbox.url}/__state (GET), /__reset, /__faults, /__clock (POST)`);
  const stop = () => void sandbox.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`The Metrc sandbox could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
