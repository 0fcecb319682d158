/** The hub's administration (pairing codes, devices, grants, backups): the admin HTTP routes and the CLI use it. */
import { z } from 'zod';
import type pg from 'pg';
import { newPairingCode, listDevices, revokeDevice } from './pairing.js';
import { revokeGrant } from './claims.js';
import { takeBackup } from './backup.js';
import { latestVersion } from './log.js';
import type { HubMeta, HubTls } from './identity.js';

export interface AdminApi {
  handle(method: string, path: string, body: unknown): Promise<unknown>;
}

const reasonBody = z.object({ reason: z.string().trim().min(1).max(500) }).partial();

export function createAdmin(deps: {
  pool: pg.Pool;
  dataDir: string;
  backupCopyDirs: string[];
  tls: HubTls;
  meta: () => HubMeta;
  connected: () => string[];
  disconnect: (deviceId: string) => void;
  log: (line: string) => void;
}): AdminApi {
  return {
    async handle(method, path, body) {
      if (method === 'POST' && path === '/admin/code') {
        const code = await newPairingCode(deps.pool);
        deps.log(`pairing code ${code.code} (valid 10 minutes); hub certificate ${deps.tls.fingerprint256}`);
        return { ...code, fingerprint256: deps.tls.fingerprint256 };
      }
      if (method === 'GET' && path === '/admin/devices') {
        const connected = new Set(deps.connected());
        return (await listDevices(deps.pool)).map((d) => ({ ...d, connected: connected.has(d.deviceId) }));
      }
      if (method === 'GET' && path === '/admin/status') {
        const meta = deps.meta();
        return { ...meta, fingerprint256: deps.tls.fingerprint256, latestVersion: await latestVersion(deps.pool), connected: deps.connected().length };
      }
      if (method === 'POST' && path === '/admin/backup') return takeBackup(deps.pool, deps.dataDir, { copyDirs: deps.backupCopyDirs });
      const device = /^\/admin\/devices\/([0-9A-Z]{26})\/revoke$/.exec(path);
      if (method === 'POST' && device?.[1]) {
        const reason = reasonBody.parse(body ?? {}).reason ?? 'revoked by a manager';
        const revoked = await revokeDevice(deps.pool, device[1], reason);
        deps.disconnect(device[1]);
        deps.log(`device ${device[1]} ${revoked ? 'revoked' : 'was already revoked or unknown'}`);
        return { deviceId: device[1], revoked };
      }
      const grant = /^\/admin\/grants\/([0-9A-Z]{26})\/revoke$/.exec(path);
      if (method === 'POST' && grant?.[1]) {
        const reason = reasonBody.parse(body ?? {}).reason ?? 'revoked by a manager on the hub';
        return revokeGrant(deps.pool, { deviceId: null, employeeId: null }, grant[1], reason);
      }
      throw new Error(`unknown admin call ${method} ${path}`);
    },
  };
}
