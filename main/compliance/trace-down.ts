/**
 * Whether this store sells to medical patients while the state's track-and-trace system is down.
 *
 * One policy, read by check-in (main/queue/) and by the register (main/checkout/), so the two never
 * disagree. The jurisdiction file gives the default (`sellWhileTraceDown`, with the rule it rests
 * on); a manager may choose otherwise for the store in Settings › Track & Trace, which is kept in
 * the settings table and audited. When sales are allowed, the budtender confirms the medical ID
 * and types the allotment by hand; each such entry is audited where it is made.
 *
 * It speaks of "the state system", whichever provider the store reports to.
 */
import type Database from 'better-sqlite3';
import type { Employee } from '../../preload/api.js';
import type { TraceDownPolicyView } from '../../preload/contract/compliance.js';
import { applyCommand } from '../core/commands.js';
import { cachedStatement } from '../store/statements.js';
import type { JurisdictionRules } from './rules.js';

export const SELL_WHILE_TRACE_DOWN_SETTING = 'compliance.sellWhileTraceDown';

/** The store's choice, or null when it follows the jurisdiction file. */
function storeChoice(sqlite: Database.Database): boolean | null {
  const row = cachedStatement(sqlite, 'SELECT value FROM settings WHERE key = ?').get(SELL_WHILE_TRACE_DOWN_SETTING) as { value: string } | undefined;
  if (!row) return null;
  try {
    const value: unknown = JSON.parse(row.value);
    return typeof value === 'boolean' ? value : null;
  } catch {
    return null;
  }
}

/** May this store sell to medical patients while the state system is down? */
export function sellsWhileTraceDown(sqlite: Database.Database, rules: JurisdictionRules): boolean {
  return storeChoice(sqlite) ?? rules.sellWhileTraceDown.value;
}

export function traceDownPolicyView(sqlite: Database.Database, rules: JurisdictionRules): TraceDownPolicyView {
  const choice = storeChoice(sqlite);
  return {
    allowed: choice ?? rules.sellWhileTraceDown.value,
    followsJurisdiction: choice === null,
    jurisdiction: { code: rules.code, name: rules.name, allowed: rules.sellWhileTraceDown.value, rule: rules.sellWhileTraceDown.note ?? null },
  };
}

/**
 * Saves the store's choice (null: follow the jurisdiction file again), audited with what it was
 * before. Applied once per commandId.
 */
export function saveTraceDownPolicy(
  sqlite: Database.Database,
  rules: JurisdictionRules,
  actor: Employee,
  request: { commandId: string; allowed: boolean | null },
  now: number,
): TraceDownPolicyView {
  applyCommand(
    sqlite,
    { commandId: request.commandId, name: 'compliance.trace_down_policy.save', actorId: actor.id },
    () => {
      const before = traceDownPolicyView(sqlite, rules);
      if (request.allowed === null) {
        sqlite.prepare('DELETE FROM settings WHERE key = ?').run(SELL_WHILE_TRACE_DOWN_SETTING);
      } else {
        sqlite
          .prepare(
            `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
          )
          .run(SELL_WHILE_TRACE_DOWN_SETTING, JSON.stringify(request.allowed), now);
      }
      const after = traceDownPolicyView(sqlite, rules);
      return {
        result: null,
        audit: {
          details: {
            before: { allowed: before.allowed, followsJurisdiction: before.followsJurisdiction },
            after: { allowed: after.allowed, followsJurisdiction: after.followsJurisdiction },
            jurisdiction: rules.code,
            jurisdictionDefault: rules.sellWhileTraceDown.value,
          },
        },
      };
    },
    now,
  );
  return traceDownPolicyView(sqlite, rules);
}
