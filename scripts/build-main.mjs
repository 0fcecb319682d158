// Bundles the Node side: the browser host (ESM), the Electron main process and preload (CJS).
// Packages stay external (native modules are rebuilt per runtime); the sandboxed preload is
// self-contained apart from 'electron'.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' };

await Promise.all([
  build({
    ...common,
    entryPoints: { host: 'main/host/cli.ts' },
    outdir: 'dist/main',
    format: 'esm',
    outExtension: { '.js': '.mjs' },
    packages: 'external',
  }),
  build({
    ...common,
    entryPoints: { electron: 'main/electron/main.ts' },
    outdir: 'dist/main',
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    packages: 'external',
    external: ['electron'],
    // import.meta.url has no meaning in CommonJS: give it this file's URL.
    define: { 'import.meta.url': '__importMetaUrl' },
    banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  }),
  // The track-and-trace sync worker thread, beside each host bundle (main/trace/worker-host.ts).
  build({ ...common, entryPoints: { 'trace-worker': 'main/trace/worker.ts' }, outdir: 'dist/main', format: 'esm', outExtension: { '.js': '.mjs' }, packages: 'external' }),
  build({
    ...common,
    entryPoints: { 'trace-worker': 'main/trace/worker.ts' },
    outdir: 'dist/main',
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    packages: 'external',
    define: { 'import.meta.url': '__importMetaUrl' },
    banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  }),
  build({
    ...common,
    entryPoints: { preload: 'preload/preload.ts' },
    outdir: 'dist/preload',
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    platform: 'browser',
    external: ['electron'],
  }),
]);

// The runner of database workers in Electron's utility process (main/electron/utility-worker.ts):
// plain CommonJS, copied as it is (it runs the worker program with its own require).
mkdirSync('dist/main', { recursive: true });
copyFileSync('main/store/worker-runner.cjs', 'dist/main/store-worker.cjs');
