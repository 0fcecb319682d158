// Runs a database worker program (main/store/worker.ts) in Electron's utility process: the
// program arrives in REGISTER_STORE_WORKER_PROGRAM and runs as `node -e` would run it, with
// this module's require. Built as dist/main/store-worker.cjs (scripts/build-main.mjs).
'use strict';
const { runInThisContext } = require('node:vm');

const program = process.env.REGISTER_STORE_WORKER_PROGRAM;
if (typeof program !== 'string' || program === '') {
  process.stderr.write('no worker program given\n');
  process.exit(2);
}
delete process.env.REGISTER_STORE_WORKER_PROGRAM;
runInThisContext(`(function (require) {\n${program}\n})`, { filename: 'store-worker-program.js' })(require);
