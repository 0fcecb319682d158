/**
 * mDNS advertisement (`_registerhub._tcp`) with the hub id and certificate fingerprint in TXT: a
 * hint for the Settings screen only (registers trust the pinned certificate, never the announcement).
 */
import { Bonjour } from 'bonjour-service';
import { HUB_SERVICE_TYPE, PROTOCOL_VERSION } from './protocol.js';

export function advertise(options: { port: number; hubId: string; storeName: string; fingerprint256: string; log: (line: string) => void }): () => Promise<void> {
  let bonjour: Bonjour | undefined;
  try {
    bonjour = new Bonjour({}, (error: unknown) => options.log(`mDNS: ${error instanceof Error ? error.message : String(error)} (registers can still type the hub's address)`));
    bonjour.publish({
      name: `${options.storeName} hub ${options.hubId.slice(-6)}`,
      type: HUB_SERVICE_TYPE,
      port: options.port,
      txt: { hubId: options.hubId, fp: options.fingerprint256.replace(/:/g, '').slice(0, 32), v: String(PROTOCOL_VERSION) },
    });
  } catch (error) {
    options.log(`mDNS advertisement failed: ${error instanceof Error ? error.message : String(error)} (registers can still type the hub's address)`);
  }
  return () =>
    new Promise<void>((resolve) => {
      if (!bonjour) return resolve();
      const b = bonjour;
      b.unpublishAll(() => {
        b.destroy();
        resolve();
      });
      setTimeout(resolve, 2000).unref();
    });
}
