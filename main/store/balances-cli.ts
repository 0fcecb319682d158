/**
 * `npm run verify:balances [-- --data-dir DIR]`: rebuilds the running balances (stock on hand,
 * allotment used per day, points, the track-and-trace outbox's counters) from their ledgers and compares them with the kept figures.
 * Exits 0 when every figure agrees, 1 naming each one that differs, 2 when it cannot check.
 * Reads only: safe while the register runs.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../core/paths.js';
import { balanceCounts, verifyBalances } from './balances.js';
import { databaseFileIn } from './db.js';

const USAGE = 'Usage: npm run verify:balances -- [--data-dir DIR]   (also REGISTER_DATA_DIR)';

function main(): number {
  let values: { 'data-dir'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ options: { 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const dataDir = values['data-dir'] ?? process.env.REGISTER_DATA_DIR ?? defaultDataDir();
  const file = databaseFileIn(dataDir);
  if (!existsSync(file)) {
    console.error(`No register database in ${dataDir}: give the data folder with --data-dir.`);
    return 2;
  }
  const sqlite = new Database(file, { readonly: true, fileMustExist: true });
  try {
    sqlite.pragma('busy_timeout = 5000');
    const differences = verifyBalances(sqlite);
    const counts = balanceCounts(sqlite);
    if (differences.length === 0) {
      console.log(
        `Balances agree with their ledgers: ${counts.stock_on_hand} products' stock, ${counts.allotment_daily} days of allotment use, ${counts.rewards_balances} customers' points, ${counts.trace_outbox_counts} track-and-trace outbox rows counted by state.`,
      );
      return 0;
    }
    console.error(`${differences.length} balance(s) differ from their ledgers:`);
    for (const d of differences.slice(0, 200)) {
      console.error(`  ${d.balance} ${d.key}: kept ${d.kept ?? 'nothing'}, ledger says ${d.ledger}`);
    }
    if (differences.length > 200) console.error(`  … and ${differences.length - 200} more`);
    return 1;
  } catch (error) {
    console.error(`The balances could not be checked: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  } finally {
    sqlite.close();
  }
}

process.exit(main());
