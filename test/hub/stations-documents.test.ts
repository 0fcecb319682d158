/**
 * Customer documents' files through the store hub (issue 15: "documents (files included)"): a real
 * PostgreSQL, the hub, an intake desk and a register (each its own SQLite file and data folder,
 * each through its own fault proxy), paired through Settings › Store hub.
 *
 * A document added at intake opens byte for byte at the register; a document added while the
 * intake desk cannot reach the hub reaches it (file and record) when the link is back; the hub
 * refuses bytes that do not match their name; a file damaged on the hub's disk is moved aside,
 * answered 404 (not served) and sent again by the station that added it, or by any station that
 * holds it whole; a short one left by a crash is sent again by its register; a
 * file damaged on the sending register does not hold its outbox up; a file that never comes does
 * not hold up later ones and its profile says, after five tries, that it is missing at intake; a
 * document kept at a station before it was paired goes, file included, when it pairs; stop()
 * returns while a file request hangs.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../main/store/ids.js';
import { DEMO_PINS } from '../../main/demo/seed.js';
import { hubSyncOptions } from '../../main/core/modules.js';
import { HubError } from '../../main/hub-sync/connection.js';
import { getFile, hubHasFile, putFile, type FileLink } from '../../main/hub-sync/files.js';
import type { CustomerDocument } from '../../preload/contract/customers.js';
import { pairStation, startTestHub, type TestHub } from '../support/hub-server.js';
import { signaturePng } from '../support/png.js';
import { customerIdByName, fastSync, makeTemplate, startStation, stopHub, synced, until, type Station, type StoreTemplate } from '../support/stations.js';

let hub: TestHub;
let template: StoreTemplate;
let intake: Station;
let register: Station;
/** What the register logs (a person reads these in its logs/ folder). */
const registerLog: Array<{ level: string; message: string; fields: Record<string, unknown> | undefined }> = [];

beforeAll(async () => {
  fastSync();
  // One wanted file per round (a file that never comes would hold every later one up if it stayed
  // first), and short waits between tries of a file that did not come.
  hubSyncOptions.filesPerRound = 1;
  hubSyncOptions.fileRetryMs = 200;
  hub = await startTestHub();
  template = await makeTemplate();
  intake = await startStation(hub.hub, template, 'Intake desk', 'intake');
  register = await startStation(hub.hub, template, 'Register 1', 'register', { logger: { log: (level, message, fields) => void registerLog.push({ level, message, fields }) } });
  for (const station of [intake, register]) await synced(station, 60_000);
  // Documents are added by a manager (manage_customers).
  await intake.call('session.logout');
  await intake.call('session.login', { pin: DEMO_PINS.manager });
}, 240_000);

afterAll(async () => {
  for (const station of [intake, register]) await station?.stop();
  await stopHub(hub);
  template?.cleanup();
}, 60_000);

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const hubFile = (sha: string): string => join(hub.dataDir, 'files', sha);
/** What the hub moved to files/damaged/ of this file. */
const movedAside = (sha: string): string[] => {
  const dir = join(hub.dataDir, 'files', 'damaged');
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.startsWith(sha)) : [];
};
const stationFile = (station: Station, sha: string): string => join(station.r.dataDir, 'customer-documents', sha);

/** Uploads `bytes` at the station as + Upload does (in parts) and adds them to the profile. */
async function addDocument(station: Station, customerId: string, bytes: Buffer): Promise<CustomerDocument> {
  const uploadId = newId();
  await station.call('customers.uploadPart', { uploadId, index: 0, dataBase64: bytes.toString('base64') });
  return station.call<CustomerDocument>('customers.addDocument', { commandId: newId(), customerId, kind: 'other', mime: 'image/png', source: { from: 'upload', uploadId }, useAsPhoto: false });
}

