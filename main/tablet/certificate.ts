/**
 * The tablet server's TLS certificate: self-signed, made at the first start of the tablet server
 * and kept in the data folder (tablet-tls.key / tablet-tls.crt, readable by this user only), so
 * its fingerprint stays the same and a tablet that accepted it once keeps trusting it. Settings ›
 * Tablet shows its SHA-256 fingerprint beside the pairing code: staff compare it with the one the
 * tablet's browser shows before accepting the certificate.
 */
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { loadLater } from '../core/load-later.js';

export interface TabletCertificate {
  key: string;
  cert: string;
  /** SHA-256, as browsers show it: AA:BB:… */
  fingerprint: string;
}

const KEY_FILE = 'tablet-tls.key';
const CERT_FILE = 'tablet-tls.crt';

/** The machine's IPv4 addresses on the LAN (not loopback). */
export function lanAddresses(): string[] {
  const found: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const entry of list ?? []) {
      if (entry.family === 'IPv4' && !entry.internal) found.push(entry.address);
    }
  }
  return found;
}

export async function ensureCertificate(dataDir: string, now: number): Promise<TabletCertificate> {
  const keyFile = join(dataDir, KEY_FILE);
  const certFile = join(dataDir, CERT_FILE);
  if (existsSync(keyFile) && existsSync(certFile)) {
    const key = readFileSync(keyFile, 'utf8');
    const cert = readFileSync(certFile, 'utf8');
    const parsed = new X509Certificate(cert);
    if (new Date(parsed.validTo).getTime() > now + 30 * 86_400_000) return { key, cert, fingerprint: parsed.fingerprint256 };
  }
  const altNames = [
    { type: 2 as const, value: 'localhost' },
    { type: 7 as const, ip: '127.0.0.1' },
    ...lanAddresses().map((ip) => ({ type: 7 as const, ip })),
  ];
  // Loaded here, not at start: the certificate library takes half a second to load (issue 12, start-up).
  const { generate } = loadLater<typeof import('selfsigned')>('selfsigned');
  const made = await generate([{ name: 'commonName', value: 'Dispensary Register tablet server' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 86_400_000),
    notAfterDate: new Date(now + 10 * 365 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  writeFileSync(keyFile, made.private, { mode: 0o600 });
  writeFileSync(certFile, made.cert, { mode: 0o600 });
  try {
    chmodSync(keyFile, 0o600);
  } catch {
    // Windows: the data folder's ACL already keeps it to this user.
  }
  return { key: made.private, cert: made.cert, fingerprint: new X509Certificate(made.cert).fingerprint256 };
}
