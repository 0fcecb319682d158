// Layers only import downwards (as in VS Code): capability folders in main/ never import
// Electron or React; the renderer never imports main/ (only preload/api.ts for the contract).
import tseslint from 'typescript-eslint';

const capabilityFolders = ['store', 'tablet', 'mail', 'customers', 'intake', 'queue', 'checkout', 'compliance', 'trace', 'devices', 'licenses', 'staff', 'audit', 'core', 'demo', 'log', 'host', 'hub-sync'];

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'drizzle/**', 'test-results/**', 'playwright-report/**'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: capabilityFolders.map((folder) => `main/${folder}/**/*.{ts,tsx}`),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['electron', 'electron/*'], message: 'Capability folders in main/ must not import Electron: put Electron glue in main/electron/.' },
            { group: ['react', 'react-dom', 'react/*', 'react-dom/*', 'zustand', 'zustand/*'], message: 'Capability folders in main/ must not import React: UI lives in renderer/.' },
            { group: ['**/electron/**', '**/renderer/**'], message: 'Capability folders must not import the Electron host or the renderer.' },
          ],
        },
      ],
    },
  },
  {
    // The hub is its own process: it shares only hub/protocol.ts with the register.
    files: ['hub/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/main/**', '**/main', '**/renderer/**', '**/preload/**', 'electron', 'electron/*', 'better-sqlite3'], message: 'The hub never imports the register (main/, renderer/, preload/): share through hub/protocol.ts.' },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/main/**', '**/main'], message: 'The renderer knows only preload/api.ts: reach the core through the contract.' },
            { group: ['**/preload/*', '!**/preload/api', '!**/preload/api.js', '!**/preload/api.ts'], message: 'The renderer may import only preload/api.ts from preload/.' },
            { group: ['electron', 'node:*', 'better-sqlite3', 'node-hid', 'serialport', 'drizzle-orm', 'drizzle-orm/*'], message: 'The renderer never touches Node, the database or a device.' },
          ],
        },
      ],
    },
  },
);
