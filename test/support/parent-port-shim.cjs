// Stands in for Electron's process.parentPort in a Node child made by child_process.fork (tests
// of main/electron/utility-worker.ts): the parent's IPC messages arrive as { data }.
'use strict';
process.parentPort = {
  on(event, listener) {
    if (event === 'message') process.on('message', (data) => listener({ data }));
    return this;
  },
};
