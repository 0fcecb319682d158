/**
 * `npm run sandbox:metrc -- [--port N] [--data FILE] [--latency MS] [--mode NAME=VALUE ...]`: the
 * Metrc v2 sandbox on its own, on 127.0.0.1. Point the register's Track & Trace settings (Metrc)
 * at the printed address with the demo keys from the data file.
 */
import { runSandboxCli } from '../../sandbox-cli.js';
import { loadMetrcSandboxData, startMetrcSandbox } from './server.js';
import { metrcModesSchema } from './state.js';

runSandboxCli({
  usage: `Usage: npm run sandbox:metrc -- [--port N] [--data FILE] [--latency MS] [--mode NAME=VALUE ...]
  --port N       port on 127.0.0.1 (default 47910; 0 = any free port)
  --data FILE    starting data (default resources/demo/metrc-sandbox.json)
  --latency MS   delay added to every answer (default 0)
  --mode N=V     how it behaves (repeatable): patientNotFound=404|400|empty|inactive,
                 externalLookup=array|object, postAnswer=ids|empty (defaults: the first of each)`,
  defaultPort: 47910,
  defaultData: 'metrc-sandbox.json',
  modesSchema: metrcModesSchema.partial(),
  failure: 'The Metrc sandbox could not start',
  async start({ port, dataFile, latencyMs, modes }) {
    const data = loadMetrcSandboxData(dataFile);
    const sandbox = await startMetrcSandbox({ port, data, latencyMs });
    sandbox.setFaults({ modes });
    console.log(`Metrc sandbox ready: ${sandbox.url}`);
    for (const user of data.users) console.log(`  vendor key ${data.vendorKeys[0]}, user key ${user.userKey} (${user.name}): ${user.facilities.join(', ')}`);
    console.log(`Harness: ${sandbox.url}/__state (GET), /__reset, /__faults, /__clock (POST)`);
    return sandbox;
  },
});
