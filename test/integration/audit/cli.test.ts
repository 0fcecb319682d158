import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { databaseFileIn } from '../../../main/store/db.js';
import { startTestRegister } from '../../support/register.js';
import { repoRoot, tempDir } from '../../support/paths.js';

function verify(dataDir: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'main/audit/cli.ts'), '--data-dir', dataDir], { cwd: repoRoot, encoding: 'utf8' });
}

describe('audit:verify command', () => {
  it('says the chain is intact, then names the first broken link after tampering', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const r = await startTestRegister({}, dir);
      await r.call('session.login', { pin: '1111' });
      await r.call('session.logout');
      await r.close();
      const intact = verify(dir);
      expect(intact.status).toBe(0);
      expect(intact.stdout).toMatch(/intact: \d+ events checked/);

      const sqlite = new Database(databaseFileIn(dir));
      sqlite.exec('DROP TRIGGER audit_events_no_update');
      sqlite.prepare("UPDATE audit_events SET employee_id = 'someone-else' WHERE seq = 2").run();
      sqlite.close();
      const broken = verify(dir);
      expect(broken.status).toBe(1);
      expect(broken.stdout).toMatch(/BROKEN at event 2 .*changed after it was written/);
    } finally {
      cleanup();
    }
  });

  it('explains a missing database', () => {
    const { dir, cleanup } = tempDir();
    const result = verify(dir);
    cleanup();
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--data-dir/);
  });
});
