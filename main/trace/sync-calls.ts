/**
 * The Sync screen's calls: the list (hot outbox and archive), a sale's detail and history, and a
 * manager's decisions on sales the register could not settle by itself: resend a refused sale,
 * say which of two equal BioTrack sales is this one (or check again), dismiss with a reason.
 */
import type Database from 'better-sqlite3';
import type { CallContext, CoreServices, HandlersFor } from '../core/handler.js';
import { applyCommand } from '../core/commands.js';
import { CoreError } from '../core/errors.js';
import { newId } from '../store/ids.js';
import type { traceCalls, SyncCandidate, SyncRow, SyncStatus } from '../../preload/contract/trace.js';
import { findOutboxRow, frozenRequestSchema, type OutboxRow } from './outbox.js';

type SyncCallName = 'trace.sync.list' | 'trace.sync.detail' | 'trace.sync.resend' | 'trace.sync.dismiss' | 'trace.sync.resolve';

const RESEND_ACTION = 'trace.sync.resend';
const DISMISS_ACTION = 'trace.sync.dismiss';
const RESOLVE_ACTION = 'trace.sync.resolve';

function candidatesOf(row: OutboxRow): SyncCandidate[] {
  if (!row.candidates) return [];
  try {
    const parsed = JSON.parse(row.candidates) as unknown;
    return Array.isArray(parsed) ? (parsed as SyncCandidate[]) : [];
  } catch {
    return [];
  }
}

