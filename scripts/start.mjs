// `npm start [-- --data-dir DIR] [-- --port N]`: builds the app, then opens the Electron window
// where Electron is installed, or else starts the browser host and prints the address to open.
import { spawn, spawnSync } from 'node:child_process';
import { findElectron, nativeModulesFor } from './native.mjs';

const args = process.argv.slice(2);

if (!process.env.REGISTER_SKIP_BUILD) {
  const build = spawnSync('npm', ['run', '-s', 'build'], { stdio: 'inherit', shell: process.platform === 'win32' });
  if (build.status !== 0) {
    console.error('The build failed (see above): fix it, then run npm start again.');
    process.exit(1);
  }
}

const electron = findElectron();
let child;
if (electron.binary && !process.env.REGISTER_BROWSER_HOST) {
  nativeModulesFor('electron');
  child = spawn(electron.binary, ['.', ...args], { stdio: 'inherit' });
} else {
  if (!electron.binary) console.log(`No Electron window here: ${electron.reason}. Starting the browser host instead.`);
  nativeModulesFor('node');
  child = spawn(process.execPath, ['dist/main/host.mjs', ...args], { stdio: 'inherit' });
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
