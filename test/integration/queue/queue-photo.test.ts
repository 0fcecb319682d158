/**
 * The queue tile's photo (demo store, real SQLite): the ID image kept on the profile (a captured or
 * uploaded Full License, written here as the row a capture leaves) is the tile's photo until a
 * profile photo is chosen; initials while there is neither.
 */
import { afterEach, expect, it } from 'vitest';
import { join } from 'node:path';
import { ulid } from 'ulid';
import Database from 'better-sqlite3';
import type { ResponseEnvelope } from '../../../preload/api.js';
import { startTestRegister, type TestRegister } from '../../support/register.js';

const open: TestRegister[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) await r.close();
});

function value<T>(response: ResponseEnvelope): T {
  if (!response.ok) throw new Error(`call failed: ${response.error.code} ${response.error.message}`);
  return response.value as T;
}

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

it('shows the kept ID image on the tile until a profile photo is chosen', async () => {
  const r = await startTestRegister();
  open.push(r);
  const handle = new Database(join(r.dataDir, 'register.sqlite'));
  const olivia = (handle.prepare("SELECT id FROM customers WHERE first_name = 'Olivia' AND last_name = 'Hart'").get() as { id: string }).id;
  handle.close();
  value(await r.call('session.login', { pin: '1111' }));
  value(await r.call('queue.checkIn', { commandId: ulid(), customerId: olivia, as: 'adult_use', allotments: [] }));
  const tile = async () =>
    value<{ entries: Array<{ customerId: string; photoDocumentId: string | null; initials: string }> }>(await r.call('queue.list', {})).entries.find((e) => e.customerId === olivia)!;
  expect(await tile()).toMatchObject({ photoDocumentId: null, initials: 'OH' });

  const db = new Database(join(r.dataDir, 'register.sqlite'));
  const kept = db.prepare(
    `INSERT INTO customer_documents (id, customer_id, kind, title, sha256, mime, size_bytes, added_at) VALUES (?, ?, 'full_licence', 'Full License', 'x', ?, 1, ?)`,
  );
  kept.run('01JIDIMAGEPDF000000000000', olivia, 'application/pdf', 1);
  expect((await tile()).photoDocumentId).toBeNull(); // not an image a tile can draw
  kept.run('01JIDIMAGEPNG000000000000', olivia, 'image/png', 2);
  db.close();
  expect((await tile()).photoDocumentId).toBe('01JIDIMAGEPNG000000000000');

  const uploadId = ulid();
  value(await r.call('customers.uploadPart', { uploadId, index: 0, dataBase64: PNG.toString('base64') }));
  const photo = value<{ id: string }>(
    await r.call('customers.addDocument', { commandId: ulid(), customerId: olivia, kind: 'profile_photo', mime: 'image/png', source: { from: 'upload', uploadId } }),
  ).id;
  expect((await tile()).photoDocumentId).toBe(photo);
});
