/**
 * The sync engine in its own process, for kill tests: `node --import tsx engine-child.ts`
 * with TRACE_DB, TRACE_URL, optionally TRACE_KILL_AT (a send step: the process SIGKILLs itself
 * there), TRACE_RUN_MS (run the worker loop this long, for the chaos run), TRACE_NONCE_POLICY
 * and TRACE_PATIENT_LINK (the store's advanced settings); TRACE_PROVIDER=metrc with
 * TRACE_METRC_STATE=IL|OK runs it against the Metrc sandbox with that state's demo account.
 */
import Database from 'better-sqlite3';
import { applyPragmas } from '../../../../main/store/db.js';
import { BioTrackV1Provider, type NoncePolicy, type PatientLink } from '../../../../main/trace/biotrack/client.js';
import { DEMO_METRC_ACCOUNTS, DEMO_TRACE_ACCOUNT } from '../../../../main/trace/config.js';
import { MetrcV2Provider } from '../../../../main/trace/metrc/client.js';
import { SyncEngine, type SendStep } from '../../../../main/trace/sync.js';

const file = process.env.TRACE_DB!;
const url = process.env.TRACE_URL!;
const killAt = process.env.TRACE_KILL_AT as SendStep | undefined;
const timeoutMs = Number(process.env.TRACE_TIMEOUT_MS ?? 250);
const noncePolicy = (process.env.TRACE_NONCE_POLICY as NoncePolicy | undefined) ?? 'fresh';
const sqlite = new Database(file, { fileMustExist: true });
applyPragmas(sqlite);
const metrc = process.env.TRACE_PROVIDER === 'metrc' ? DEMO_METRC_ACCOUNTS[(process.env.TRACE_METRC_STATE ?? 'IL') as 'IL' | 'OK'] : null;
const engine = new SyncEngine({
  sqlite,
  provider: metrc
    ? new MetrcV2Provider({ baseUrl: url, vendorKey: metrc.vendorKey, userKey: metrc.userKey, licenseNumber: metrc.licenseNumber, timeZone: 'America/Chicago', timeoutMs })
    : new BioTrackV1Provider({
    ...DEMO_TRACE_ACCOUNT,
    endpoint: url,
    training: false,
    nosession: false,
    timeoutMs,
    noncePolicy: noncePolicy,
    patientLink: (process.env.TRACE_PATIENT_LINK as PatientLink | undefined) ?? 'both',
  }),
  noncePolicy,
  location: metrc ? metrc.licenseNumber : DEMO_TRACE_ACCOUNT.location,
  backoffBaseMs: 5,
  backoffMaxMs: 40,
  reconcileDelayMs: Number(process.env.TRACE_RECONCILE_MS ?? 0),
  onStep(step) {
    if (step === killAt) process.kill(process.pid, 'SIGKILL');
  },
});

process.stdout.write('ready\n');
if (process.env.TRACE_RUN_MS) {
  const stopAt = Number(process.env.TRACE_RUN_MS);
  setTimeout(() => engine.stop(), stopAt);
  await engine.run(20);
} else {
  engine.recoverInFlight();
  await engine.drain(1);
}
sqlite.close();
process.stdout.write('done\n');
