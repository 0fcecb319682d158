/**
 * The core's own calls for people at a screen: logging in and out, locking, changing a PIN,
 * managing staff, one-call approvals, and reading the audit history.
 */
import type Database from 'better-sqlite3';
import { appendAudit, verifyAuditChain } from '../audit/log.js';
import type { StaffService } from '../staff/service.js';
import { CoreError } from './errors.js';
import type { HandlersFor } from './handler.js';

export type StaffCallName =
  | 'session.get'
  | 'session.setOwnPin'
  | 'session.login'
  | 'session.unlock'
  | 'session.lock'
  | 'session.logout'
  | 'session.touch'
  | 'staff.list'
  | 'staff.approvers'
  | 'staff.create'
  | 'staff.changePin'
  | 'staff.override'
  | 'audit.recent'
  | 'audit.verify';

export interface StaffHandlerDeps {
  clock: () => number;
  requireStore(): { sqlite: Database.Database; staff: StaffService };
}

export function createStaffHandlers({ clock, requireStore }: StaffHandlerDeps): HandlersFor<StaffCallName> {
  return {
    'session.get': { access: 'anyone', duringSetup: true, run: (ctx) => ctx.session.current },
    'session.setOwnPin': {
      access: 'anyone',
      async run(ctx, request) {
        const employee = await requireStore().staff.setOwnPin(request.currentPin, request.newPin);
        return ctx.session.activate(employee);
      },
    },
    'session.login': {
      access: 'anyone',
      async run(ctx, request) {
        const employee = await requireStore().staff.authenticate(request.pin, 'login');
        return ctx.session.activate(employee);
      },
    },
    'session.unlock': {
      access: 'anyone',
      async run(ctx, request) {
        if (ctx.session.current.state !== 'locked') {
          throw new CoreError('conflict', 'This screen is not locked.');
        }
        const employee = await requireStore().staff.authenticate(request.pin, 'unlock', ctx.session.employee?.id ?? null);
        // Any employee may unlock; the screen then belongs to whoever's PIN it was.
        return ctx.session.activate(employee);
      },
    },
    'session.lock': {
      access: 'logged_in',
      run(ctx) {
        appendAudit(requireStore().sqlite, { employeeId: ctx.actor.id, action: 'staff.lock' }, clock());
        return ctx.session.lock('manual');
      },
    },
    'session.logout': {
      access: 'anyone',
      run(ctx) {
        const employee = ctx.session.employee;
        if (employee) appendAudit(requireStore().sqlite, { employeeId: employee.id, action: 'staff.logout' }, clock());
        return ctx.session.logout();
      },
    },
    'session.touch': { access: 'anyone', run: (ctx) => ({ idleLockAt: ctx.session.touch() }) },

    'staff.list': { access: 'logged_in', run: () => requireStore().staff.list() },
    'staff.approvers': { access: 'logged_in', run: (_ctx, request) => requireStore().staff.approvers(request.permission) },
    'staff.create': {
      access: 'manage_staff',
      run: (ctx, request) => requireStore().staff.create({ ...request, actorId: ctx.actor.id }),
    },
    'staff.changePin': {
      access: 'manage_staff',
      async run(ctx, request) {
        await requireStore().staff.changePin({ ...request, actorId: ctx.actor.id });
        return { changed: true as const };
      },
    },
    'staff.override': {
      access: 'logged_in',
      async run(ctx, request) {
        const grant = await requireStore().staff.override({ ...request, requestedBy: ctx.actor.id });
        return { grantId: grant.grantId, approverId: grant.approverId, approverName: grant.approverName, expiresAt: grant.expiresAt };
      },
    },

    'audit.recent': {
      access: 'view_audit',
      run(_ctx, request) {
        const rows = requireStore()
          .sqlite.prepare(
            `SELECT a.seq, a.id, a.at, a.employee_id AS employeeId, e.name AS employeeName, a.action,
                    a.customer_id AS customerId, a.sale_id AS saleId, a.details
               FROM (SELECT * FROM (SELECT * FROM audit_events ORDER BY seq DESC LIMIT @limit)
                     UNION ALL
                     SELECT * FROM (SELECT * FROM audit_events_archive ORDER BY seq DESC LIMIT @limit)) a
               LEFT JOIN employees e ON e.id = a.employee_id
              ORDER BY a.seq DESC LIMIT @limit`,
          )
          .all({ limit: request.limit }) as Array<{
          seq: number;
          id: string;
          at: number;
          employeeId: string | null;
          employeeName: string | null;
          action: string;
          customerId: string | null;
          saleId: string | null;
          details: string;
        }>;
        return rows.map((row) => ({ ...row, details: JSON.parse(row.details) as Record<string, unknown> }));
      },
    },
    'audit.verify': { access: 'view_audit', run: () => verifyAuditChain(requireStore().sqlite) },
  };
}
