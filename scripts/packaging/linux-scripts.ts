/**
 * The deb's maintainer scripts. Setting `deb.afterInstall` replaces electron-builder's own
 * after-install script, which is what links /usr/bin/<app> and fixes chrome-sandbox's
 * permissions (without it the app does not start on Ubuntu 24.04). So the scripts given to
 * electron-builder are its own templates, read from the installed app-builder-lib at build time,
 * followed by the register's udev steps.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export type DebScript = 'after-install' | 'after-remove';

/** electron-builder's own template for this script (with its ${macros} still in). */
export function electronBuilderTemplate(script: DebScript): string {
  const root = dirname(require.resolve('app-builder-lib/package.json'));
  return readFileSync(join(root, 'templates', 'linux', `${script}.tpl`), 'utf8');
}

/** The default steps, then ours. Ours must not end the script early: it only appends. */
export function composeDebScript(template: string, extra: string): string {
  if (/^\s*exit\b/m.test(extra)) throw new Error('The appended deb script steps must not exit: the default steps would be skipped.');
  return `${template.trimEnd()}\n${extra.startsWith('\n') ? '' : '\n'}${extra}`;
}

/** Writes both composed scripts into `outDir` and returns their paths (for the deb config). */
export function writeDebScripts(projectDir: string, outDir: string): { afterInstall: string; afterRemove: string } {
  mkdirSync(outDir, { recursive: true });
  const paths = { afterInstall: join(outDir, 'after-install.tpl'), afterRemove: join(outDir, 'after-remove.tpl') };
  const parts: Array<[DebScript, string]> = [
    ['after-install', paths.afterInstall],
    ['after-remove', paths.afterRemove],
  ];
  for (const [script, path] of parts) {
    const extra = readFileSync(join(projectDir, 'resources', 'linux', `udev-${script}.sh`), 'utf8');
    writeFileSync(path, composeDebScript(electronBuilderTemplate(script), extra));
  }
  return paths;
}
