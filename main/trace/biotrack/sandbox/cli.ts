/**
 * `npm run sandbox:biotrack -- [--port N] [--data FILE] [--latency MS] [--mode NAME=VALUE ...]`:
 * the BioTrack v1 sandbox on its own, on 127.0.0.1. Point the register's Track & Trace settings
 * at the printed address; `--mode` makes it behave as a given state's BioTrack may (state.ts).
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadSandboxData, startBioTrackSandbox } from './server.js';
import { sandboxModesSchema } from './state.js';

const USAGE = `Usage: npm run sandbox:biotrack -- [--port N] [--data FILE] [--latency MS] [--mode NAME=VALUE ...]
  --port N       port on 127.0.0.1 (default 47900; 0 = any free port)
  --data FILE    starting data (default resources/demo/biotrack-sandbox.json)
  --latency MS   delay added to every answer (default 0)
  --mode N=V     how it behaves (repeatable): sessiontime=receipt|sale_time, nonces=burned|kept|off,
                 nonceReplay=refused|response|result, patientLink=card_key|card_id,
                 cardLookup=evidence|missing_status|renamed (defaults: the first of each)`;

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
  const port = Number(values.port ?? '47900');
  const latencyMs = Number(values.latency ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535 || !Number.isInteger(latencyMs) || latencyMs < 0) {
    console.error(`--port must be 0-65535 and --latency a whole number of milliseconds.\n\n${USAGE}`);
    process.exit(2);
  }
  const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..');
  const dataFile = values.data ?? join(repoRoot, 'resources', 'demo', 'biotrack-sandbox.json');
  const modes = sandboxModesSchema.safeParse(Object.fromEntries((values.mode ?? []).map((pair) => pair.split('=', 2))));
  if (!modes.success) {
    console.error(`--mode: ${modes.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}\n\n${USAGE}`);
    process.exit(2);
  }
  const sandbox = await startBioTrackSandbox({ port, data: loadSandboxData(dataFile), latencyMs });
  sandbox.setFaults({ modes: modes.data });
  console.log(`BioTrack sandbox ready: ${sandbox.url} (${Object.entries(modes.data).map(([name, value]) => `${name}=${value}`).join(', ')})`);
  console.log(`Harness: http://127.0.0.1:${sandbox.port}/__state (GET), /__reset, /__faults, /__clock, /__offline (POST)`);
  const stop = () => void sandbox.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`The sandbox could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
