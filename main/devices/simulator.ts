/**
 * The scan simulator endpoint: lets `npm run -s scan` hand a scan to a running register, for
 * the demo and for tests. It exists only when the register starts with REGISTER_SCAN_SIMULATOR=1:
 * an HTTP listener on 127.0.0.1 (random port) that accepts `POST /scan` with
 * `Authorization: Bearer <token>`, where the token is 32 random bytes written with the port to
 * `<dataDir>/scan-simulator.json` (mode 0600, removed at close). Only someone who can read the
 * register's data folder (and so its database) can send scans.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { z } from 'zod';

export const SIMULATOR_FILE = 'scan-simulator.json';

export const simulatedScanSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('licence'), text: z.string().min(1).max(8192) }).strict(),
  z.object({ kind: z.literal('barcode'), code: z.string().min(1).max(200), symbology: z.string().max(40).optional() }).strict(),
  z.object({ kind: z.literal('card'), cardNumber: z.string().regex(/^\d{6,19}$/, 'A card number is 6 to 19 digits.') }).strict(),
]);
export type SimulatedScan = z.infer<typeof simulatedScanSchema>;

export const simulatorFileSchema = z.object({ port: z.number().int(), token: z.string().min(16), pid: z.number().int() });

/** The bytes a real device would deliver for a simulated scan. */
export function simulatedBytes(scan: SimulatedScan): { bytes: Uint8Array; symbology: string | null } {
  switch (scan.kind) {
    case 'licence':
      return { bytes: Buffer.from(scan.text, 'latin1'), symbology: ']L0 PDF417' };
    case 'barcode':
      return { bytes: Buffer.from(scan.code, 'latin1'), symbology: scan.symbology ?? null };
    case 'card':
      // A rewards card swipe: track 1 (format B) then track 2, as a keyboard reader types it.
      return { bytes: Buffer.from(`%B${scan.cardNumber}^REWARDS/MEMBER^4912101?;${scan.cardNumber}=4912101?`, 'latin1'), symbology: null };
  }
}

export interface SimulatorEndpoint {
  port: number;
  close(): Promise<void>;
}

export async function startSimulatorEndpoint(
  dataDir: string,
  deliver: (scan: SimulatedScan) => { kind: string; message?: string },
): Promise<SimulatorEndpoint> {
  const token = randomBytes(32).toString('base64url');
  const expected = Buffer.from(`Bearer ${token}`);
  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    };
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply(401, { error: 'wrong or missing token' });
    // A browser page must never reach this: refuse anything with an Origin.
    if (req.headers.origin) return reply(403, { error: 'not for browsers' });
    if (req.method !== 'POST' || req.url !== '/scan') return reply(404, { error: 'POST /scan only' });
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > 64 * 1024) req.destroy();
    });
    req.on('end', () => {
      let parsed: SimulatedScan;
      try {
        parsed = simulatedScanSchema.parse(JSON.parse(body));
      } catch (error) {
        return reply(400, { error: `not a scan: ${error instanceof Error ? error.message : String(error)}` });
      }
      reply(200, deliver(parsed));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const file = join(dataDir, SIMULATOR_FILE);
  writeFileSync(file, JSON.stringify({ port, token, pid: process.pid }), { mode: 0o600 });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        rmSync(file, { force: true });
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
