/**
 * `npm run sandbox:biotrack -- [--port N] [--data FILE] [--latency MS] [--mode NAME=VALUE ...]`:
 * the BioTrack v1 sandbox on its own, on 127.0.0.1. Point the register's Track & Trace settings
 * at the printed address; `--mode` makes it behave as a given state's BioTrack may (state.ts).
 */
import { runSandboxCli } from '../../sandbox-cli.js';
import { loadSandboxData, startBioTrackSandbox } from './server.js';
import { sandboxModesSchema } from './state.js';

runSandboxCli({
  usage: `Usage: npm run sandbox:biotrack -- [--port N] [--data FILE] [--latency MS] [--mode NAME=VALUE ...]
  --port N       port on 127.0.0.1 (default 47900; 0 = any free port)
  --data FILE    starting data (default resources/demo/biotrack-sandbox.json)
  --latency MS   delay added to every answer (default 0)
  --mode N=V     how it behaves (repeatable): sessiontime=receipt|sale_time, nonces=burned|kept|off,
                 nonceReplay=refused|response|result, patientLink=card_key|card_id,
                 cardLookup=evidence|missing_status|renamed (defaults: the first of each)`,
  defaultPort: 47900,
  defaultData: 'biotrack-sandbox.json',
  modesSchema: sandboxModesSchema,
  failure: 'The sandbox could not start',
  async start({ port, dataFile, latencyMs, modes }) {
    const sandbox = await startBioTrackSandbox({ port, data: loadSandboxData(dataFile), latencyMs });
    sandbox.setFaults({ modes });
    console.log(`BioTrack sandbox ready: ${sandbox.url} (${Object.entries(modes).map(([name, value]) => `${name}=${String(value)}`).join(', ')})`);
    console.log(`Harness: http://127.0.0.1:${sandbox.port}/__state (GET), /__reset, /__faults, /__clock, /__offline (POST)`);
    return sandbox;
  },
});
