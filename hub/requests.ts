/**
 * One dispatcher for register requests, used by the WebSocket and by HTTPS POST /v1/rpc: validates
 * the epoch, runs the request, and turns refusals into protocol errors with staff-facing words.
 */
import type pg from 'pg';
import { ZodError } from 'zod';
import { HUB_CAPABILITIES, PROTOCOL_VERSION, type ErrorCode, type HubCapability, type HubRequest } from './protocol.js';
import { claimEntry, HubRefusal, reconcileGrants, releaseLease, renewLease, returnGrant, revokeGrant } from './claims.js';
import { hiddenEntities, latestVersion, pullChanges, pushCommands } from './log.js';
import { authenticate, type AuthenticatedDevice } from './pairing.js';
import type { HubMeta } from './identity.js';

export class HubError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: { hubEpoch?: string; heldBy?: string } = {},
  ) {
    super(message);
  }
}

export interface RequestContext {
  pool: pg.Pool;
  meta: () => HubMeta;
  now: () => number;
  log: (line: string) => void;
  /** A queue claim's lease length. */
  leaseMs: number;
}

/** A station's session after hello: who it is, and the behaviour it asked for (HUB_CAPABILITIES). */
export interface Session {
  device: AuthenticatedDevice;
  capabilities: ReadonlySet<HubCapability>;
}

/** The capabilities asked for that this hub knows (the rest are ignored). */
export function grantedCapabilities(asked: readonly string[] | undefined): ReadonlySet<HubCapability> {
  return new Set(HUB_CAPABILITIES.filter((name) => asked?.includes(name)));
}

/** `hello`: checks the token and says where the register stands. */
export async function hello(ctx: RequestContext, request: Extract<HubRequest, { type: 'hello' }>): Promise<Session & { reply: unknown }> {
  if (request.protocolVersion !== PROTOCOL_VERSION) {
    throw new HubError('protocol_version', `This station speaks hub protocol ${request.protocolVersion}; the hub speaks ${PROTOCOL_VERSION}. Update the older one.`);
  }
  const auth = await authenticate(ctx.pool, request.token);
  if (!auth.ok) throw new HubError(auth.code, auth.message);
  const now = ctx.now();
  await ctx.pool.query('UPDATE devices SET last_seen_at = $2, clock_offset_ms = $3 WHERE device_id = $1', [auth.device.deviceId, now, request.clockMs - now]);
  const meta = ctx.meta();
  const capabilities = grantedCapabilities(request.capabilities);
  return {
    device: auth.device,
    capabilities,
    reply: {
      hubId: meta.hubId,
      hubEpoch: meta.hubEpoch,
      deviceId: auth.device.deviceId,
      deviceName: auth.device.name,
      role: auth.device.role,
      lastSeq: auth.device.lastSeq,
      backedUpSeq: auth.device.backedUpSeq,
      latestVersion: await latestVersion(ctx.pool),
      hubTimeMs: now,
      resync: request.knownEpoch !== meta.hubEpoch,
      // Only to a station that asked: an older one gets the reply it knows.
      ...(request.capabilities ? { capabilities: [...capabilities] } : {}),
    },
  };
}

function checkEpoch(ctx: RequestContext, epoch: string): void {
  const current = ctx.meta().hubEpoch;
  if (epoch !== current) throw new HubError('wrong_epoch', 'The store hub was restored: this station is syncing again from the start.', { hubEpoch: current });
}

/**
 * Any request after hello, for an authenticated device. `capabilities`: what its hello asked for
 * (none over HTTPS /v1/rpc, where each request stands alone).
 */
export async function dispatch(ctx: RequestContext, device: AuthenticatedDevice, request: Exclude<HubRequest, { type: 'hello' }>, capabilities: ReadonlySet<HubCapability> = new Set()): Promise<unknown> {
  const hubTimeMs = ctx.now();
  try {
    switch (request.type) {
      case 'push': {
        checkEpoch(ctx, request.hubEpoch);
        const acks = await pushCommands(ctx.pool, device.deviceId, request.commands, {
          now: ctx.now,
          seqResume: capabilities.has('seq_resume'),
          onError: (error, command) => ctx.log(`command ${command.commandId} (${command.kind}) from ${device.name} failed: ${error instanceof Error ? error.stack : String(error)}`),
        });
        await ctx.pool.query('UPDATE devices SET last_seen_at = $2 WHERE device_id = $1', [device.deviceId, hubTimeMs]);
        return { acks, hubTimeMs: ctx.now() };
      }
      case 'pull': {
        checkEpoch(ctx, request.hubEpoch);
        // Entities added with a capability go only to a station that named it in hello.
        const page = await pullChanges(ctx.pool, request.since, request.limit, hiddenEntities(capabilities));
        return { hubEpoch: ctx.meta().hubEpoch, ...page, hubTimeMs: ctx.now() };
      }
      case 'claim': {
        checkEpoch(ctx, request.hubEpoch);
        const result = await claimEntry(ctx.pool, device.deviceId, request.entryId, request.employeeId, hubTimeMs, ctx.leaseMs, request.holderId ?? null);
        return { ...result, hubTimeMs };
      }
      case 'renew':
        checkEpoch(ctx, request.hubEpoch);
        return { ...(await renewLease(ctx.pool, device.deviceId, request.entryId, request.leaseEpoch, hubTimeMs, ctx.leaseMs)), hubTimeMs };
      case 'release':
        checkEpoch(ctx, request.hubEpoch);
        return { ...(await releaseLease(ctx.pool, device.deviceId, request.entryId, request.leaseEpoch, hubTimeMs)), hubTimeMs };
      case 'grant_return':
        checkEpoch(ctx, request.hubEpoch);
        return { grant: await returnGrant(ctx.pool, device.deviceId, request.grantId, request.used, hubTimeMs), hubTimeMs };
      case 'grant_revoke':
        checkEpoch(ctx, request.hubEpoch);
        return { grant: await revokeGrant(ctx.pool, { deviceId: device.deviceId, employeeId: request.employeeId }, request.grantId, request.reason, hubTimeMs), hubTimeMs };
      case 'grant_reconcile':
        checkEpoch(ctx, request.hubEpoch);
        return { accepted: await reconcileGrants(ctx.pool, device.deviceId, request.grants, hubTimeMs), hubTimeMs };
      case 'status': {
        const { type: _type, ...status } = request;
        await ctx.pool.query('UPDATE devices SET status = $2::jsonb, last_seen_at = $3 WHERE device_id = $1', [device.deviceId, JSON.stringify({ ...status, at: hubTimeMs }), hubTimeMs]);
        return { hubTimeMs };
      }
    }
  } catch (error) {
    if (error instanceof HubRefusal) throw new HubError(error.code, error.message, error.heldBy ? { heldBy: error.heldBy } : {});
    throw error;
  }
}

/** A protocol error for anything thrown: refusals keep their words; the rest is logged and said plainly. */
export function toHubError(error: unknown, log: (line: string) => void): HubError {
  if (error instanceof HubError) return error;
  if (error instanceof ZodError) return new HubError('bad_request', `The hub could not read this request: ${error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  log(`request failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return new HubError('internal', 'The store hub hit a problem with this request: it will be tried again. If it keeps happening, restart the hub.');
}
