/** The layer rule: capability folders never import Electron or React; the renderer never imports main/. */
import { ESLint } from 'eslint';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/paths.js';

const eslint = new ESLint({ cwd: repoRoot });

async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(repoRoot, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer lint rule', () => {
  it.each([
    ['main/store/x.ts', "import { app } from 'electron';\nexport const a = app;", /must not import Electron/],
    ['main/customers/x.ts', "import React from 'react';\nexport const r = React;", /must not import React/],
    ['main/licenses/x.ts', "import { x } from '../electron/main.js';\nexport const y = x;", /must not import the Electron host/],
    ['renderer/src/x.ts', "import { openStore } from '../../main/store/db.js';\nexport const o = openStore;", /knows only preload\/api.ts/],
    ['renderer/src/x.ts', "import { ipcChannels } from '../../preload/channels.js';\nexport const c = ipcChannels;", /only preload\/api.ts/],
    ['renderer/src/x.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;", /never touches Node/],
  ])('refuses %s importing what it must not', async (file, code, message) => {
    const errors = await layerErrors(file, code);
    expect(errors.join('\n')).toMatch(message);
  });

  it.each([
    ['renderer/src/x.ts', "import type { Session } from '../../preload/api.js';\nexport type S = Session;"],
    ['main/electron/x.ts', "import { app } from 'electron';\nexport const a = app;"],
    ['main/store/x.ts', "import { join } from 'node:path';\nexport const j = join;"],
  ])('allows %s its own imports', async (file, code) => {
    expect(await layerErrors(file, code)).toEqual([]);
  });
});
