/**
 * The register–hub protocol (v1): the one file both the hub (hub/) and the register's side
 * (main/hub-sync/) import. Every message that crosses between them is parsed with these schemas.
 *
 * Flow (research/hub.md §5, §6.3):
 *  1. Pairing (once per station), HTTPS `POST /v1/pair` with a PairRequest. The hub prints a
 *     one-time code (8 digits, 10 minutes, single use) and its certificate's SHA-256 fingerprint.
 *     The register connects with TLS verification off for this one call, reads the certificate's
 *     fingerprint, and sends `codeProof = HMAC-SHA256(key = code, message = fingerprint)` rather than
 *     the code, so a relay in the middle (which shows another certificate) cannot pair. The answer
 *     gives the device id and its token (shown once; the hub stores only a hash), the hub's id, epoch
 *     and fingerprint; from then on the register pins that fingerprint on every connection.
 *  2. Session: a WebSocket to `wss://<hub>/v1/ws`. The first message is `hello` with the token; the
 *     answer gives the hub's id and epoch, the last command sequence number the hub holds for this
 *     device, the latest change version and the hub's clock. Every request carries a `rid` chosen by
 *     the register; the hub answers with a `reply` or an `error` carrying the same `rid`. `hello`
 *     may name capabilities (HUB_CAPABILITIES, optional): behaviour added after protocol 1's first
 *     release, given only on a session that asked for it (the reply says which). The same
 *     requests also work as HTTPS `POST /v1/rpc` (header `Authorization: Device <token>`, body one
 *     request), for a register that prefers plain requests.
 *  3. Push: the register sends its hub outbox in order as commands (its own ULID `commandId`, a
 *     per-device `deviceSeq` starting at 1 with no gaps, a `kind` and its payload). Each command is
 *     applied in its own transaction, once: a command sent again gets its first answer back
 *     ('duplicate'). A sequence gap stops the batch with `expectedSeq` (resend from there); a
 *     number the hub already used is refused, or, with `seq_resume`, answered like a gap with
 *     `expectedSeq` past it (go on from there). A rejection is stored, so a retry gets the same
 *     answer; it goes to a person, never to a retry.
 *  4. Pull: `pull(since)` returns change rows with `version > since` in version order; version order
 *     is commit order on the hub, so a register that advances to the last version it saw never skips
 *     a row. Apply a page, advance, pull again while `more`. Entities added after protocol 1's first
 *     release go only to a session whose hello named their capability (ENTITY_CAPABILITY); a
 *     register reads an entity it does not know as 'unknown', records it and skips it.
 *  5. Doorbell: after a commit the hub sends `{type:'doorbell', version}` on every open socket; a
 *     register behind that version pulls. A doorbell can be lost: pull every 10 s anyway.
 *  6. Epoch: a new or restored hub has a new `hubEpoch`. A register that sees another epoch than the
 *     one it synced with forgets its version, pulls from 0 and pushes again every command after the
 *     hub's `lastSeq` for it (kept outbox rows: prune only what a hub backup holds). Requests that
 *     carry a stale epoch are refused with `wrong_epoch`.
 *  7. Queue claims and allotment grants (research §4.2, §4.4) are synchronous calls: `claim` leases
 *     a queue entry to the device for 90 s on the hub's clock (renew every 30 s while a ticket for
 *     the customer is open; `release` when it closes without a sale) and, for a medical
 *     patient, grants the device the patient's whole remaining allotment (escrow). Only the holder
 *     sells medical to the patient. `grant_return` closes the grant with what was used; the hub frees
 *     the rest. A grant never lapses: only its holder returns it, or a manager revokes it
 *     (`grant_revoke`, audited and flagged for reconciliation). Stations pull a queue entry's
 *     change when its holder or lease epoch changes (a claim, a release), not on a renewal; a lease
 *     that runs out (its holder went silent) is cleared by the hub's sweep, which writes the change
 *     too, so no station keeps showing the customer served there.
 *  8. Document files: `HEAD`/`PUT`/`GET /v1/files/<sha256>` over the same pinned HTTPS (header
 *     `Authorization: Device <token>`), a file before the `customer.document.add` that names it.
 *     A file the hub finds damaged on its disk is moved aside and answered 404, and each document
 *     with it is published again with `fileLostAt`: a station that holds the file whole sends it
 *     again (main/hub-sync/files.ts).
 *
 * Conventions: ids ULIDs, money integer cents, weights mg, times UTC epoch ms. Command kinds are a
 * discriminated union on `kind`: add a kind by adding a schema to `commandBody` in
 * protocol-commands.ts. Requests, replies and wire frames are in protocol-requests.ts. Whose allotment
 * a visit or sale uses is one rule on both sides: allotment-holder.ts.
 */
import { createHmac } from 'node:crypto';

export * from './allotment-holder.js';
export * from './protocol-basics.js';
export * from './protocol-commands.js';
export * from './protocol-requests.js';

/** HMAC proof of the pairing code over the fingerprint the register saw (hex). Node only. */
export function pairingProof(code: string, seenFingerprint256: string): string {
  return createHmac('sha256', code).update(seenFingerprint256).digest('hex');
}
