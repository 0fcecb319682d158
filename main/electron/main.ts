/**
 * The Electron host: one hardened window bound to the register core through ipcMain.handle.
 * Everything else (database, staff, devices) lives in the core, which knows nothing of Electron.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, safeStorage, session, type IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ipcChannels } from '../../preload/channels.js';
import { createRegister, type Register, type RegisterClient } from '../core/register.js';
import { appPaths } from '../core/paths.js';
import { DataFolderError } from '../store/errors.js';
import { createFileLogger } from '../log/logger.js';
import { createSafeStorageSecretBox } from './secret-box.js';

const RENDERER_CSP = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

app.setName('Dispensary Register');

function dataDirFromArgs(): string {
  const { values } = parseArgs({
    args: process.argv.slice(app.isPackaged ? 1 : 2),
    options: { 'data-dir': { type: 'string' } },
    strict: false,
    allowPositionals: true,
  });
  const fromArgs = values['data-dir'];
  return typeof fromArgs === 'string' ? fromArgs : (process.env.REGISTER_DATA_DIR ?? app.getPath('userData'));
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
  const dataDir = dataDirFromArgs();
  const logger = createFileLogger(dataDir);

  let register: Register;
  try {
    register = await createRegister({
      ...appPaths(appRoot),
      dataDir,
      host: 'electron',
      version: app.getVersion(),
      logger,
      // The OS keychain protects track-and-trace credentials; without one the key file is used.
      secretBox: createSafeStorageSecretBox(safeStorage),
      idleLockMs: process.env.REGISTER_IDLE_LOCK_MS ? Number(process.env.REGISTER_IDLE_LOCK_MS) : undefined,
    });
  } catch (error) {
    const message = error instanceof DataFolderError ? error.message : `The register could not start: ${String(error)}`;
    dialog.showErrorBox('Dispensary Register', message);
    app.exit(1);
    return;
  }

  hardenSessions();
  const rendererIndex = join(appRoot, 'dist', 'renderer', 'index.html');
  const rendererUrl = pathToFileURL(rendererIndex).href;
  const clients = new Map<number, RegisterClient>();
  let mainWindow: BrowserWindow | null = null;

  ipcMain.handle(ipcChannels.call, async (event: IpcMainInvokeEvent, message: unknown) => {
    // Only our own page in our own window may call the register.
    const client = clients.get(event.sender.id);
    if (!client || event.senderFrame?.url.split('#')[0] !== rendererUrl) {
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
    void window.loadFile(rendererIndex);
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

function hardenSessions(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] } });
  });
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}
