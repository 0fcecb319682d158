/**
 * `npm run -s scan -- --license FILE | --barcode CODE | --card NUMBER [--data-dir DIR]`
 * hands one scan to a running register, as if a device had sent it (demo and tests).
 *
 * The register must be started with REGISTER_SCAN_SIMULATOR=1 (e.g.
 * `REGISTER_SCAN_SIMULATOR=1 npm start`): it then listens on 127.0.0.1 only, with a random
 * token written to <data folder>/scan-simulator.json (readable by this user only). This command
 * reads that file, so it works only for someone who can read the register's data folder.
 * Prints what the register recognised the scan as; exits 1 if it could not deliver it.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../main/core/paths.js';
import { SIMULATOR_FILE, simulatedScanSchema, simulatorFileSchema, type SimulatedScan } from '../main/devices/simulator.js';

const USAGE = `usage: npm run -s scan -- (--license FILE | --barcode CODE | --card NUMBER) [--data-dir DIR]
  The register must run with REGISTER_SCAN_SIMULATOR=1.`;

function fail(message: string, code = 1): never {
  console.error(message);
  process.exit(code);
}

function readArgs(): { scan: SimulatedScan; dataDir: string } {
  let values: { license?: string; barcode?: string; card?: string; symbology?: string; 'data-dir'?: string };
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2).filter((arg) => arg !== '--'),
      options: {
        license: { type: 'string' },
        barcode: { type: 'string' },
        card: { type: 'string' },
        symbology: { type: 'string' },
        'data-dir': { type: 'string' },
      },
    }));
  } catch (error) {
    fail(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`, 2);
  }
  const given = [values.license, values.barcode, values.card].filter((v) => v !== undefined);
  if (given.length !== 1) fail(USAGE, 2);
  let candidate: unknown;
  if (values.license !== undefined) {
    let text: string;
    try {
      text = readFileSync(values.license, 'latin1');
    } catch (error) {
      fail(`Cannot read ${values.license}: ${error instanceof Error ? error.message : String(error)}`, 2);
    }
    candidate = { kind: 'licence', text };
  } else if (values.barcode !== undefined) {
    candidate = { kind: 'barcode', code: values.barcode, ...(values.symbology ? { symbology: values.symbology } : {}) };
  } else {
    candidate = { kind: 'card', cardNumber: values.card };
  }
  const parsed = simulatedScanSchema.safeParse(candidate);
  if (!parsed.success) fail(`${parsed.error.issues[0]?.message ?? 'not a scan'}\n${USAGE}`, 2);
  return { scan: parsed.data, dataDir: values['data-dir'] ?? process.env.REGISTER_DATA_DIR ?? defaultDataDir() };
}

async function main(): Promise<void> {
  const { scan, dataDir } = readArgs();
  let endpoint: { port: number; token: string };
  try {
    endpoint = simulatorFileSchema.parse(JSON.parse(readFileSync(join(dataDir, SIMULATOR_FILE), 'utf8')));
  } catch {
    fail(`No register with the scan simulator is running on the data folder ${dataDir}.\nStart it with REGISTER_SCAN_SIMULATOR=1 npm start (and pass the same --data-dir here).`);
  }
  const body = JSON.stringify(scan);
  const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: endpoint.port, method: 'POST', path: '/scan', headers: { Authorization: `Bearer ${endpoint.token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  }).catch((error: unknown) => fail(`The register did not answer (${error instanceof Error ? error.message : String(error)}): is it still running?`));
  if (answer.status !== 200) fail(`The register refused the scan (${answer.status}): ${answer.text}`);
  console.log(answer.text);
}

void main();
