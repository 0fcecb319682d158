/**
 * Every write is a command with an id made by its caller: applied once, however many times it is
 * sent (a retry after a timeout, a second register through the hub later). The command's writes,
 * its audit event and its applied-command record commit in one transaction.
 */
import type Database from 'better-sqlite3';
import { appendAudit, type AuditEntry } from '../audit/log.js';

export interface CommandMeta {
  commandId: string;
  name: string;
  actorId: string | null;
}

export interface CommandOutcome<T> {
  result: T;
  audit: Omit<AuditEntry, 'employeeId' | 'action'> & { action?: string };
}

export function applyCommand<T>(
  sqlite: Database.Database,
  meta: CommandMeta,
  write: () => CommandOutcome<T>,
  now: number = Date.now(),
): { result: T; replayed: boolean } {
  const statements = statementsFor(sqlite);
  return sqlite.transaction(() => {
    const previous = statements.find.get(meta.commandId);
    if (previous) return { result: JSON.parse(previous.result) as T, replayed: true };
    const { result, audit } = write();
    statements.insert.run(meta.commandId, meta.name, JSON.stringify(result ?? null), now);
    appendAudit(sqlite, { ...audit, employeeId: meta.actorId, action: audit.action ?? meta.name }, now);
    return { result, replayed: false };
    // IMMEDIATE takes the write lock up front: the sync worker writes from its own connection,
    // and a deferred transaction that read first could not upgrade (SQLITE_BUSY, no waiting).
  }).immediate();
}

/** The stored result of a command already applied, or undefined. For commands with async work before their write. */
export function appliedCommandResult<T>(sqlite: Database.Database, commandId: string): { result: T } | undefined {
  const previous = statementsFor(sqlite).find.get(commandId);
  return previous ? { result: JSON.parse(previous.result) as T } : undefined;
}

interface Statements {
  find: Database.Statement<[string], { result: string } | undefined>;
  insert: Database.Statement<[string, string, string, number]>;
}
const cache = new WeakMap<Database.Database, Statements>();
function statementsFor(sqlite: Database.Database): Statements {
  let statements = cache.get(sqlite);
  if (!statements) {
    statements = {
      find: sqlite.prepare('SELECT result FROM applied_commands WHERE id = ?'),
      insert: sqlite.prepare('INSERT INTO applied_commands (id, name, result, applied_at) VALUES (?, ?, ?, ?)'),
    };
    cache.set(sqlite, statements);
  }
  return statements;
}
