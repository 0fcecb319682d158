import type Database from 'better-sqlite3';

/**
 * A prepared statement kept per connection: hot paths (every sale, every scan) run the same SQL
 * many times, and preparing it again each time cost more than running it.
 * A statement being iterated is busy until its loop ends: never run the same SQL inside that loop.
 */
const byConnection = new WeakMap<Database.Database, Map<string, Database.Statement>>();

export function cachedStatement(sqlite: Database.Database, sql: string): Database.Statement {
  let statements = byConnection.get(sqlite);
  if (!statements) {
    statements = new Map();
    byConnection.set(sqlite, statements);
  }
  let statement = statements.get(sql);
  if (!statement) {
    statement = sqlite.prepare(sql);
    statements.set(sql, statement);
  }
  return statement;
}
