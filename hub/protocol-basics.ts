/** The protocol's limits and shared field shapes (see protocol.ts for the whole flow). */
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;
/**
 * Behaviour a station asks for in `hello` (optional, so a station that names none gets protocol
 * 1's first answers, and a hub that knows none ignores them):
 * - `seq_resume`: a pushed command whose deviceSeq the hub already used for another command (a
 *   register restored from an older backup) is answered 'gap' with `expectedSeq` past the hub's
 *   last number ("go on from N"): the station numbers it and the later ones again from there.
 *   Without it the command is rejected ("already used"), which a station that does not know the
 *   new answer handles (an older one would wait for a command it no longer has).
 * - `caregiver_links`: pull replies carry `customer_caregiver` change rows (a patient customer
 *   linked to a caregiver customer). A station that does not name it never gets them: its pull
 *   reply schema lists change entities without it and would refuse the whole page.
 */
export const HUB_CAPABILITIES = ['seq_resume', 'caregiver_links'] as const;
export type HubCapability = (typeof HUB_CAPABILITIES)[number];
/** mDNS service type the hub advertises (`_registerhub._tcp`): a hint only, never trusted. */
export const HUB_SERVICE_TYPE = 'registerhub';
/** Most commands in one push. */
export const MAX_PUSH_BATCH = 100;
/** Most change rows in one pull page. */
export const MAX_PULL_LIMIT = 1000;
/** A queue lease's length on the hub's clock; registers renew every LEASE_RENEW_MS. */
export const LEASE_MS = 90_000;
export const LEASE_RENEW_MS = 30_000;

export const ulid = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'a ULID');
export const epochMs = z.number().int().nonnegative();
export const cents = z.number().int();
export const nonEmpty = z.string().min(1).max(500);

export const deviceRole = z.enum(['register', 'intake']);
export type DeviceRole = z.infer<typeof deviceRole>;

/** sha256 of the hub certificate (DER), as Node's `cert.fingerprint256`: "AB:CD:…". */
export const fingerprint256 = z.string().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'a SHA-256 fingerprint');
