/** Settings › Employees (admins) and an employee choosing their own PIN. */
import type { staffCalls } from '../../preload/contract/staff.js';
import type { CapabilityModule, CoreServices, HandlersFor } from '../core/handler.js';
import { EmployeeAdmin } from './employees.js';
import { ROLE_PERMISSIONS } from './service.js';

type StaffCallName = Exclude<keyof typeof staffCalls, 'session.setOwnPin'>;

export function createEmployeesModule(services: CoreServices): CapabilityModule<StaffCallName> {
  const admin = () => new EmployeeAdmin(services.sqlite(), services.staff(), () => services.clock());
  const handlers: HandlersFor<StaffCallName> = {
    'staff.employees.list': {
      access: 'manage_staff',
      run: () => ({ employees: admin().list(), roleDefaults: ROLE_PERMISSIONS }),
    },
    'staff.employees.add': {
      access: 'manage_staff',
      run: (ctx, request) => admin().add({ ...request, actorId: ctx.actor.id }),
    },
    'staff.employees.edit': {
      access: 'manage_staff',
      run: (ctx, request) => admin().edit({ ...request, actorId: ctx.actor.id }),
    },
    'staff.employees.setActive': {
      access: 'manage_staff',
      run: (ctx, request) => admin().setActive({ ...request, actorId: ctx.actor.id }),
    },
    'staff.employees.resetPin': {
      access: 'manage_staff',
      run: (ctx, request) => admin().resetPin({ ...request, actorId: ctx.actor.id }),
    },
  };
  return { handlers };
}
