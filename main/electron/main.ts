/**
 * The Electron host: one hardened window bound to the register core through ipcMain.handle.
 * Everything else (database, staff, devices) lives in the core, which knows nothing of Electron.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, safeStorage, session, utilityProcess, type IpcMainInvokeEvent } from 'electron';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ipcChannels } from '../../preload/channels.js';
import { createRegister, type Register, type RegisterClient } from '../core/register.js';
import { appPaths, installedDataDir, newStoreFrom, tabletListenFromEnv } from '../core/paths.js';
import { DataFolderError } from '../store/errors.js';
import { createFileLogger } from '../log/logger.js';
import { APP_ENTRY_URL, APP_SCHEME, isAllowedNavigation, isTrustedSenderUrl, RENDERER_CSP, resolveAppRequest } from './app-protocol.js';
import { isPermissionAllowed } from './permissions.js';
import { secretBoxFor } from './secret-box.js';
import { useWorkerLauncher } from '../store/worker.js';
import { utilityWorkerLauncher } from './utility-worker.js';

app.setName('Dispensary Register');

// Before 'ready': app:// is a standard, secure scheme (a real origin for CSP and the sender check).
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

/** --data-dir, else REGISTER_DATA_DIR, else the installed app's folder (ProgramData on Windows). */
function chooseDataDir(): { dir: string; sharedByAllAccounts: boolean } {
  const { values } = parseArgs({
    args: process.argv.slice(app.isPackaged ? 1 : 2),
    options: { 'data-dir': { type: 'string' } },
    strict: false,
    allowPositionals: true,
  });
  const fromArgs = values['data-dir'];
  if (typeof fromArgs === 'string') return { dir: fromArgs, sharedByAllAccounts: false };
  if (process.env.REGISTER_DATA_DIR) return { dir: process.env.REGISTER_DATA_DIR, sharedByAllAccounts: false };
  if (!app.isPackaged) return { dir: app.getPath('userData'), sharedByAllAccounts: false };
  return installedDataDir(process.platform, process.env, app.getPath('userData'));
}

/** --demo IL (or REGISTER_DEMO): a new data folder becomes that state's demo store instead of the setup screen. */
function demoFromArgs(): string | undefined {
  const { values } = parseArgs({
    args: process.argv.slice(app.isPackaged ? 1 : 2),
    options: { demo: { type: 'string' } },
    strict: false,
    allowPositionals: true,
  });
  return typeof values.demo === 'string' ? values.demo : process.env.REGISTER_DEMO;
}

if (!app.requestSingleInstanceLock()) {
  // A second start focuses the running register instead of opening the database twice.
  app.quit();
} else {
  void start();
}

async function start(): Promise<void> {
  await app.whenReady();
  Menu.setApplicationMenu(null);
  const appRoot = app.getAppPath();
  // Backups and integrity checks run in utility processes: the RunAsNode fuse stays off.
  useWorkerLauncher(utilityWorkerLauncher(join(appRoot, 'dist', 'main', 'store-worker.cjs'), (modulePath, args, options) => utilityProcess.fork(modulePath, args, options)));
  const { dir: dataDir, sharedByAllAccounts } = chooseDataDir();
  const logger = createFileLogger(dataDir);
  const demo = demoFromArgs();
  const newStore = newStoreFrom(demo);
  if (!newStore) {
    dialog.showErrorBox('Dispensary Register', `"${demo}" is not a state with a demo store: start with --demo IL, OK or CA.`);
    app.exit(2);
    return;
  }
  const secrets = secretBoxFor(safeStorage, process.platform, { sharedDataFolder: sharedByAllAccounts });
  logger.log('info', 'track-and-trace passwords are sealed', { with: secrets.choice.backend, because: secrets.choice.reason });

  let register: Register;
  try {
    register = await createRegister({
      ...appPaths(appRoot),
      dataDir,
      dataDirSharedByAllAccounts: sharedByAllAccounts,
      host: 'electron',
      newStore,
      version: app.getVersion(),
      logger,
      // The OS keychain protects track-and-trace credentials; without a real one the key file is used.
      secretBox: secrets.box,
      idleLockMs: process.env.REGISTER_IDLE_LOCK_MS ? Number(process.env.REGISTER_IDLE_LOCK_MS) : undefined,
      // The reception tablet's server (only while a manager has it on): the store's network by default.
      tabletListen: tabletListenFromEnv(process.env),
    });
  } catch (error) {
    const message = error instanceof DataFolderError ? error.message : `The register could not start: ${String(error)}`;
    dialog.showErrorBox('Dispensary Register', message);
    app.exit(1);
    return;
  }

  const rendererRoot = join(appRoot, 'dist', 'renderer');
  serveAppProtocol(rendererRoot);
  hardenSessions();
  const clients = new Map<number, RegisterClient>();
  let mainWindow: BrowserWindow | null = null;

  ipcMain.handle(ipcChannels.call, async (event: IpcMainInvokeEvent, message: unknown) => {
    // Only our own page in our own window may call the register.
    const client = clients.get(event.sender.id);
    if (!client || !isTrustedSenderUrl(event.senderFrame?.url)) {
      logger.log('warn', 'refused an IPC call from an unknown sender', { url: event.senderFrame?.url ?? null });
      return { id: null, ok: false, error: { code: 'forbidden', message: 'This window may not call the register.' } };
    }
    return client.dispatch(message);
  });

  function openWindow(): void {
    const window = new BrowserWindow({
      width: 1280,
      height: 800,
      minWidth: 1024,
      minHeight: 700,
      show: false,
      title: 'Dispensary Register',
      backgroundColor: '#0f172a',
      webPreferences: {
        preload: join(appRoot, 'dist', 'preload', 'preload.cjs'),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        spellcheck: false,
        // Staff cannot open the developer tools in an installed register.
        devTools: !app.isPackaged,
      },
    });
    const contents = window.webContents;
    const webContentsId = contents.id;
    const client = register.connect((envelope) => {
      if (!contents.isDestroyed()) contents.send(ipcChannels.event, envelope);
    });
    clients.set(webContentsId, client);
    contents.on('destroyed', () => {
      client.close();
      clients.delete(webContentsId);
    });
    window.once('ready-to-show', () => window.show());
    window.on('closed', () => {
      mainWindow = null;
    });
    void window.loadURL(APP_ENTRY_URL);
    mainWindow = window;
  }

  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });

  let closing = false;
  app.on('before-quit', (event) => {
    if (closing) return;
    event.preventDefault();
    closing = true;
    // Backup and close the database before the process ends.
    void register.close().finally(() => app.exit(0));
  });
  app.on('window-all-closed', () => app.quit());

  openWindow();
}

/** app://register/… answers with files from dist/renderer (inside app.asar), each with the CSP. */
function serveAppProtocol(rendererRoot: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const resolved = resolveAppRequest(request.url, rendererRoot);
    if (!resolved.ok) return new Response(null, { status: resolved.status });
    try {
      const body = await readFile(resolved.file);
      return new Response(new Uint8Array(body), {
        status: 200,
        headers: { 'Content-Type': resolved.contentType, 'Content-Security-Policy': RENDERER_CSP, 'X-Content-Type-Options': 'nosniff' },
      });
    } catch {
      return new Response(null, { status: 404 });
    }
  });
}

function hardenSessions(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback, details) => callback(isPermissionAllowed(permission, details.requestingUrl)));
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) => isPermissionAllowed(permission, requestingOrigin));
  // The page never reaches HID, serial or USB devices itself: main reads them.
  ses.setDevicePermissionHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] } });
  });
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAllowedNavigation(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}
