/** Document sources: the watched folder (each image once, never half-written) and the command source. */
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceSupervisor } from '../../../main/devices/driver.js';
import { DocumentStore, runDocumentCommand, sniffDocument, WatchedFolderTransport, type StoredDocument } from '../../../main/devices/transports/documents.js';
import { tempDir } from '../../support/paths.js';
import { until } from './until.js';

/** A small but complete PNG (1×1). */
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 7), Buffer.from([0xff, 0xd9])]);

describe('document sources', () => {
  const temps: Array<{ cleanup(): void }> = [];
  let supervisor: DeviceSupervisor | null = null;
  afterEach(async () => {
    await supervisor?.stop();
    supervisor = null;
    for (const temp of temps.splice(0)) temp.cleanup();
  });

  it('knows a complete image from a partial one', () => {
    expect(sniffDocument(PNG)).toEqual({ mime: 'image/png', complete: true });
    expect(sniffDocument(PNG.subarray(0, 40))).toEqual({ mime: 'image/png', complete: false });
    expect(sniffDocument(JPEG.subarray(0, 100))).toEqual({ mime: 'image/jpeg', complete: false });
    expect(sniffDocument(Buffer.from('hello'))).toBeNull();
  });

  it('picks up a new image once, and ignores a partial write until it is whole', async () => {
    const temp = tempDir('register-docs-');
    temps.push(temp);
    const inbox = join(temp.dir, 'inbox');
    mkdirSync(inbox);
    const delivered: StoredDocument[] = [];
    const problems: string[] = [];
    const transport = new WatchedFolderTransport(inbox, new DocumentStore(join(temp.dir, 'documents')), (doc) => delivered.push(doc), { pollMs: 20, stableMs: 80 });
    supervisor = new DeviceSupervisor('folder', transport, { searchIntervalMs: 50, backoffInitialMs: 50, backoffMaxMs: 100 });
    supervisor.on('error', (error: Error) => problems.push(error.message));
    supervisor.start();
    await until('watching', () => supervisor!.status().state === 'connected');

    writeFileSync(join(inbox, 'front.png'), PNG);
    await until('the image', () => delivered[0]);
    expect(delivered[0]!.sha256).toBe(createHash('sha256').update(PNG).digest('hex'));
    expect(readFileSync(delivered[0]!.file)).toEqual(PNG);
    expect(existsSync(join(inbox, 'front.png'))).toBe(false);

    // A slow writer: the first half sits there, stable, for well over the stability time.
    const slow = join(inbox, 'back.jpg');
    const fd = openSync(slow, 'w');
    writeSync(fd, JPEG.subarray(0, 1000));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(delivered).toHaveLength(1);
    writeSync(fd, JPEG.subarray(1000));
    closeSync(fd);
    await until('the whole second image', () => delivered[1]);
    expect(delivered[1]!.sizeBytes).toBe(JPEG.length);

    // The same image saved again is not delivered a second time; a non-image is left alone.
    writeFileSync(join(inbox, 'front-again.png'), PNG);
    writeFileSync(join(inbox, 'notes.txt'), 'not an image');
    await until('the non-image refused', () => problems.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(delivered).toHaveLength(2);
    expect(existsSync(join(inbox, 'notes.txt'))).toBe(true);
  });

  it('runs a scan command that writes an image, and explains one that fails', async () => {
    const temp = tempDir('register-cmd-');
    temps.push(temp);
    const fixture = join(temp.dir, 'scan.png');
    writeFileSync(fixture, PNG);
    const store = new DocumentStore(join(temp.dir, 'documents'));
    const stored = await runDocumentCommand(['cp', fixture, '{out}'], store);
    expect(stored).toMatchObject({ mime: 'image/png', sizeBytes: PNG.length, isNew: true });
    await expect(runDocumentCommand(['false'], store)).rejects.toThrow(/did not scan/);
    await expect(runDocumentCommand(['/no/such/scanimage', '{out}'], store)).rejects.toThrow(/could not start/);
  });
});
