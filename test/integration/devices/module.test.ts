/**
 * The devices capability in a real register: configuration saved and validated through the
 * contract (managers only), keyboard-wedge timelines from the page routed as scans, and the
 * scan simulator endpoint driven by `npm run scan` (scripts/scan.ts).
 */
import { execFile } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../main/store/ids.js';
import { keyPressesFor } from '../../../main/devices/framing/wedge.js';
import { repoRoot, tempDir } from '../../support/paths.js';
import { signaturePng } from '../../support/png.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';
import { until } from './until.js';

const run = promisify(execFile);
const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');

describe('devices capability', () => {
  let reg: TestRegister;
  const previous = process.env.REGISTER_SCAN_SIMULATOR;

  beforeAll(async () => {
    process.env.REGISTER_SCAN_SIMULATOR = '1';
    reg = await startTestRegister();
  });
  afterAll(async () => {
    if (previous === undefined) delete process.env.REGISTER_SCAN_SIMULATOR;
    else process.env.REGISTER_SCAN_SIMULATOR = previous;
    await reg?.close();
  });

  const scans = () => reg.events.filter((e) => e.event === 'scan.received').map((e) => e.payload as Record<string, unknown>);

  it('only an employee with manage_settings may list or change devices, and a bad configuration is refused with the reason', async () => {
    expect((await reg.call('session.login', { pin: '1111' })).ok).toBe(true);
    const denied = await reg.call('devices.list', {});
    expect(denied.ok ? null : denied.error.code).toBe('forbidden');
    await reg.call('session.logout', {});
    // manage_settings: the admin role has it (managers get it through an override).
    expect((await reg.call('session.login', { pin: '3333' })).ok).toBe(true);

    const lf = await reg.call('devices.save', {
      commandId: newId(),
      device: { id: 'counter', name: 'Counter', transport: 'serial', match: { vendorId: 0x0c2e }, baudRate: 9600, framing: { mode: 'suffix', suffixHex: '0A' } },
    });
    expect(lf.ok ? null : lf.error.message).toMatch(/LF alone cannot end a scan/);
  });

  it('saves a keyboard device, shows its status, and routes a wedge burst as a scan to every screen', async () => {
    const saved = await reg.call('devices.save', {
      commandId: newId(),
      device: { id: 'wedge', name: 'Keyboard scanner', transport: 'keyboard', maxInterKeyMs: 30, minLength: 6 },
    });
    expect(saved.ok ? 'saved' : saved.error.message).toBe('saved');
    const list = await reg.call('devices.list', {});
    expect(list.ok && list.value).toMatchObject({ simulator: true, devices: [{ config: { id: 'wedge', enabled: true }, status: { state: 'connected' } }] });
    const statusEvents = reg.events.filter((e) => e.event === 'devices.changed');
    expect(statusEvents[statusEvents.length - 1]?.payload).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'wedge', state: 'connected' })]));

    const licence = readFileSync(join(repoRoot, 'test/fixtures/aamva/VA-v08-1.txt'), 'latin1');
    const result = await reg.call('devices.keys', { keys: keyPressesFor(licence, 4, 1000) });
    expect(result).toMatchObject({ ok: true, value: { scans: 1 } });
    expect(scans()[0]).toMatchObject({ kind: 'licence', deviceId: 'wedge', transport: 'keyboard', raw: licence });

    // A person typing is left alone.
    const typed = await reg.call('devices.keys', { keys: keyPressesFor('hello there', 180) });
    expect(typed).toMatchObject({ ok: true, value: { scans: 0 } });

    const after = await reg.call('devices.list', {});
    expect(JSON.stringify(after)).toMatch(/"recognisedAs":"licence \(SAMPLE, MICHAEL/);
  });

  it('npm run scan hands barcodes, cards and licences to the running register', async () => {
    const file = join(reg.dataDir, 'scan-simulator.json');
    expect(statSync(file).mode & 0o077).toBe(0);
    const before = scans().length;
    const barcode = await run(tsx, [join(repoRoot, 'scripts/scan.ts'), '--data-dir', reg.dataDir, '--barcode', '012345678905']);
    expect(JSON.parse(barcode.stdout)).toEqual({ kind: 'product' });
    await run(tsx, [join(repoRoot, 'scripts/scan.ts'), '--data-dir', reg.dataDir, '--card', '6012345678901234']);
    await run(tsx, [join(repoRoot, 'scripts/scan.ts'), '--data-dir', reg.dataDir, '--license', join(repoRoot, 'test/fixtures/aamva/TX-v03-2.txt')]);
    const garbage = await run(tsx, [join(repoRoot, 'scripts/scan.ts'), '--data-dir', reg.dataDir, '--barcode', '012345678906']);
    expect(JSON.parse(garbage.stdout)).toMatchObject({ kind: 'unrecognised' });
    await until('four scans', () => scans().length >= before + 4);
    expect(scans().slice(before).map((s) => [s.kind, s.transport])).toEqual([
      ['product', 'simulator'],
      ['card', 'simulator'],
      ['licence', 'simulator'],
      ['unrecognised', 'simulator'],
    ]);
    expect(scans()[before + 1]).toMatchObject({ cardNumber: '6012345678901234' });
  });

  it('the simulator endpoint refuses a wrong token and browser requests', async () => {
    const { port, token } = JSON.parse(readFileSync(join(reg.dataDir, 'scan-simulator.json'), 'utf8')) as { port: number; token: string };
    const post = (headers: Record<string, string>) =>
      fetch(`http://127.0.0.1:${port}/scan`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify({ kind: 'barcode', code: '012345678905' }) }).then((r) => r.status);
    expect(await post({ Authorization: 'Bearer wrong' })).toBe(401);
    expect(await post({})).toBe(401);
    expect(await post({ Authorization: `Bearer ${token}`, Origin: 'http://evil.example' })).toBe(403);
    expect(await post({ Authorization: `Bearer ${token}` })).toBe(200);
  });

  it('removes a device and lists what is plugged in', async () => {
    const removed = await reg.call('devices.remove', { commandId: newId(), id: 'wedge' });
    expect(removed.ok).toBe(true);
    const again = await reg.call('devices.remove', { commandId: newId(), id: 'wedge' });
    expect(again.ok ? null : again.error.code).toBe('not_found');
    const found = await reg.call('devices.discover', {});
    expect(found).toMatchObject({ ok: true, value: { serialPorts: expect.any(Array), hidDevices: expect.any(Array) } });
  });
});

