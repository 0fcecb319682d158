/**
 * One message from a screen to one handler: the envelope and the request are checked against the
 * contract (preload/api.ts), then the store's state, the screen's session and the employee's
 * permission (or a manager's one-call grant), and every failure becomes a plain error response.
 */
import { ZodError, type z } from 'zod';
import {
  calls,
  isCallName,
  requestEnvelopeSchema,
  type CallName,
  type CallRequestParsed,
  type Employee,
  type EventEnvelope,
  type ResponseEnvelope,
} from '../../preload/api.js';
import { appendAudit } from '../audit/log.js';
import { cannotSaveMessage, type StoreDamagedError } from '../store/errors.js';
import type { Logger } from '../log/logger.js';
import type { StaffService } from '../staff/service.js';
import type Database from 'better-sqlite3';
import { CoreError } from './errors.js';
import type { CallContext, Handler } from './handler.js';
import type { ScreenSession } from './sessions.js';

export type Handlers = { [N in CallName]: Handler<N> };

export interface ClientEntry {
  session: ScreenSession;
  send: (event: EventEnvelope) => void;
}

export interface DispatchDeps {
  handlers: Handlers;
  logger: Logger;
  clock: () => number;
  /** Why the database is not usable, if it is not. */
  damage(): StoreDamagedError | null;
  /** The database holds no store yet: only the setup screen's calls work. */
  needsSetup(): boolean;
  requireStore(): { sqlite: Database.Database; staff: StaffService };
}

export type Dispatch = (entry: ClientEntry, message: unknown) => Promise<ResponseEnvelope>;

export function createDispatcher(deps: DispatchDeps): Dispatch {
  const { handlers, logger, clock } = deps;

  async function dispatchCall<N extends CallName>(
    entry: ClientEntry,
    id: number,
    call: N,
    payload: unknown,
    overrideGrantId?: string,
  ): Promise<ResponseEnvelope> {
    const contract = calls[call];
    const parsed = (contract.request as z.ZodType).safeParse(payload ?? {});
    if (!parsed.success) {
      logger.log('warn', `rejected an invalid ${call} request`, { issues: summarise(parsed.error) });
      return fail(id, 'invalid_message', `The ${call} request is not valid: ${summarise(parsed.error)}`);
    }
    const handler = handlers[call] as Handler<N>;
    try {
      const damage = deps.damage();
      if (damage && !handler.whileDamaged) {
        throw new CoreError('store_damaged', damage.message);
      }
      if (deps.needsSetup() && !handler.duringSetup) {
        throw new CoreError('conflict', 'This register has no store yet: set it up (or open the demo store) on the setup screen first.');
      }
      const employee = entry.session.employee;
      if (handler.access !== 'anyone') {
        const current = entry.session.current;
        if (current.state === 'logged_out') throw new CoreError('not_logged_in', 'Log in with your PIN first.');
        if (current.state === 'locked') throw new CoreError('locked', 'The register is locked: enter your PIN to unlock it.');
        if (handler.access !== 'logged_in' && !current.employee.permissions.includes(handler.access)) {
          if (!overrideGrantId) {
            throw new CoreError('forbidden', `${current.employee.name} is not allowed to do this: ask a manager to approve it.`, {
              permission: handler.access,
            });
          }
          // Another employee's PIN approved this one call: the grant is consumed and recorded.
          const grant = deps.requireStore().staff.consumeGrant(overrideGrantId, handler.access, call);
          appendAudit(
            deps.requireStore().sqlite,
            { employeeId: current.employee.id, action: 'staff.override_used', details: { call, approverId: grant.approverId, grantId: grant.grantId } },
            clock(),
          );
        }
        entry.session.touch();
      }
      const ctx: CallContext = { session: entry.session, employee, actor: employee as Employee };
      const value = await handler.run(ctx, parsed.data as CallRequestParsed<N>);
      return { id, ok: true, value };
    } catch (error) {
      if (error instanceof CoreError) {
        return { id, ok: false, error: { code: error.code, message: error.message, ...(error.detail ? { detail: error.detail } : {}) } };
      }
      const cannotSave = cannotSaveMessage('this', error);
      if (cannotSave) {
        logger.log('error', `${call} could not be written to the disk`, { code: (error as { code?: string }).code });
        return { id, ok: false, error: { code: 'cannot_save', message: cannotSave } };
      }
      logger.log('error', `${call} failed`, { error: error instanceof Error ? error.stack : String(error) });
      return fail(id, 'internal', 'Something went wrong inside the register. It was logged; try again, and call support if it repeats.');
    }
  }

  return async (entry, message) => {
    const envelope = requestEnvelopeSchema.safeParse(message);
    if (!envelope.success) {
      return fail(null, 'invalid_message', `The message is not a register request: ${summarise(envelope.error)}`);
    }
    const { id, call, payload, overrideGrantId } = envelope.data;
    if (!isCallName(call)) return fail(id, 'unknown_call', `There is no call named "${call}".`);
    return dispatchCall(entry, id, call, payload, overrideGrantId);
  };
}

/** One handler per call in the contract: a missing or doubled handler is a programming error, caught at start. */
export function mergeHandlers(parts: Array<Partial<Handlers>>): Handlers {
  const merged: Partial<Record<CallName, unknown>> = {};
  for (const part of parts) {
    for (const [name, handler] of Object.entries(part)) {
      if (name in merged) throw new Error(`Two capabilities handle the call "${name}".`);
      merged[name as CallName] = handler;
    }
  }
  const missing = (Object.keys(calls) as CallName[]).filter((name) => !(name in merged));
  if (missing.length > 0) throw new Error(`No capability handles: ${missing.join(', ')}.`);
  return merged as Handlers;
}

function fail(id: number | null, code: 'invalid_message' | 'unknown_call' | 'internal', message: string): ResponseEnvelope {
  return { id, ok: false, error: { code, message } };
}

function summarise(error: ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'message'}: ${issue.message}`)
    .join('; ');
}
