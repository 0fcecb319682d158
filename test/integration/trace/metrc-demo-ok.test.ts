/**
 * The Oklahoma demo store (`npm start -- --demo OK`): a medical dispensary reporting to the
 * embedded Metrc sandbox, with caregivers and their patients; a caregiver sale goes to Metrc once
 * with both licence numbers, and a patient's status comes from Metrc.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { newId } from '../../../main/store/ids.js';
import { enqueueDispense } from '../../../main/trace/outbox.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';
import { value } from '../../support/answers.js';
import { tempDir } from '../../support/paths.js';
import { OK, OK_CAREGIVER, OK_CAREGIVER_PATIENT, OK_FLOWER, OK_PATIENT } from '../../support/metrc.js';

let temp: ReturnType<typeof tempDir>;
let r: TestRegister;
beforeEach(async () => {
  temp = tempDir();
  r = await startTestRegister({ newStore: { kind: 'demo', jurisdiction: 'OK' } }, temp.dir);
});
afterEach(async () => {
  await r.close();
  temp.cleanup();
});

test('the Oklahoma demo store reports to Metrc: caregivers with their patients, a caregiver sale posted once', async () => {
  await r.call('session.login', { pin: '3333' });
  const settings = await value<{ provider: string; useDemoSandbox: boolean; licenseNumber: string; demoMetrcSandboxUrl: string }>(r.call('trace.settings.get'));
  expect(settings).toMatchObject({ provider: 'metrc_v2', useDemoSandbox: true, licenseNumber: OK.licenseNumber });
  const db = new Database(join(r.dataDir, 'register.sqlite'));
  try {
    const jurisdiction = db.prepare(`SELECT value FROM settings WHERE key = 'store.jurisdiction'`).get() as { value: string };
    expect(JSON.parse(jurisdiction.value)).toBe('OK');
    const patients = db
      .prepare(`SELECT c.caregiver_id AS caregiver, p.medical_licence AS licence FROM caregiver_patients p JOIN customers c ON c.id = p.caregiver_id ORDER BY p.last_name, p.first_name`)
      .all() as Array<{ caregiver: string; licence: string }>;
    expect(patients.filter((p) => p.caregiver === OK_CAREGIVER).map((p) => p.licence).sort()).toEqual(['PAAA-L5D8-F3G6', OK_CAREGIVER_PATIENT].sort());
    const labels = db.prepare(`SELECT trace_barcode AS label FROM products`).all() as Array<{ label: string }>;
    expect(labels.every((p) => /^1A[0-9A-Z]{22}$/.test(p.label))).toBe(true);

    // A patient's status comes from Metrc (Oklahoma's per-transaction 3 oz).
    const lookup = await value<{ status: string; allotment: { amount: string; unit: string } }>(r.call('trace.lookupPatient', { cardId: OK_PATIENT }));
    expect(lookup).toMatchObject({ status: 'active', allotment: { amount: '3', unit: 'oz' } });
    const caregiverLookup = await value<{ status: string }>(r.call('trace.lookupPatient', { cardId: OK_CAREGIVER_PATIENT, caregiverCardId: OK_CAREGIVER }));
    expect(caregiverLookup.status).toBe('active');

    // A caregiver sale, queued as checkout queues it: posted at once (real time), with both numbers.
    const { outboxId } = db
      .transaction(() =>
        enqueueDispense(db, {
          saleId: newId(),
          location: OK.licenseNumber,
          terminalId: '1',
          saleTime: Date.now(),
          cardId: OK_CAREGIVER_PATIENT,
          caregiverCardId: OK_CAREGIVER,
          lines: [{ barcode: OK_FLOWER, quantity: 2, unitPriceCents: 3000 }],
        }),
      )
      .immediate();
    const deadline = Date.now() + 10_000;
    let row: { state: string; remoteTxnId: string | null } | undefined;
    while (Date.now() < deadline) {
      row = db.prepare(`SELECT state, remote_txn_id AS remoteTxnId FROM trace_outbox WHERE id = ?`).get(outboxId) as typeof row;
      if (row?.state === 'acknowledged') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(row?.state).toBe('acknowledged');
    const state = (await (await fetch(`${settings.demoMetrcSandboxUrl}/__state`)).json()) as { receipts: Array<Record<string, unknown>> };
    const mine = state.receipts.filter((receipt) => receipt.ExternalReceiptNumber === outboxId);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ Id: Number(row!.remoteTxnId), SalesCustomerType: 'Caregiver', PatientLicenseNumber: OK_CAREGIVER_PATIENT, CaregiverLicenseNumber: OK_CAREGIVER });
  } finally {
    db.close();
  }
  const status = await value<{ provider: string }>(r.call('trace.sync.status'));
  expect(status.provider).toBe('Metrc');
});
