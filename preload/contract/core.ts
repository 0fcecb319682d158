/** The foundation's calls and events: status, store, sessions, staff, audit. */
import { z } from 'zod';
import {
  appStatusSchema,
  auditEventSchema,
  auditVerificationSchema,
  backupNameSchema,
  commandIdSchema,
  deviceStatusSchema,
  employeeSchema,
  permissionSchema,
  pinSchema,
  roleSchema,
  sessionSchema,
  traceStatusSchema,
} from './common.js';

// ---------------------------------------------------------------------------------------------
// Calls
// ---------------------------------------------------------------------------------------------

export const empty = z.object({}).strict();

export const coreCalls = {
  'app.status': { request: empty, response: appStatusSchema },
  /** Only while damaged; a manager's PIN from the chosen backup approves it. */
  'store.restoreBackup': {
    request: z.object({ name: backupNameSchema, pin: pinSchema }).strict(),
    response: z.object({ restoredFrom: z.string(), damagedFileKeptAs: z.string().nullable() }),
  },

  'session.get': { request: empty, response: sessionSchema },
  'session.login': { request: z.object({ pin: pinSchema }).strict(), response: sessionSchema },
  'session.unlock': { request: z.object({ pin: pinSchema }).strict(), response: sessionSchema },
  'session.lock': { request: empty, response: sessionSchema },
  'session.logout': { request: empty, response: sessionSchema },
  /** The person is still at the register (key press, click): postpones the idle lock. */
  'session.touch': { request: empty, response: z.object({ idleLockAt: z.number().int().nullable() }) },

  'staff.list': { request: empty, response: z.array(employeeSchema) },
  /** Employees who may authorise an action needing this permission (shown as tiles). */
  'staff.approvers': {
    request: z.object({ permission: permissionSchema }).strict(),
    response: z.array(z.object({ id: z.string(), name: z.string(), role: roleSchema })),
  },
  'staff.create': {
    request: z
      .object({ commandId: commandIdSchema, name: z.string().trim().min(1).max(80), role: roleSchema, pin: pinSchema })
      .strict(),
    response: employeeSchema,
  },
  'staff.changePin': {
    request: z.object({ commandId: commandIdSchema, employeeId: z.string(), pin: pinSchema }).strict(),
    response: z.object({ changed: z.literal(true) }),
  },
  /**
   * Manager override: another employee's PIN authorises one named action. The grant is
   * single-use and short-lived; the action that consumes it records the approver.
   */
  'staff.override': {
    request: z
      .object({ approverId: z.string(), pin: pinSchema, permission: permissionSchema, action: z.string().min(1).max(120) })
      .strict(),
    response: z.object({ grantId: z.string(), approverId: z.string(), approverName: z.string(), expiresAt: z.number().int() }),
  },

  'audit.recent': {
    request: z.object({ limit: z.number().int().min(1).max(500).default(100) }).strict(),
    response: z.array(auditEventSchema),
  },
  'audit.verify': { request: empty, response: auditVerificationSchema },
} as const;


// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

export const coreEvents = {
  'session.changed': sessionSchema,
  'status.changed': appStatusSchema,
  'devices.changed': z.array(deviceStatusSchema),
  'trace.changed': traceStatusSchema,
} as const;


