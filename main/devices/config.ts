/**
 * The device configuration: one JSON value in the settings table (key `devices.config`),
 * validated with zod on every read and write. A stored value that no longer validates is
 * reported and ignored rather than crashing the register.
 */
import type Database from 'better-sqlite3';
import { devicesConfigSchema, type DevicesConfig } from '../../preload/contract/devices.js';

export const DEVICES_SETTING_KEY = 'devices.config';

export const emptyDevicesConfig: DevicesConfig = { version: 1, devices: [] };

export function readDevicesConfig(sqlite: Database.Database): { config: DevicesConfig; problem: string | null } {
  const row = sqlite.prepare('SELECT value FROM settings WHERE key = ?').get(DEVICES_SETTING_KEY) as { value: string } | undefined;
  if (!row) return { config: emptyDevicesConfig, problem: null };
  let value: unknown;
  try {
    value = JSON.parse(row.value);
  } catch {
    return { config: emptyDevicesConfig, problem: 'The saved device settings are not JSON: add the devices again.' };
  }
  const parsed = devicesConfigSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { config: emptyDevicesConfig, problem: `The saved device settings are not valid (${issue?.path.join('.')}: ${issue?.message}): add the devices again.` };
  }
  return { config: parsed.data, problem: null };
}

/** Writes the whole configuration (inside the caller's command transaction). */
export function writeDevicesConfig(sqlite: Database.Database, config: DevicesConfig, now: number): void {
  const valid = devicesConfigSchema.parse(config);
  sqlite
    .prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at')
    .run(DEVICES_SETTING_KEY, JSON.stringify(valid), now);
}
