/**
 * The register's one contract: every call the renderer can make and every event it can
 * subscribe to. Main validates every incoming message against these schemas (zod) before it
 * reaches the core; the renderer imports only the types and the names from this file.
 *
 * Both hosts carry the same envelope:
 *   request  { id, call, payload }
 *   response { id, ok: true, value } | { id, ok: false, error: { code, message } }
 *   event    { event, payload }
 */
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// Shared shapes
// ---------------------------------------------------------------------------------------------

export const roleSchema = z.enum(['budtender', 'manager', 'admin']);
export type Role = z.infer<typeof roleSchema>;

export const permissionSchema = z.enum([
  'sell',
  'manage_customers',
  'manage_products',
  'manage_staff',
  'manage_settings',
  'view_audit',
  'manager_override',
]);
export type Permission = z.infer<typeof permissionSchema>;

export const employeeSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: roleSchema,
  permissions: z.array(permissionSchema),
  active: z.boolean(),
});
export type Employee = z.infer<typeof employeeSchema>;

export const sessionSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('logged_out') }),
  z.object({ state: z.literal('locked'), employee: employeeSchema, reason: z.enum(['idle', 'manual']) }),
  z.object({ state: z.literal('active'), employee: employeeSchema, idleLockMs: z.number().int().positive() }),
]);
export type Session = z.infer<typeof sessionSchema>;

export const deviceStatusSchema = z.object({
  id: z.string(),
  name: z.string(),
  state: z.enum(['searching', 'connecting', 'connected', 'error', 'disabled']),
  reason: z.string().optional(),
});
export type DeviceStatus = z.infer<typeof deviceStatusSchema>;

export const traceStatusSchema = z.object({
  provider: z.string(),
  state: z.enum(['online', 'offline', 'unknown', 'not_configured']),
  backlog: z.number().int().nonnegative(),
  lastContactAt: z.number().int().nullable(),
});
export type TraceStatus = z.infer<typeof traceStatusSchema>;

export const backupInfoSchema = z.object({
  file: z.string(),
  createdAt: z.number().int(),
  sizeBytes: z.number().int(),
  intact: z.boolean(),
});
export type BackupInfo = z.infer<typeof backupInfoSchema>;

export const appStatusSchema = z.discriminatedUnion('state', [
  z.object({
    state: z.literal('ready'),
    storeName: z.string(),
    jurisdiction: z.string(),
    timeZone: z.string(),
    version: z.string(),
    host: z.enum(['electron', 'browser']),
    /** The full integrity check runs in the background after start-up. */
    databaseCheck: z.enum(['checking', 'passed']),
    devices: z.array(deviceStatusSchema),
    trace: traceStatusSchema,
  }),
  z.object({
    // The database failed its integrity check or could not be opened: nothing is sold until a
    // person chooses what to do. The damaged file is never deleted.
    state: z.literal('damaged'),
    message: z.string(),
    databaseFile: z.string(),
    backups: z.array(backupInfoSchema),
  }),
]);
export type AppStatus = z.infer<typeof appStatusSchema>;

export const auditEventSchema = z.object({
  seq: z.number().int(),
  id: z.string(),
  at: z.number().int(),
  employeeId: z.string().nullable(),
  employeeName: z.string().nullable(),
  action: z.string(),
  customerId: z.string().nullable(),
  saleId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEvent = z.infer<typeof auditEventSchema>;

export const auditVerificationSchema = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  firstBroken: z.object({ seq: z.number().int(), id: z.string(), reason: z.string() }).nullable(),
});
export type AuditVerification = z.infer<typeof auditVerificationSchema>;

const pinSchema = z
  .string()
  .regex(/^\d{4,8}$/, 'A PIN is 4 to 8 digits.');

/** Every write carries an id made by the caller, so a repeated command is applied once. */
const commandIdSchema = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'commandId must be a ULID');

// ---------------------------------------------------------------------------------------------
// Calls
// ---------------------------------------------------------------------------------------------

const empty = z.object({}).strict();

export const calls = {
  'app.status': { request: empty, response: appStatusSchema },
  'store.restoreBackup': {
    request: z.object({ file: z.string().min(1) }).strict(),
    response: z.object({ restoredFrom: z.string(), damagedFileKeptAs: z.string() }),
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

export type CallName = keyof typeof calls;
export type CallRequest<N extends CallName> = z.input<(typeof calls)[N]['request']>;
export type CallRequestParsed<N extends CallName> = z.output<(typeof calls)[N]['request']>;
export type CallResponse<N extends CallName> = z.output<(typeof calls)[N]['response']>;

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

export const events = {
  'session.changed': sessionSchema,
  'status.changed': appStatusSchema,
  'devices.changed': z.array(deviceStatusSchema),
  'trace.changed': traceStatusSchema,
} as const;

export type EventName = keyof typeof events;
export type EventPayload<N extends EventName> = z.output<(typeof events)[N]>;

// ---------------------------------------------------------------------------------------------
// Envelope and errors
// ---------------------------------------------------------------------------------------------

export const errorCodeSchema = z.enum([
  'invalid_message', // the message did not match the contract
  'unknown_call',
  'not_logged_in',
  'locked', // the register is locked; unlock with a PIN
  'forbidden', // the employee lacks the permission
  'wrong_pin',
  'locked_out', // too many wrong PINs: wait
  'not_found',
  'conflict',
  'store_damaged',
  'unavailable',
  'internal',
]);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

export const apiErrorSchema = z.object({
  code: errorCodeSchema,
  message: z.string(),
  /** Optional machine-readable detail (e.g. retryAfterMs for locked_out). */
  detail: z.record(z.string(), z.unknown()).optional(),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

export const requestEnvelopeSchema = z
  .object({ id: z.number().int().nonnegative(), call: z.string().min(1).max(100), payload: z.unknown() })
  .strict();
export type RequestEnvelope = z.infer<typeof requestEnvelopeSchema>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };
export type ResponseEnvelope = { id: number | null } & Result<unknown>;
export type EventEnvelope = { event: EventName; payload: unknown };

/** What the renderer calls: the same in Electron (window.register) and in the browser host. */
export interface RegisterApi {
  call<N extends CallName>(name: N, payload: CallRequest<N>): Promise<Result<CallResponse<N>>>;
  on<N extends EventName>(event: N, listener: (payload: EventPayload<N>) => void): () => void;
}

export function isCallName(name: string): name is CallName {
  return Object.prototype.hasOwnProperty.call(calls, name);
}

export { ipcChannels } from './channels.js';