describe('document scanners for the profile (Capture Photo, Scan MD Rec)', () => {
  it('every logged-in role sees the enabled scan commands and can run one; only manage_settings sees their configuration', async () => {
    const reg = await startTestRegister();
    const temp = tempDir('register-docsources-');
    try {
      const recorded = join(temp.dir, 'scan.png');
      writeFileSync(recorded, signaturePng(80, 60));
      expect((await reg.call('session.login', { pin: '3333' })).ok).toBe(true);
      for (const device of [
        { id: 'idscan', name: 'ID scanner', transport: 'command', command: ['cp', recorded, '{out}'] },
        { id: 'spare', name: 'Spare scanner', transport: 'command', command: ['cp', recorded, '{out}'], enabled: false },
        { id: 'inbox', name: 'Scan folder', transport: 'folder', inboxDir: temp.dir },
      ]) {
        const saved = await reg.call('devices.save', { commandId: newId(), device });
        expect(saved.ok ? 'saved' : saved.error.message).toBe('saved');
      }
      await reg.call('session.logout', {});

      expect((await reg.call('session.login', { pin: '1111' })).ok).toBe(true);
      expect(await reg.call('devices.list', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      const sources = await reg.call('devices.documentSources', {});
      expect(sources.ok && sources.value).toEqual([{ id: 'idscan', name: 'ID scanner' }]);
      const scanned = await reg.call('devices.captureDocument', { id: 'idscan' });
      expect(scanned).toMatchObject({ ok: true, value: { deviceId: 'idscan', mime: 'image/png', sizeBytes: readFileSync(recorded).length } });
    } finally {
      await reg.close();
      temp.cleanup();
    }
  });
});
