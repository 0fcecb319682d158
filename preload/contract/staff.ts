/** Settings › Employees (admins): add, edit, disable, reset a PIN; and choosing one's own PIN. */
import { z } from 'zod';
import { commandIdSchema, permissionSchema, pinSchema, roleSchema, sessionSchema } from './common.js';

const empty = z.object({}).strict();

export const employeeDetailSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: roleSchema,
  permissions: z.array(permissionSchema),
  active: z.boolean(),
  /** The PIN was given by an admin: the employee chooses their own at the next login. */
  mustSetPin: z.boolean(),
  createdAt: z.number().int(),
});
export type EmployeeDetail = z.infer<typeof employeeDetailSchema>;

const name = z.string().trim().min(1, 'Enter the employee’s name.').max(80);
const permissions = z.array(permissionSchema).max(20);

export const staffCalls = {
  'staff.employees.list': {
    request: empty,
    response: z.object({
      employees: z.array(employeeDetailSchema),
      /** What each role may do unless changed for one employee. */
      roleDefaults: z.record(roleSchema, z.array(permissionSchema)),
    }),
  },
  /** The PIN given here is temporary: the employee sets their own at their first login. */
  'staff.employees.add': {
    request: z.object({ commandId: commandIdSchema, name, role: roleSchema, permissions, pin: pinSchema }).strict(),
    response: employeeDetailSchema,
  },
  'staff.employees.edit': {
    request: z.object({ commandId: commandIdSchema, employeeId: z.string().min(1).max(40), name, role: roleSchema, permissions }).strict(),
    response: employeeDetailSchema,
  },
  /**
   * Employees are disabled, never deleted: the audit log names them. Enabling one again needs a
   * new temporary PIN (`pin`), which they replace with their own at the next login.
   */
  'staff.employees.setActive': {
    request: z.object({ commandId: commandIdSchema, employeeId: z.string().min(1).max(40), active: z.boolean(), pin: pinSchema.optional() }).strict(),
    response: employeeDetailSchema,
  },
  /** A temporary PIN: the employee sets their own at the next login. */
  'staff.employees.resetPin': {
    request: z.object({ commandId: commandIdSchema, employeeId: z.string().min(1).max(40), pin: pinSchema }).strict(),
    response: employeeDetailSchema,
  },
  /** After a login answered pin_change_required: the given PIN again, and the employee's own new one. */
  'session.setOwnPin': {
    request: z.object({ currentPin: pinSchema, newPin: pinSchema }).strict(),
    response: sessionSchema,
  },
} as const;

export const staffEvents = {} as const;
