/**
 * Pairing and device tokens (research/hub.md §5.2, §5.4). The hub shows a one-time 8-digit code
 * (10 minutes, single use). A register proves it knows the code with an HMAC over the certificate
 * fingerprint it saw, so a relay showing another certificate cannot pair. Each device gets its own
 * token `<deviceId>.<secret>`; the hub keeps only sha256(secret). Revoking a device kills its token
 * at once (the server also closes its open sockets).
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import { ulid } from 'ulid';
import { pairingProof, type DeviceRole, type PairRequest } from './protocol.js';
import { appendHubAudit, inTransaction, writeChanges } from './changes.js';

export const PAIRING_CODE_MS = 10 * 60_000;

export class PairingRefused extends Error {}

export async function newPairingCode(pool: pg.Pool, now = Date.now()): Promise<{ code: string; expiresAt: number }> {
  const code = String(randomInt(0, 100_000_000)).padStart(8, '0');
  const expiresAt = now + PAIRING_CODE_MS;
  await pool.query('INSERT INTO pairing_codes (id, code, created_at, expires_at) VALUES ($1, $2, $3, $4)', [ulid(), code, now, expiresAt]);
  return { code, expiresAt };
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface PairedDevice {
  deviceId: string;
  deviceToken: string;
}

/** Checks the proof against every live code and pairs the device with the one it matches. */
export async function pairDevice(pool: pg.Pool, request: PairRequest, hubFingerprint256: string, now = Date.now()): Promise<PairedDevice> {
  if (request.fingerprint256 !== hubFingerprint256) {
    throw new PairingRefused("The hub's certificate is not the one this station saw: something on the network stands between them. Pair on the store's own network.");
  }
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ id: string; code: string }>('SELECT id, code FROM pairing_codes WHERE used_at IS NULL AND expires_at > $1 FOR UPDATE', [now]);
    const match = rows.find((row) => sameHex(pairingProof(row.code, hubFingerprint256), request.codeProof));
    if (!match) throw new PairingRefused('That pairing code is not right or has run out: make a new one on the hub (npm run hub -- code) and type it again.');
    const deviceId = ulid();
    const secret = randomBytes(32).toString('base64url');
    await client.query('UPDATE pairing_codes SET used_at = $2, used_by = $3 WHERE id = $1', [match.id, now, deviceId]);
    await client.query('INSERT INTO devices (device_id, name, role, secret_hash, paired_at, last_seq) VALUES ($1, $2, $3, $4, $5, 0)', [
      deviceId,
      request.deviceName,
      request.role,
      hashSecret(secret),
      now,
    ]);
    await appendHubAudit(client, { deviceId, employeeId: null, action: 'device.paired', details: { name: request.deviceName, role: request.role }, at: now });
    await writeChanges(client, [{ entity: 'device', id: deviceId, op: 'upsert', data: { deviceId, name: request.deviceName, role: request.role, pairedAt: now, revokedAt: null } }], { commandId: null, deviceId, at: now });
    return { deviceId, deviceToken: `${deviceId}.${secret}` };
  });
}

export interface AuthenticatedDevice {
  deviceId: string;
  name: string;
  role: DeviceRole;
  lastSeq: number;
  backedUpSeq: number;
}

export type AuthOutcome = { ok: true; device: AuthenticatedDevice } | { ok: false; code: 'unauthorised' | 'revoked'; message: string };

export async function authenticate(pool: pg.Pool, token: string): Promise<AuthOutcome> {
  const dot = token.indexOf('.');
  const deviceId = dot > 0 ? token.slice(0, dot) : '';
  const secret = dot > 0 ? token.slice(dot + 1) : '';
  const { rows } = await pool.query<{ name: string; role: DeviceRole; secret_hash: string; revoked_at: number | null; last_seq: number; backed_up_seq: number }>(
    'SELECT name, role, secret_hash, revoked_at, last_seq, backed_up_seq FROM devices WHERE device_id = $1',
    [deviceId],
  );
  const row = rows[0];
  if (!row || !secret || !sameHex(hashSecret(secret), row.secret_hash)) {
    return { ok: false, code: 'unauthorised', message: 'The hub does not know this station: pair it again in Settings → Store hub.' };
  }
  if (row.revoked_at !== null) return { ok: false, code: 'revoked', message: 'A manager removed this station from the store hub: pair it again in Settings → Store hub.' };
  return { ok: true, device: { deviceId, name: row.name, role: row.role, lastSeq: row.last_seq, backedUpSeq: row.backed_up_seq } };
}

export async function revokeDevice(pool: pg.Pool, deviceId: string, reason: string, now = Date.now()): Promise<boolean> {
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ name: string; role: string }>('UPDATE devices SET revoked_at = $2, revoked_reason = $3 WHERE device_id = $1 AND revoked_at IS NULL RETURNING name, role', [deviceId, now, reason]);
    const row = rows[0];
    if (!row) return false;
    await appendHubAudit(client, { deviceId: null, employeeId: null, action: 'device.revoked', details: { deviceId, name: row.name, reason }, at: now });
    await writeChanges(client, [{ entity: 'device', id: deviceId, op: 'upsert', data: { deviceId, name: row.name, role: row.role, revokedAt: now } }], { commandId: null, deviceId: null, at: now });
    return true;
  });
}

export interface DeviceListing {
  deviceId: string;
  name: string;
  role: string;
  pairedAt: number;
  revokedAt: number | null;
  lastSeenAt: number | null;
  clockOffsetMs: number | null;
  lastSeq: number;
  backedUpSeq: number;
  status: unknown;
}

export async function listDevices(pool: pg.Pool): Promise<DeviceListing[]> {
  const { rows } = await pool.query<{ device_id: string; name: string; role: string; paired_at: number; revoked_at: number | null; last_seen_at: number | null; clock_offset_ms: number | null; last_seq: number; backed_up_seq: number; status: unknown }>(
    'SELECT * FROM devices ORDER BY paired_at',
  );
  return rows.map((r) => ({ deviceId: r.device_id, name: r.name, role: r.role, pairedAt: r.paired_at, revokedAt: r.revoked_at, lastSeenAt: r.last_seen_at, clockOffsetMs: r.clock_offset_ms, lastSeq: r.last_seq, backedUpSeq: r.backed_up_seq, status: r.status }));
}