export function syncCallHandlers(deps: {
  services: CoreServices;
  syncStatus(): SyncStatus;
  publish(): void;
  wake(): void;
}): Pick<HandlersFor<keyof typeof traceCalls>, SyncCallName> {
  const { services, syncStatus, publish } = deps;
  const sqlite = () => services.sqlite();
  const worker = { wake: deps.wake };

  /** The approver of a manager-only action: the actor if they hold the permission, else a grant. */
  function approverFor(ctx: CallContext, grantId: string | undefined, action: string): { id: string; name: string } {
    if (!grantId && ctx.actor.permissions.includes('manager_override')) return { id: ctx.actor.id, name: ctx.actor.name };
    if (!grantId) throw new CoreError('forbidden', 'A manager must approve this: ask a manager to enter their PIN.');
    const grant = services.staff().consumeGrant(grantId, 'manager_override', action);
    return { id: grant.approverId, name: grant.approverName };
  }

  function readRow(db: Database.Database, id: string): OutboxRow {
    const row = findOutboxRow(db, id);
    if (!row) throw new CoreError('not_found', 'That sale is not in the sync list any more: refresh the list.');
    return row;
  }

  /**
   * The Sync screen's rows: the hot outbox and the archive, with the same columns. A settled row
   * may have moved to the archive: the list reads both, newest first.
   */
  const listSelect = (table: string) => `
    SELECT o.id, o.kind, o.sale_id AS saleId, o.customer_id AS customerId,
           CASE WHEN c.id IS NULL THEN NULL ELSE c.first_name || ' ' || c.last_name END AS customerName,
           COALESCE(json_extract(o.request, '$.sale.cardId'),
                    json_extract((SELECT request FROM trace_outbox WHERE id = o.depends_on), '$.sale.cardId'),
                    json_extract((SELECT request FROM trace_outbox_archive WHERE id = o.depends_on), '$.sale.cardId')) AS cardId,
           o.state, o.attempts, o.last_error AS lastError, o.last_error_code AS lastErrorCode, o.remote_txn_id AS remoteTxnId,
           o.sale_time AS saleTime, o.created_at AS createdAt, o.updated_at AS updatedAt, o.total_cents AS totalCents,
           o.item_count AS itemCount, o.dismissed_reason AS dismissedReason, e.name AS dismissedByName,
           CASE WHEN o.state = 'pending' AND o.depends_on IS NOT NULL
                 AND COALESCE((SELECT state FROM trace_outbox WHERE id = o.depends_on), 'acknowledged') <> 'acknowledged'
                THEN 'the sale it belongs to has not been reported yet' ELSE NULL END AS waitingFor
      FROM ${table} o
      LEFT JOIN customers c ON c.id = o.customer_id
      LEFT JOIN employees e ON e.id = o.dismissed_by`;

  function listRow(db: Database.Database, id: string): SyncRow {
    return (db.prepare(`${listSelect('trace_outbox')} WHERE o.id = ?`).get(id) ??
      db.prepare(`${listSelect('trace_outbox_archive')} WHERE o.id = ?`).get(id)) as SyncRow;
  }

  return {
    'trace.sync.list': {
      access: 'logged_in',
      run(_ctx, request) {
        const where: string[] = [];
        const params: unknown[] = [];
        const byFilter: Record<string, string> = {
          attention: `o.state IN ('rejected', 'unknown', 'needs_person')`,
          waiting: `o.state IN ('pending', 'in_flight', 'unknown')`,
        };
        if (request.filter !== 'all') {
          if (byFilter[request.filter]) where.push(byFilter[request.filter]!);
          else {
            where.push('o.state = ?');
            params.push(request.filter);
          }
        }
        if (request.kind) {
          where.push('o.kind = ?');
          params.push(request.kind);
        }
        if (request.search) {
          const like = `%${request.search.replace(/[%_]/g, '')}%`;
          where.push(`(c.first_name || ' ' || c.last_name LIKE ? OR o.sale_id LIKE ? OR o.remote_txn_id LIKE ? OR json_extract(o.request, '$.sale.cardId') LIKE ?)`);
          params.push(like, like, like, like);
        }
        const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
        const db = sqlite();
        // Only waiting and attention rows stay hot: those filters never need the archive.
        const hotOnly = request.filter === 'waiting' || request.filter === 'attention' || ['pending', 'in_flight', 'unknown', 'rejected', 'needs_person'].includes(request.filter);
        const tables = hotOnly ? ['trace_outbox'] : ['trace_outbox', 'trace_outbox_archive'];
        const union = tables.map((table) => `SELECT * FROM (${listSelect(table)} ${clause} ORDER BY o.id DESC LIMIT ?)`).join(' UNION ALL ');
        const rows = db
          .prepare(`SELECT * FROM (${union}) ORDER BY id DESC LIMIT ?`)
          .all(...tables.flatMap(() => [...params, request.limit]), request.limit) as SyncRow[];
        const status = syncStatus();
        // Without a search, the counters give the total: the screen never counts the history.
        const counted: Partial<Record<typeof request.filter, number>> = {
          all: Object.values(status.counts).reduce((sum, n) => sum + n, 0),
          acknowledged: status.counts.acknowledged,
          dismissed: status.counts.dismissed,
        };
        const total =
          !request.search && !request.kind && counted[request.filter] !== undefined
            ? counted[request.filter]!
            : tables.reduce(
                (sum, table) =>
                  sum + (db.prepare(`SELECT COUNT(*) AS n FROM ${table} o LEFT JOIN customers c ON c.id = o.customer_id ${clause}`).get(...params) as { n: number }).n,
                0,
              );
        return { rows, total, status };
      },
    },
    'trace.sync.detail': {
      access: 'logged_in',
      run(_ctx, request) {
        const db = sqlite();
        const row = readRow(db, request.outboxId);
        const attempts = db
          .prepare(
            `SELECT * FROM (
               SELECT id, at, step, outcome, detail, duration_ms AS durationMs FROM trace_attempts WHERE outbox_id = ?
               UNION ALL
               SELECT id, at, step, outcome, detail, duration_ms AS durationMs FROM trace_attempts_archive WHERE outbox_id = ?
             ) ORDER BY at DESC, id DESC LIMIT 50`,
          )
          .all(request.outboxId, request.outboxId) as Array<{ id?: string; at: number; step: string; outcome: string; detail: string | null; durationMs: number | null }>;
        return {
          row: listRow(db, request.outboxId),
          attempts: attempts.map(({ id: _id, ...attempt }) => attempt),
          candidates: row.state === 'needs_person' ? candidatesOf(row) : [],
        };
      },
    },
    'trace.sync.resend': {
      access: 'logged_in',
      run(ctx, request) {
        const db = sqlite();
        const current = readRow(db, request.outboxId);
        if (current.state !== 'rejected') {
          throw new CoreError('conflict', `Only a sale the state refused can be sent again; this one is ${current.state.replace('_', ' ')}.`);
        }
        const approver = approverFor(ctx, request.grantId, RESEND_ACTION);
        const now = services.clock();
        const { result } = applyCommand(
          db,
          { commandId: request.commandId, name: RESEND_ACTION, actorId: ctx.actor.id },
          () => {
            const row = readRow(db, request.outboxId);
            if (row.state !== 'rejected') throw new CoreError('conflict', 'Someone already acted on this sale: refresh the list.');
            // The usual fix is the patient's card id in their profile: send what the profile says now.
            const frozen = frozenRequestSchema.parse(JSON.parse(row.request));
            let cardChanged: { from: string; to: string } | null = null;
            if (frozen.kind === 'dispense' && row.customerId && !frozen.sale.consumer) {
              const customer = db.prepare('SELECT medical_id AS medicalId FROM customers WHERE id = ?').get(row.customerId) as
                | { medicalId: string | null }
                | undefined;
              if (customer?.medicalId && customer.medicalId !== frozen.sale.cardId) {
                cardChanged = { from: frozen.sale.cardId, to: customer.medicalId };
                frozen.sale.cardId = customer.medicalId;
              }
            }
            // The refused attempt was not applied; its nonce holds BioTrack's refusal, so a new one is used.
            const nonce = newId(now);
            db.prepare(
              `UPDATE trace_outbox SET state = 'pending', nonce = ?, request = ?, next_attempt_at = ?, updated_at = ?,
                 last_error = ? WHERE id = ?`,
            ).run(nonce, JSON.stringify(frozen), now, now, `Sent again (approved by ${approver.name}) after: ${row.lastError ?? 'a refusal'}`, row.id);
            db.prepare('INSERT INTO trace_attempts (id, outbox_id, at, step, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)').run(
              newId(now),
              row.id,
              now,
              'resend',
              'requested',
              `by ${ctx.actor.name}, approved by ${approver.name}`,
            );
            return {
              result: listRow(db, row.id),
              audit: {
                saleId: row.saleId,
                customerId: row.customerId,
                details: { outboxId: row.id, kind: row.kind, approvedBy: approver.id, previousError: row.lastError, cardChanged },
              },
            };
          },
          now,
        );
        worker?.wake();
        publish();
        return result;
      },
    },
    'trace.sync.dismiss': {
      access: 'logged_in',
      run(ctx, request) {
        const db = sqlite();
        const current = readRow(db, request.outboxId);
        if (current.state === 'acknowledged' || current.state === 'dismissed') {
          throw new CoreError('conflict', `This sale is already ${current.state}: there is nothing to dismiss.`);
        }
        if (current.state === 'in_flight') throw new CoreError('conflict', 'This sale is being sent right now: wait a moment and try again.');
        const approver = approverFor(ctx, request.grantId, DISMISS_ACTION);
        const now = services.clock();
        const { result } = applyCommand(
          db,
          { commandId: request.commandId, name: DISMISS_ACTION, actorId: ctx.actor.id },
          () => {
            const row = readRow(db, request.outboxId);
            const dismiss = db.prepare(
              `UPDATE trace_outbox SET state = 'dismissed', dismissed_reason = ?, dismissed_by = ?, updated_at = ?
                WHERE id = ? AND state IN ('pending', 'rejected', 'unknown', 'needs_person')`,
            );
            if (dismiss.run(request.reason, approver.id, now, row.id).changes === 0) {
              throw new CoreError('conflict', 'Someone already acted on this sale, or it is being sent: refresh the list.');
            }
            // A void or refund of a sale that will never be reported cannot be reported either.
            const dependants = db
              .prepare(`SELECT id FROM trace_outbox WHERE depends_on = ? AND state IN ('pending', 'rejected')`)
              .all(row.id) as Array<{ id: string }>;
            for (const dependant of dependants) {
              dismiss.run(`Its sale was dismissed: ${request.reason}`, approver.id, now, dependant.id);
            }
            db.prepare('INSERT INTO trace_attempts (id, outbox_id, at, step, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)').run(
              newId(now),
              row.id,
              now,
              'dismiss',
              'dismissed',
              request.reason,
            );
            return {
              result: listRow(db, row.id),
              audit: {
                saleId: row.saleId,
                customerId: row.customerId,
                details: { outboxId: row.id, kind: row.kind, reason: request.reason, approvedBy: approver.id, previousState: row.state, dependantsDismissed: dependants.length },
              },
            };
          },
          now,
        );
        publish();
        return result;
      },
    },
    'trace.sync.resolve': {
      access: 'logged_in',
      run(ctx, request) {
        const db = sqlite();
        const current = readRow(db, request.outboxId);
        if (current.state !== 'needs_person') throw new CoreError('conflict', `This sale does not need a decision; it is ${current.state.replace('_', ' ')}.`);
        const approver = approverFor(ctx, request.grantId, RESOLVE_ACTION);
        const now = services.clock();
        const { result } = applyCommand(
          db,
          { commandId: request.commandId, name: RESOLVE_ACTION, actorId: ctx.actor.id },
          () => {
            const row = readRow(db, request.outboxId);
            if (row.state !== 'needs_person') throw new CoreError('conflict', 'Someone already acted on this sale: refresh the list.');
            if (request.remoteTxnId === null) {
              // Check again (after someone fixed it in BioTrack): back to unknown, never a resend.
              db.prepare(
                `UPDATE trace_outbox SET state = 'unknown', candidates = NULL, next_attempt_at = ?, updated_at = ?,
                   last_error = 'A manager asked the register to check with BioTrack again.' WHERE id = ?`,
              ).run(now, now, row.id);
            } else {
              if (!candidatesOf(row).some((candidate) => candidate.remoteTxnId === request.remoteTxnId)) {
                throw new CoreError('invalid_message', `BioTrack sale ${request.remoteTxnId} is not one of the matches for this sale: refresh and choose again.`);
              }
              const taken = db
                .prepare(`SELECT 1 FROM trace_outbox WHERE remote_txn_id = ? AND kind = ? AND id <> ? UNION ALL SELECT 1 FROM trace_outbox_archive WHERE remote_txn_id = ? AND kind = ? AND id <> ?`)
                .get(request.remoteTxnId, row.kind, row.id, request.remoteTxnId, row.kind, row.id);
              if (taken) throw new CoreError('conflict', `BioTrack sale ${request.remoteTxnId} already belongs to another sale: choose the other one.`);
              db.prepare(
                `UPDATE trace_outbox SET state = 'acknowledged', remote_txn_id = ?, acknowledged_at = ?, candidates = NULL, updated_at = ?,
                   last_error = NULL WHERE id = ?`,
              ).run(request.remoteTxnId, now, now, row.id);
            }
            db.prepare('INSERT INTO trace_attempts (id, outbox_id, at, step, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)').run(
              newId(now),
              row.id,
              now,
              'resolve',
              request.remoteTxnId === null ? 'check_again' : 'chosen',
              `${request.remoteTxnId === null ? 'check again' : `BioTrack sale ${request.remoteTxnId}`}: by ${ctx.actor.name}, approved by ${approver.name}`,
            );
            return {
              result: listRow(db, row.id),
              audit: {
                saleId: row.saleId,
                customerId: row.customerId,
                details: { outboxId: row.id, kind: row.kind, remoteTxnId: request.remoteTxnId, candidates: candidatesOf(row).map((c) => c.remoteTxnId), approvedBy: approver.id },
              },
            };
          },
          now,
        );
        worker?.wake();
        publish();
        return result;
      },
    },
  };
}
