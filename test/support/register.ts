import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { EventEnvelope, ResponseEnvelope } from '../../preload/api.js';
import { createRegister, type Register, type RegisterClient, type RegisterOptions } from '../../main/core/register.js';
import { migrationsFolder, resourcesDir, tempDir } from './paths.js';

export interface TestRegister {
  register: Register;
  dataDir: string;
  client: RegisterClient;
  events: EventEnvelope[];
  call(call: string, payload?: unknown): Promise<ResponseEnvelope>;
  close(): Promise<void>;
}

let nextId = 1;

/**
 * A real register on a fresh data folder (the Illinois demo store unless `newStore` says
 * otherwise, real SQLite), with one connected screen.
 */
export async function startTestRegister(options: Partial<RegisterOptions> = {}, dataDir?: string): Promise<TestRegister> {
  const temp = dataDir ? null : tempDir();
  const folder = dataDir ?? temp!.dir;
  const register = await createRegister({
    dataDir: folder,
    resourcesDir,
    migrationsFolder,
    host: 'browser',
    backupIntervalMs: 0,
    newStore: { kind: 'demo', jurisdiction: 'IL' },
    ...options,
  });
  const events: EventEnvelope[] = [];
  const client = register.connect((event) => events.push(event));
  return {
    register,
    dataDir: folder,
    client,
    events,
    call: (call, payload = {}) => client.dispatch({ id: nextId++, call, payload }),
    async close() {
      client.close();
      await register.close();
      temp?.cleanup();
    },
  };
}

/** A call's value, or an error naming its code and message. */
export function value<T>(response: ResponseEnvelope): T {
  if (!response.ok) throw new Error(`call failed: ${response.error.code} ${response.error.message}`);
  return response.value as T;
}

/** Runs `text` on the register's database over a connection of its own: rows for a query, the run result otherwise. */
export function sql<T>(r: Pick<TestRegister, 'dataDir'>, text: string, ...params: unknown[]): T {
  const handle = new Database(join(r.dataDir, 'register.sqlite'));
  try {
    const statement = handle.prepare(text);
    return (statement.reader ? statement.all(...params) : statement.run(...params)) as T;
  } finally {
    handle.close();
  }
}