async function documentAt(station: Station, customerId: string, documentId: string): Promise<CustomerDocument | undefined> {
  const profile = await station.call<{ documents: CustomerDocument[] }>('customers.get', { id: customerId });
  return profile.documents.find((document) => document.id === documentId);
}

describe("customer documents' files through the hub", () => {
  it('a document added at intake opens byte for byte at a register', async () => {
    const olivia = customerIdByName(intake, 'Olivia', 'Hart');
    const bytes = signaturePng(301, 97);
    const added = await addDocument(intake, olivia, bytes);
    expect(added.sha256).toBe(sha256(bytes));
    await synced(intake);
    // The hub holds the file (under its name, the same bytes) once the record is there.
    expect(readFileSync(hubFile(added.sha256)).equals(bytes)).toBe(true);
    await until('the register has the file', () => existsSync(stationFile(register, added.sha256)));
    const shown = await documentAt(register, olivia, added.id);
    expect(shown).toMatchObject({ id: added.id, title: added.title, sha256: added.sha256, sizeBytes: bytes.length });
    expect(shown?.notCopiedFrom).toBeUndefined();
    const opened = await register.call<{ mime: string; dataBase64: string }>('customers.document', { id: added.id });
    expect(opened.mime).toBe('image/png');
    expect(Buffer.from(opened.dataBase64, 'base64').equals(bytes)).toBe(true);
    // Nothing half-written is left beside it.
    expect(existsSync(`${stationFile(register, added.sha256)}.part`)).toBe(false);
  });

  it('a document added while intake cannot reach the hub lands, file and record, when the link is back', async () => {
    const marcus = customerIdByName(intake, 'Marcus', 'Bell');
    const bytes = signaturePng(302, 98);
    intake.proxy.set('reset');
    try {
      await until('intake sees the hub offline', async () => !(await intake.status()).connected);
      const added = await addDocument(intake, marcus, bytes);
      // Kept at intake, waiting: the hub has neither the record nor the file.
      expect((await intake.status()).pending).toBeGreaterThan(0);
      expect(existsSync(hubFile(added.sha256))).toBe(false);
      expect((await hub.hub.pool.query('SELECT 1 FROM customer_documents WHERE id = $1', [added.id])).rowCount).toBe(0);
      intake.proxy.set('pass');
      await synced(intake, 30_000);
      expect(readFileSync(hubFile(added.sha256)).equals(bytes)).toBe(true);
      expect((await hub.hub.pool.query('SELECT 1 FROM customer_documents WHERE id = $1', [added.id])).rowCount).toBe(1);
      await until('the register has the file', () => existsSync(stationFile(register, added.sha256)));
      const opened = await register.call<{ dataBase64: string }>('customers.document', { id: added.id });
      expect(Buffer.from(opened.dataBase64, 'base64').equals(bytes)).toBe(true);
    } finally {
      intake.proxy.set('pass');
    }
  });

  it('the hub refuses bytes that do not match their name, and a link pinned to another certificate sends nothing', async () => {
    const { code } = await hub.hub.newPairingCode();
    const paired = await pairStation(hub.hub, code, 'Test uploader', 'register');
    const link: FileLink = { address: `127.0.0.1:${hub.hub.port}`, fingerprint: hub.hub.fingerprint256, token: paired.deviceToken };
    const bytes = signaturePng(303, 99);
    const sha = sha256(bytes);
    const damaged = Buffer.from(bytes);
    damaged[damaged.length - 20]! ^= 0xff;
    const refused = await putFile(link, sha, damaged).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(HubError);
    expect((refused as HubError).detail).toBe('damaged');
    expect(existsSync(hubFile(sha))).toBe(false);
    expect(await hubHasFile(link, sha)).toBe(false);
    // Another fingerprint than the hub's: refused before the request (and the token) goes out.
    const wrongPin = await putFile({ ...link, fingerprint: 'AA:BB' }, sha, bytes).then(
      () => null,
      (error: unknown) => error,
    );
    expect((wrongPin as HubError).code).toBe('not_this_hub');
    expect(existsSync(hubFile(sha))).toBe(false);
    // The whole file is taken, and served back as it was.
    await putFile(link, sha, bytes);
    expect(await hubHasFile(link, sha)).toBe(true);
    expect((await getFile(link, sha))?.equals(bytes)).toBe(true);
  });

  it('a file damaged on the hub\'s disk is not served: moved aside, answered 404, the profile says "Not yet copied from Intake desk" until Intake desk sends it again', async () => {
    const dana = customerIdByName(intake, 'Dana', 'Kowalski');
    const bytes = signaturePng(304, 100);
    register.proxy.set('reset');
    let added: CustomerDocument;
    try {
      added = await addDocument(intake, dana, bytes);
      await synced(intake);
      // The hub's copy is damaged on its disk after it was taken; intake is cut off, so it cannot send it again yet.
      intake.proxy.set('reset');
      const broken = Buffer.from(bytes);
      broken[broken.length - 30]! ^= 0xff;
      writeFileSync(hubFile(added.sha256), broken);
    } finally {
      register.proxy.set('pass');
    }
    try {
      await until('the register lists the document', async () => (await documentAt(register, dana, added.id)) !== undefined, 30_000);
      // The register's GET finds it damaged on the hub: moved aside, not under its name any more.
      await until('the hub moved its damaged copy aside', () => movedAside(added.sha256).length === 1, 30_000);
      expect(existsSync(hubFile(added.sha256))).toBe(false);
      expect(existsSync(stationFile(register, added.sha256))).toBe(false);
      expect(existsSync(`${stationFile(register, added.sha256)}.part`)).toBe(false);
      expect(await documentAt(register, dana, added.id)).toMatchObject({ notCopiedFrom: 'Intake desk', notCopied: 'waiting' });
      const refused = await register.r.call('customers.document', { id: added.id });
      expect(refused.ok).toBe(false);
      if (!refused.ok) expect(refused.error.message).toContain('has not been copied from Intake desk yet');
    } finally {
      intake.proxy.set('pass');
    }
    // Intake hears that the hub lost it and sends it again: the hub holds it whole, and the register's next try brings it.
    await until('intake sent the file again', () => existsSync(hubFile(added.sha256)) && readFileSync(hubFile(added.sha256)).equals(bytes), 30_000);
    await until('the register has the file', () => existsSync(stationFile(register, added.sha256)), 30_000);
    expect((await documentAt(register, dana, added.id))?.notCopied).toBeUndefined();
    const opened = await register.call<{ dataBase64: string }>('customers.document', { id: added.id });
    expect(Buffer.from(opened.dataBase64, 'base64').equals(bytes)).toBe(true);
  });

  it('a file the hub lost while the station that added it is away is sent again by a station that fetched it whole', async () => {
    const olivia = customerIdByName(intake, 'Olivia', 'Hart');
    const bytes = signaturePng(310, 106);
    const added = await addDocument(intake, olivia, bytes);
    await synced(intake);
    await until('the register has the file', () => existsSync(stationFile(register, added.sha256)), 30_000);
    intake.proxy.set('reset');
    try {
      const broken = Buffer.from(bytes);
      broken[10]! ^= 0xff;
      writeFileSync(hubFile(added.sha256), broken);
      // Some station asks for it (a third one, fetching): the hub finds it damaged and moves it aside.
      const { code } = await hub.hub.newPairingCode();
      const paired = await pairStation(hub.hub, code, 'Register 2', 'register');
      const link: FileLink = { address: `127.0.0.1:${hub.hub.port}`, fingerprint: hub.hub.fingerprint256, token: paired.deviceToken };
      expect(await getFile(link, added.sha256)).toBeNull();
      expect(movedAside(added.sha256)).toHaveLength(1);
      // Intake is still cut off: the register, which holds the file whole, sends it.
      await until('the register sent the file again', () => existsSync(hubFile(added.sha256)), 30_000);
      expect(readFileSync(hubFile(added.sha256)).equals(bytes)).toBe(true);
      expect((await getFile(link, added.sha256))?.equals(bytes)).toBe(true);
      // It was the register (the hub writes the file before it answers the register's PUT, so its log line can come a moment later).
      await until('the register logged the file it sent', () => registerLog.some((entry) => entry.message === "sent a customer document's file to the store hub" && entry.fields?.sha256 === added.sha256), 10_000);
    } finally {
      intake.proxy.set('pass');
    }
    await synced(intake, 30_000);
  });

  it('a short file left on the hub\'s disk (a crash during its upload) is answered 404 and sent again by its register', async () => {
    const marcus = customerIdByName(intake, 'Marcus', 'Bell');
    const bytes = signaturePng(307, 103);
    intake.proxy.set('reset');
    let added: CustomerDocument;
    try {
      await until('intake sees the hub offline', async () => !(await intake.status()).connected);
      added = await addDocument(intake, marcus, bytes);
      // What a hub that crashed while writing it (without fsync) left under the file's name.
      writeFileSync(hubFile(added.sha256), bytes.subarray(0, Math.floor(bytes.length / 2)));
    } finally {
      intake.proxy.set('pass');
    }
    await synced(intake, 30_000);
    // Intake's HEAD was answered 404 (the short copy moved aside) and it sent the file again.
    expect(readFileSync(hubFile(added.sha256)).equals(bytes)).toBe(true);
    expect(movedAside(added.sha256)).toHaveLength(1);
    await until('the register has the file', () => existsSync(stationFile(register, added.sha256)), 30_000);
    const opened = await register.call<{ dataBase64: string }>('customers.document', { id: added.id });
    expect(Buffer.from(opened.dataBase64, 'base64').equals(bytes)).toBe(true);
  });

  it('a file that never comes does not hold up a later one; after five tries its profile says it is missing at Intake desk', async () => {
    const olivia = customerIdByName(intake, 'Olivia', 'Hart');
    const marcus = customerIdByName(intake, 'Marcus', 'Bell');
    const never = signaturePng(308, 104);
    const later = signaturePng(309, 105);
    intake.proxy.set('reset');
    let lost: CustomerDocument;
    let kept: CustomerDocument;
    try {
      await until('intake sees the hub offline', async () => !(await intake.status()).connected);
      lost = await addDocument(intake, olivia, never);
      // Damaged on intake's disk before it could be sent: the hub never gets this file.
      const broken = Buffer.from(never);
      broken[broken.length - 40]! ^= 0xff;
      writeFileSync(stationFile(intake, lost.sha256), broken);
      kept = await addDocument(intake, marcus, later);
    } finally {
      intake.proxy.set('pass');
    }
    await synced(intake, 30_000);
    expect(existsSync(hubFile(lost.sha256))).toBe(false);
    // One file per round, the lost one added first: the later one still comes.
    await until('the register has the later file', () => existsSync(stationFile(register, kept.sha256)), 30_000);
    expect(await documentAt(register, olivia, lost.id)).toMatchObject({ notCopiedFrom: 'Intake desk' });
    await until('the profile says the lost file is missing', async () => (await documentAt(register, olivia, lost.id))?.notCopied === 'missing', 30_000);
    expect((await documentAt(register, olivia, lost.id))?.notCopiedFrom).toBe('Intake desk');
    const refused = await register.r.call('customers.document', { id: lost.id });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.message).toBe("This document's file is missing at Intake desk: scan it again there.");
  });

  it('a file damaged on the sending station is not sent and does not hold its outbox up', async () => {
    const olivia = customerIdByName(intake, 'Olivia', 'Hart');
    const bytes = signaturePng(305, 101);
    intake.proxy.set('reset');
    let added: CustomerDocument;
    let entryId: string;
    try {
      await until('intake sees the hub offline', async () => !(await intake.status()).connected);
      added = await addDocument(intake, olivia, bytes);
      // Damaged on intake's disk before it could be sent; a check-in queued after it.
      const broken = Buffer.from(bytes);
      broken[broken.length - 40]! ^= 0xff;
      writeFileSync(stationFile(intake, added.sha256), broken);
      entryId = (await intake.call<{ id: string }>('queue.checkIn', { commandId: newId(), customerId: olivia, as: 'adult_use', allotments: [] })).id;
    } finally {
      intake.proxy.set('pass');
    }
    await synced(intake, 30_000);
    // The record and the check-in after it went; the damaged bytes did not.
    expect((await hub.hub.pool.query('SELECT 1 FROM queue_entries WHERE id = $1', [entryId])).rowCount).toBe(1);
    expect((await hub.hub.pool.query('SELECT 1 FROM customer_documents WHERE id = $1', [added.id])).rowCount).toBe(1);
    expect(existsSync(hubFile(added.sha256))).toBe(false);
    await until('the register lists the document as not yet copied', async () => (await documentAt(register, olivia, added.id))?.notCopiedFrom === 'Intake desk', 30_000);
    await intake.call('queue.remove', { commandId: newId(), entryId });
  });

  it('a document kept at a station before it was paired reaches the others, file included, once it pairs', async () => {
    const late = await startStation(hub.hub, template, 'Back office', 'register', { pair: false });
    try {
      await late.call('session.login', { pin: DEMO_PINS.admin });
      const rosa = customerIdByName(late, 'Rosa', 'Delgado');
      const bytes = signaturePng(306, 102);
      const added = await addDocument(late, rosa, bytes);
      const { code } = await hub.hub.newPairingCode();
      await late.call('hub.pair', { commandId: newId(), address: late.proxy.url, code, deviceName: 'Back office', role: 'register' });
      await synced(late, 60_000);
      expect(readFileSync(hubFile(added.sha256)).equals(bytes)).toBe(true);
      await until('the register has the file', () => existsSync(stationFile(register, added.sha256)), 30_000);
      const opened = await register.call<{ dataBase64: string }>('customers.document', { id: added.id });
      expect(Buffer.from(opened.dataBase64, 'base64').equals(bytes)).toBe(true);
    } finally {
      await late.stop();
    }
  });

  it('stop() returns while a file request hangs', async () => {
    const late = await startStation(hub.hub, template, 'Register 2', 'register');
    let stopped = false;
    try {
      await synced(late, 60_000);
      // The station's open WebSocket keeps working; a new connection (a file request) hangs.
      late.proxy.set('hold_new');
      const rosa = customerIdByName(intake, 'Rosa', 'Delgado');
      const added = await addDocument(intake, rosa, signaturePng(310, 106));
      await until('the late register has the record', () => late.db.prepare('SELECT 1 FROM customer_documents WHERE id = ?').get(added.id) !== undefined, 30_000);
      await until('a file request of the late register hangs', () => late.proxy.stats.held > 0, 30_000);
      expect((await late.status()).connected).toBe(true);
      // Without cutting the request short, stop() waits out its 30-second timeout.
      const outcome = await Promise.race([
        late.stop().then(() => 'stopped'),
        new Promise<string>((resolve) => setTimeout(() => resolve('still waiting for the file request'), 20_000).unref()),
      ]);
      stopped = outcome === 'stopped';
      expect(outcome).toBe('stopped');
    } finally {
      if (!stopped) await late.stop().catch(() => undefined);
    }
  });

  it('every station took every change the hub sent', () => {
    for (const station of [intake, register]) {
      expect(station.db.prepare("SELECT id, data FROM hub_records WHERE entity = 'apply_failed'").all()).toEqual([]);
      expect(station.db.prepare("SELECT command_id, kind, result FROM hub_outbox WHERE state = 'rejected'").all()).toEqual([]);
    }
  });
});
