/**
 * `npm run audit:verify [-- --data-dir DIR]`: walks the audit chain of a register's database and
 * names the first broken link. Exit code 0 when intact, 1 when broken, 2 when it cannot check.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../core/paths.js';
import { databaseFileIn } from '../store/db.js';
import { verifyAuditChain } from './log.js';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' } }, allowPositionals: false });
const dataDir = values['data-dir'] ?? process.env.REGISTER_DATA_DIR ?? defaultDataDir();
const file = databaseFileIn(dataDir);
if (!existsSync(file)) {
  console.error(`There is no register database at ${file}: pass the data folder with --data-dir.`);
  process.exit(2);
}
try {
  const sqlite = new Database(file, { readonly: true, fileMustExist: true });
  const result = verifyAuditChain(sqlite);
  sqlite.close();
  if (result.ok) {
    console.log(`The audit log is intact: ${result.checked} events checked.`);
  } else {
    const broken = result.firstBroken!;
    console.log(`The audit log is BROKEN at event ${broken.seq} (id ${broken.id}): ${broken.reason}. ${result.checked} events before it are intact.`);
    process.exit(1);
  }
} catch (error) {
  console.error(`The audit log could not be read (${error instanceof Error ? error.message : String(error)}): the database may be damaged; start the register to restore a backup.`);
  process.exit(2);
}
