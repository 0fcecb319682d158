/**
 * Packaging: Windows (NSIS, built on Windows) and Linux (AppImage and deb, built on Linux).
 * `npm run dist` (scripts/dist.ts) rebuilds better-sqlite3 for Electron, then runs electron-builder
 * with this file; `npm run dist:check` (scripts/dist-check.ts) packs against a stand-in Electron
 * and checks the result. README, "Building installers", says which machine builds what.
 *
 * A TypeScript config (rather than YAML) so the hooks are typed, tested code and the deb scripts
 * can be composed from electron-builder's own templates at build time.
 */
import type { Configuration } from 'electron-builder';
import { join } from 'node:path';
import afterPack from './scripts/packaging/after-pack.js';
import { writeDebScripts } from './scripts/packaging/linux-scripts.js';
import { windowsSigning } from './scripts/packaging/signing.js';
import { ELECTRON_VERSION, EXECUTABLE_NAME, PRODUCT_NAME, UDEV_RULES } from './scripts/packaging/constants.js';

const projectDir = process.cwd();
const debScripts = writeDebScripts(projectDir, join(projectDir, 'build', 'packaging'));
const signing = windowsSigning();
if (process.argv.some((arg) => arg === '--win' || arg === '-w' || arg === '--windows') || process.platform === 'win32') {
  console.log(signing.message);
}

/**
 * Electron fuses, flipped in the packed executable (electron-builder >= 26 `electronFuses`; kept
 * out of the literal below so the config still type-checks where an older electron-builder is
 * installed, and typed here with @electron/fuses' names).
 */
interface FuseSettings {
  runAsNode: boolean;
  enableCookieEncryption: boolean;
  enableNodeOptionsEnvironmentVariable: boolean;
  enableNodeCliInspectArguments: boolean;
  enableEmbeddedAsarIntegrityValidation: boolean;
  onlyLoadAppFromAsar: boolean;
  grantFileProtocolExtraPrivileges: boolean;
}
const hardening: { electronFuses: FuseSettings } = {
  electronFuses: {
    // Off: nothing runs Electron as Node. The store's backup and integrity workers run in
    // Electron's utility processes (main/electron/utility-worker.ts); dist:check holds this.
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    onlyLoadAppFromAsar: true,
    // The window loads app://register (main/electron/app-protocol.ts), never file://.
    grantFileProtocolExtraPrivileges: false,
    // Not enabled: asar integrity needs an integrity record electron-builder writes only for
    // macOS and Windows, and Linux does not support it.
    enableEmbeddedAsarIntegrityValidation: false,
  },
};

const config: Configuration = {
  appId: 'com.dispensaryregister.app',
  productName: PRODUCT_NAME,
  electronVersion: ELECTRON_VERSION,
  directories: { output: 'release', buildResources: 'resources/build' },
  files: [
    'dist/**/*',
    'drizzle/**/*',
    'resources/**/*',
    'package.json',
    '!**/*.map',
    '!test/**',
    // Build-time only: icons, installer scripts, Linux packaging scripts.
    '!resources/build/**',
    '!resources/linux/**',
    // Electron itself is the runtime, never a file inside the app (it is an optional dependency).
    '!node_modules/electron/**',
    '!**/node_modules/electron/**',
    // Native modules' sources and build leftovers: the compiled .node files are all that load.
    '!**/node_modules/better-sqlite3/deps/**',
    '!**/node_modules/better-sqlite3/src/**',
    '!**/node_modules/better-sqlite3/build/deps/**',
    '!**/node_modules/better-sqlite3/build/Release/obj/**',
    '!**/node_modules/better-sqlite3/build/Release/obj.target/**',
    '!**/node_modules/better-sqlite3/build/Release/.deps/**',
    '!**/node_modules/better-sqlite3/build/Release/test_extension.node',
    '!**/node_modules/better-sqlite3/build/Release/*.a',
    // Prebuilt binaries for systems the register is not installed on.
    '!**/node_modules/node-hid/prebuilds/*{darwin,arm,ia32}*/**',
    '!**/node_modules/@serialport/bindings-cpp/prebuilds/{darwin,android,linux-arm,win32-ia32,win32-arm64}*/**',
  ],
  asar: true,
  asarUnpack: [
    // Native modules must live outside the asar archive to be loaded.
    '**/node_modules/better-sqlite3/**',
    '**/node_modules/node-hid/**',
    '**/node_modules/@serialport/**',
    '**/*.node',
  ],
  // scripts/dist.ts rebuilds better-sqlite3 alone for Electron before packing: node-hid and
  // serialport are Node-API modules whose prebuilt binaries load in Electron as they are. The
  // afterPack check fails the build when any module does not fit.
  npmRebuild: false,
  buildDependenciesFromSource: false,
  nodeGypRebuild: false,
  afterPack,
  ...hardening,
  win: {
    target: [{ target: 'nsis', arch: ['x64'] }],
    icon: 'resources/build/icon.ico',
    ...(signing.signtoolOptions ? { signtoolOptions: signing.signtoolOptions } : {}),
  },
  nsis: {
    oneClick: false,
    perMachine: true,
    allowToChangeInstallationDirectory: true,
    createDesktopShortcut: true,
    // resources/build/installer.nsh: the data folder in ProgramData and its ACL.
    include: 'resources/build/installer.nsh',
    deleteAppDataOnUninstall: false,
  },
  linux: {
    category: 'Office',
    target: ['AppImage', 'deb'],
    executableName: EXECUTABLE_NAME,
    icon: 'resources/build/icons',
    // The deb's after-install script copies it to /etc/udev/rules.d.
    extraResources: [{ from: `resources/linux/${UDEV_RULES}`, to: `udev/${UDEV_RULES}` }],
  },
  deb: {
    // electron-builder's default list (Ubuntu 24.04's t64 names as alternatives), plus node-hid's
    // libusb and libudev.
    depends: [
      'libgtk-3-0 | libgtk-3-0t64',
      'libnotify4',
      'libnss3',
      'libxss1',
      'libxtst6',
      'xdg-utils',
      'libatspi2.0-0 | libatspi2.0-0t64',
      'libuuid1',
      'libsecret-1-0',
      'libusb-1.0-0',
      'libudev1',
    ],
    // electron-builder's own after-install/after-remove steps, then the udev rule's (see
    // scripts/packaging/linux-scripts.ts).
    afterInstall: debScripts.afterInstall,
    afterRemove: debScripts.afterRemove,
  },
};

export default config;
