/**
 * Who the hub is: its id and epoch (hub_meta), its TLS key and self-signed certificate (made at
 * first start, kept in the data folder, pinned by registers at pairing) and the admin token the
 * `npm run hub -- <command>` helpers use on 127.0.0.1.
 */
import { X509Certificate, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { generate } from 'selfsigned';
import { ulid } from 'ulid';

export interface HubMeta {
  hubId: string;
  hubEpoch: string;
  storeName: string;
}

export async function ensureMeta(pool: pg.Pool, storeName: string, now = Date.now()): Promise<HubMeta> {
  await pool.query(
    'INSERT INTO hub_meta (id, hub_id, hub_epoch, store_name, created_at, last_version) VALUES (1, $1, $2, $3, $4, 0) ON CONFLICT (id) DO NOTHING',
    [ulid(), ulid(), storeName, now],
  );
  return readMeta(pool);
}

export async function readMeta(pool: pg.Pool | pg.PoolClient): Promise<HubMeta> {
  const { rows } = await pool.query<{ hub_id: string; hub_epoch: string; store_name: string }>('SELECT hub_id, hub_epoch, store_name FROM hub_meta WHERE id = 1');
  const row = rows[0];
  if (!row) throw new Error('hub_meta is missing');
  return { hubId: row.hub_id, hubEpoch: row.hub_epoch, storeName: row.store_name };
}

export interface HubTls {
  key: string;
  cert: string;
  /** "AB:CD:…", as Node's peer certificate fingerprint256. */
  fingerprint256: string;
}

/** Loads the hub's key and certificate, making them on first start (EC P-256, ten years, SAN hub.local + localhost). */
export async function ensureTls(dataDir: string): Promise<HubTls> {
  const dir = join(dataDir, 'tls');
  const keyPath = join(dir, 'hub-key.pem');
  const certPath = join(dir, 'hub-cert.pem');
  if (!existsSync(keyPath) || !existsSync(certPath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const notAfter = new Date(Date.now() + 10 * 365 * 24 * 3600_000);
    const pems = await generate([{ name: 'commonName', value: 'hub.local' }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notAfterDate: notAfter,
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [{ type: 2, value: 'hub.local' }, { type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
      ],
    });
    writeFileSync(keyPath, pems.private, { mode: 0o600 });
    writeFileSync(certPath, pems.cert, { mode: 0o644 });
  }
  const key = readFileSync(keyPath, 'utf8');
  const cert = readFileSync(certPath, 'utf8');
  return { key, cert, fingerprint256: new X509Certificate(cert).fingerprint256 };
}

/** The token the local admin commands present (a file only this account can read). */
export function ensureAdminToken(dataDir: string): string {
  const path = join(dataDir, 'admin-token');
  if (!existsSync(path)) writeFileSync(path, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(path, 'utf8').trim();
}
