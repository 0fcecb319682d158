/**
 * Customer documents' files in hub backups (research/hub.md §6.4): a file a station sent whole is in
 * the next backup, and a hub restored from that backup on another PC serves it again, byte for byte.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../hub/postgres.js';
import { restoreHub } from '../../hub/backup-restore.js';
import { pairedStation, startTestHub, type TestHub } from '../support/hub-server.js';

const root = mkdtempSync(join(tmpdir(), 'hub-backup-files-'));
const running: TestHub[] = [];

afterAll(async () => {
  for (const t of running) {
    t.hub.pool.on('error', () => undefined);
    await t.stop().catch(() => undefined);
  }
  rmSync(root, { recursive: true, force: true });
}, 60_000);

function send(t: TestHub, method: 'PUT' | 'GET', sha: string, token: string, body?: Buffer): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port: t.hub.port, method, path: `/v1/files/${sha}`, ca: t.hub.tls.cert, headers: { authorization: `Device ${token}` }, timeout: 20_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('document files in hub backups', () => {
  it('a restored hub on another PC serves the files the lost one held', async () => {
    const first = await startTestHub({ dataDir: join(root, 'pc1') });
    running.push(first);
    const station = await pairedStation(first.hub, 'Register 1');
    const permit = Buffer.from("%PDF-1.4 a doctor's permit, scanned at intake");
    const sha = createHash('sha256').update(permit).digest('hex');
    expect((await send(first, 'PUT', sha, station.token, permit)).status).toBe(200);
    const backup = await first.hub.backup();
    station.close();
    await first.stop();
    running.splice(running.indexOf(first), 1);

    // The backup holds the file as a file, named by its sha256.
    expect(readFileSync(join(backup.path, 'files', sha)).equals(permit)).toBe(true);
    expect(backup.files).toBe(1);

    const pc2 = join(root, 'pc2', 'hub');
    const db = await openDatabase({ dataDir: pc2 });
    try {
      expect((await restoreHub(db.pool, backup.path, pc2)).files).toBe(1);
    } finally {
      await db.close();
    }
    const second = await startTestHub({ dataDir: pc2 });
    running.push(second);
    const got = await send(second, 'GET', sha, station.token);
    expect(got.status).toBe(200);
    expect(got.body.equals(permit)).toBe(true);
  }, 180_000);
});
