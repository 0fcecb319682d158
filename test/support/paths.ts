import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const migrationsFolder = join(repoRoot, 'drizzle');
export const resourcesDir = join(repoRoot, 'resources');

/** A fresh folder under the OS temp dir; call the returned cleanup in afterEach/afterAll. */
export function tempDir(prefix = 'register-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
