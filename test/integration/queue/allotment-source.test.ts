/** The check-in allotment lookup over the real BioTrack v1 provider and the sandbox on loopback. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadSandboxData, startBioTrackSandbox, type BioTrackSandbox } from '../../../main/trace/biotrack/sandbox/server.js';
import { createProvider } from '../../../main/trace/providers.js';
import { DEMO_TRACE_ACCOUNT } from '../../../main/trace/config.js';
import { providerAllotmentSource, statedToMilligrams, type AllotmentSource } from '../../../main/queue/allotment-source.js';
import { resourcesDir } from '../../support/paths.js';

let sandbox: BioTrackSandbox;
let source: AllotmentSource;
const TIMEOUT_MS = 400;

beforeAll(async () => {
  sandbox = await startBioTrackSandbox({ port: 0, data: loadSandboxData(join(resourcesDir, 'demo', 'biotrack-sandbox.json')) });
  const provider = createProvider(
    { provider: 'biotrack_v1', endpoint: sandbox.url, ...DEMO_TRACE_ACCOUNT, training: false, nosession: false },
    { timeoutMs: TIMEOUT_MS },
  );
  source = providerAllotmentSource(() => provider, TIMEOUT_MS);
});
afterAll(async () => {
  await sandbox.close();
});

describe('providerAllotmentSource against the sandbox', () => {
  it('found: the remaining allotment as BioTrack states it', async () => {
    sandbox.setFaults({ clear: true });
    expect(await source.lookup({ cardId: 'MP7K2Q9X4D', caregiverCardId: null })).toMatchObject({ kind: 'found', statedAmount: '70.87', statedUnit: 'g' });
    expect(await source.lookup({ cardId: 'MP9R4C7V2L', caregiverCardId: 'CG4M7P2W9Q' })).toMatchObject({ kind: 'found' });
  });

  it('not found: an unknown card, or a caregiver card that is not the patient\'s', async () => {
    expect(await source.lookup({ cardId: 'MP0000000X', caregiverCardId: null })).toMatchObject({ kind: 'not_found', message: expect.stringMatching(/MP0000000X was not found/) });
    expect(await source.lookup({ cardId: 'MP9R4C7V2L', caregiverCardId: 'CG8B3N6X5R' })).toMatchObject({ kind: 'not_found' });
  });

  it('refused: an expired card', async () => {
    expect(await source.lookup({ cardId: 'MP5T2J8K1Z', caregiverCardId: null })).toMatchObject({ kind: 'refused', message: expect.stringMatching(/expired/) });
  });

  it('offline: a dropped connection (fault injection) and a stopped sandbox', async () => {
    sandbox.setFaults({ clear: true, rules: [{ action: 'card_lookup', fault: 'offline', times: 1 }] });
    expect(await source.lookup({ cardId: 'MP7K2Q9X4D', caregiverCardId: null })).toMatchObject({ kind: 'offline' });
    await sandbox.setOffline(true);
    try {
      expect(await source.lookup({ cardId: 'MP7K2Q9X4D', caregiverCardId: null })).toMatchObject({ kind: 'offline' });
    } finally {
      await sandbox.setOffline(false);
    }
    expect(await source.lookup({ cardId: 'MP7K2Q9X4D', caregiverCardId: null })).toMatchObject({ kind: 'found' });
  });

  it('timeout: no answer within the check-in timeout is offline, not a wait', async () => {
    sandbox.setFaults({ clear: true, rules: [{ action: 'card_lookup', fault: 'timeout_before_commit', delayMs: 3_000, times: 1 }] });
    // The sandbox holds the socket for 3 s; the lookup gives up at the check-in timeout instead.
    const result = await source.lookup({ cardId: 'MP7K2Q9X4D', caregiverCardId: null });
    expect(result).toMatchObject({ kind: 'offline', message: expect.stringMatching(/within/) });
    sandbox.setFaults({ clear: true });
  });

  it('a provider that is not set up is offline with the reason', async () => {
    const unset = providerAllotmentSource(() => ({ problem: 'Track-and-trace is not set up.' }));
    expect(await unset.lookup({ cardId: 'X', caregiverCardId: null })).toEqual({ kind: 'offline', message: 'Track-and-trace is not set up.' });
  });
});

describe('statedToMilligrams', () => {
  it('converts grams, ounces and milligrams, rounding down; refuses unknown units', () => {
    expect(statedToMilligrams('70.87', 'g', 28.3495)).toBe(70_870);
    expect(statedToMilligrams('2.5000', 'oz', 28.3495)).toBe(70_873);
    expect(statedToMilligrams('500', 'mg', 28.3495)).toBe(500);
    expect(statedToMilligrams('1', 'units', 28.3495)).toBeNull();
    expect(statedToMilligrams('-1', 'g', 28.3495)).toBeNull();
  });
});
