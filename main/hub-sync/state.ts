/**
 * The paired hub as this station knows it (the hub_sync row): read, save at pairing, advance.
 * The device token is sealed by the register's SecretBox, like the track-and-trace password.
 */
import type Database from 'better-sqlite3';
import type { SecretBox } from '../core/secret-box.js';
import { cachedStatement } from '../store/statements.js';
import { captureEverything } from './capture.js';

export interface HubState {
  address: string;
  hubId: string;
  fingerprint: string;
  deviceId: string;
  deviceName: string;
  role: 'register' | 'intake';
  tokenSealed: string;
  hubEpoch: string;
  lastVersion: number;
  lastSeq: number;
  clockOffsetMs: number;
  pairedAt: number;
  lastContactAt: number | null;
  offlineSince: number | null;
}

export interface Pairing {
  address: string;
  hubId: string;
  hubEpoch: string;
  fingerprint: string;
  deviceId: string;
  deviceName: string;
  role: 'register' | 'intake';
  deviceToken: string;
  clockOffsetMs: number;
}

const COLUMNS = `address, hub_id AS hubId, fingerprint, device_id AS deviceId, device_name AS deviceName, role, token_sealed AS tokenSealed,
  hub_epoch AS hubEpoch, last_version AS lastVersion, last_seq AS lastSeq, clock_offset_ms AS clockOffsetMs, paired_at AS pairedAt,
  last_contact_at AS lastContactAt, offline_since AS offlineSince`;

export function readHubState(sqlite: Database.Database): HubState | null {
  return (cachedStatement(sqlite, `SELECT ${COLUMNS} FROM hub_sync WHERE id = 1`).get() as HubState | undefined) ?? null;
}

/** Record a pairing (a new hub replaces an old one; the outbox's sequence goes on, so nothing is lost). */
export function savePairing(sqlite: Database.Database, box: SecretBox, pairing: Pairing, now: number): void {
  const sealed = box.seal(pairing.deviceToken);
  sqlite
    .transaction(() => {
      const seq = (sqlite.prepare('SELECT COALESCE(MAX(device_seq), 0) AS seq FROM hub_outbox').get() as { seq: number }).seq;
      const previous = readHubState(sqlite);
      // Another hub (or this device paired again under a new id): its commands start from 1 there.
      const sameDevice = previous !== null && previous.hubId === pairing.hubId && previous.deviceId === pairing.deviceId;
      if (!sameDevice) sqlite.prepare('DELETE FROM hub_outbox').run();
      sqlite.prepare('DELETE FROM hub_sync').run();
      sqlite
        .prepare(
          `INSERT INTO hub_sync (id, address, hub_id, fingerprint, device_id, device_name, role, token_sealed, hub_epoch, last_version, last_seq,
             clock_offset_ms, paired_at, last_contact_at, offline_since)
           VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
        )
        .run(
          pairing.address,
          pairing.hubId,
          pairing.fingerprint,
          pairing.deviceId,
          pairing.deviceName,
          pairing.role,
          sealed,
          pairing.hubEpoch,
          sameDevice ? previous.lastVersion : 0,
          sameDevice ? seq : 0,
          pairing.clockOffsetMs,
          now,
          now,
        );
      // A first pairing with this hub: it learns what this station already holds.
      if (!sameDevice) captureEverything(sqlite, now);
    })
    .immediate();
}

export function openToken(state: HubState, box: SecretBox): string {
  return box.open(state.tokenSealed);
}

/** Forget the hub (unpair): commands not yet sent stay in the outbox for a manager to see, none are added. */
export function forgetHub(sqlite: Database.Database): void {
  sqlite.prepare('DELETE FROM hub_sync').run();
}

export function setLastVersion(sqlite: Database.Database, version: number): void {
  cachedStatement(sqlite, 'UPDATE hub_sync SET last_version = ? WHERE id = 1').run(version);
}

/** A new hub epoch (a restored hub): pull everything again. */
export function setEpoch(sqlite: Database.Database, epoch: string): void {
  cachedStatement(sqlite, 'UPDATE hub_sync SET hub_epoch = ?, last_version = 0 WHERE id = 1').run(epoch);
}

export function markContact(sqlite: Database.Database, now: number, clockOffsetMs: number | null): void {
  if (clockOffsetMs === null) cachedStatement(sqlite, 'UPDATE hub_sync SET last_contact_at = ?, offline_since = NULL WHERE id = 1').run(now);
  else cachedStatement(sqlite, 'UPDATE hub_sync SET last_contact_at = ?, offline_since = NULL, clock_offset_ms = ? WHERE id = 1').run(now, clockOffsetMs);
}

/** The hub stopped answering: the banner's "since" is the first failure, kept until it answers again. */
export function markOffline(sqlite: Database.Database, now: number): void {
  cachedStatement(sqlite, 'UPDATE hub_sync SET offline_since = COALESCE(offline_since, ?) WHERE id = 1').run(now);
}
