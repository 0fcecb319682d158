/** Shapes shared by every part of the contract. */
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

/** A store's jurisdiction: a rules file in resources/jurisdictions/. */
export const jurisdictionCodeSchema = z.string().regex(/^[A-Z]{2}$/, 'A state is two capital letters, such as IL.');

/** A calendar date in the store's time zone. */
export const calendarDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'A date is written yyyy-mm-dd.');
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

/** A backup in the data folder's backups/: restored by its name, never by a path. */
export const backupNameSchema = z
  .string()
  .regex(/^register-\d{13}(-[0-9A-HJKMNP-TV-Z]{26})?\.sqlite$/, 'Choose a backup from the list (a backup name, not a path).');

export const backupInfoSchema = z.object({
  name: backupNameSchema,
  createdAt: z.number().int(),
  sizeBytes: z.number().int(),
  intact: z.boolean(),
  /** The store the backup was made of (null: made before stores had an identity). */
  storeIdentity: z.string().nullable(),
  /** The one to restore: the newest intact backup of the store this data folder held. */
  recommended: z.boolean(),
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
    /** The demo store (made-up staff, customers and products): every screen says so. */
    demo: z.boolean(),
  }),
  z.object({
    // A new register with no store yet: the setup screen (set up a store, or open the demo).
    state: z.literal('setup'),
    version: z.string(),
    host: z.enum(['electron', 'browser']),
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

export const pinSchema = z
  .string()
  .regex(/^\d{4,8}$/, 'A PIN is 4 to 8 digits.');

/** Every write carries an id made by the caller, so a repeated command is applied once. */
export const commandIdSchema = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'commandId must be a ULID');

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
  'pin_change_required', // the PIN was right but was given by an admin: the employee chooses their own first
  'not_found',
  'conflict',
  'store_damaged',
  'cannot_save', // the disk refused the write (full, read-only, failing): nothing was saved; the message says what to do
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
  .object({
    id: z.number().int().nonnegative(),
    call: z.string().min(1).max(100),
    payload: z.unknown(),
    /**
     * A manager-override grant (from staff.override) that lets an employee without the call's
     * permission make this one call. The grant names the call and works once.
     */
    overrideGrantId: z.string().min(1).max(64).optional(),
  })
  .strict();

export interface CallOptions {
  overrideGrantId?: string;
}
export type RequestEnvelope = z.infer<typeof requestEnvelopeSchema>;

