/**
 * The subset of Electron's API the register uses, with Electron's own signatures. The Electron
 * package (and its types) cannot be installed where its binary download is unreachable, so the
 * type check reads this file; keep it to what main/electron and preload use.
 */
declare module 'electron' {
  import type { EventEmitter } from 'node:events';

  interface Event {
    preventDefault(): void;
  }
  interface WebFrameMain {
    url: string;
  }
  interface WebContents extends EventEmitter {
    id: number;
    send(channel: string, ...args: unknown[]): void;
    setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void;
    on(event: 'will-navigate', listener: (event: Event, url: string) => void): this;
    on(event: 'will-attach-webview', listener: (event: Event) => void): this;
    on(event: 'destroyed', listener: () => void): this;
    on(event: 'before-input-event', listener: (event: Event, input: { type: string; key: string; code: string }) => void): this;
    isDestroyed(): boolean;
  }
  interface PermissionRequestDetails {
    requestingUrl?: string;
    isMainFrame?: boolean;
  }
  interface Session {
    setPermissionRequestHandler(
      handler:
        | ((webContents: WebContents, permission: string, callback: (granted: boolean) => void, details: PermissionRequestDetails) => void)
        | null,
    ): void;
    setPermissionCheckHandler(
      handler: ((webContents: WebContents | null, permission: string, requestingOrigin: string, details: PermissionRequestDetails) => boolean) | null,
    ): void;
    setDevicePermissionHandler(handler: ((details: { deviceType: string; origin: string }) => boolean) | null): void;
    webRequest: {
      onHeadersReceived(
        listener: (
          details: { responseHeaders?: Record<string, string[]> },
          callback: (response: { responseHeaders?: Record<string, string[]> }) => void,
        ) => void,
      ): void;
    };
  }
  interface BrowserWindowConstructorOptions {
    width?: number;
    height?: number;
    minWidth?: number;
    minHeight?: number;
    show?: boolean;
    title?: string;
    backgroundColor?: string;
    webPreferences?: {
      preload?: string;
      contextIsolation?: boolean;
      sandbox?: boolean;
      nodeIntegration?: boolean;
      nodeIntegrationInWorker?: boolean;
      webSecurity?: boolean;
      allowRunningInsecureContent?: boolean;
      webviewTag?: boolean;
      spellcheck?: boolean;
      devTools?: boolean;
    };
  }
  class BrowserWindow extends EventEmitter {
    constructor(options?: BrowserWindowConstructorOptions);
    webContents: WebContents;
    loadFile(filePath: string): Promise<void>;
    loadURL(url: string): Promise<void>;
    show(): void;
    focus(): void;
    isMinimized(): boolean;
    restore(): void;
    once(event: 'ready-to-show', listener: () => void): this;
    on(event: 'closed', listener: () => void): this;
  }
  interface IpcMainInvokeEvent {
    sender: WebContents;
    senderFrame: WebFrameMain | null;
  }
  interface IpcMain {
    handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown> | unknown): void;
  }
  interface App extends EventEmitter {
    whenReady(): Promise<void>;
    getPath(name: 'userData' | 'appData' | 'logs'): string;
    getAppPath(): string;
    getVersion(): string;
    isPackaged: boolean;
    setName(name: string): void;
    quit(): void;
    exit(code?: number): void;
    requestSingleInstanceLock(): boolean;
    on(event: 'window-all-closed', listener: () => void): this;
    on(event: 'second-instance', listener: () => void): this;
    on(event: 'before-quit', listener: (event: Event) => void): this;
    on(event: 'web-contents-created', listener: (event: Event, contents: WebContents) => void): this;
  }
  interface Dialog {
    showErrorBox(title: string, content: string): void;
  }
  interface IpcRendererEvent {
    sender: unknown;
  }
  interface IpcRenderer {
    invoke(channel: string, ...args: unknown[]): Promise<unknown>;
    on(channel: string, listener: (event: IpcRendererEvent, ...args: never[]) => void): this;
  }
  interface ContextBridge {
    exposeInMainWorld(apiKey: string, api: unknown): void;
  }
  class Menu {
    static setApplicationMenu(menu: Menu | null): void;
  }

  interface SafeStorage {
    isEncryptionAvailable(): boolean;
    encryptString(plainText: string): Buffer;
    decryptString(encrypted: Buffer): string;
    /** Linux only. */
    getSelectedStorageBackend(): 'basic_text' | 'gnome_libsecret' | 'kwallet' | 'kwallet5' | 'kwallet6' | 'unknown';
  }

  interface CustomScheme {
    scheme: string;
    privileges?: {
      standard?: boolean;
      secure?: boolean;
      supportFetchAPI?: boolean;
      corsEnabled?: boolean;
      stream?: boolean;
      bypassCSP?: boolean;
      allowServiceWorkers?: boolean;
      codeCache?: boolean;
    };
  }
  interface Protocol {
    registerSchemesAsPrivileged(customSchemes: CustomScheme[]): void;
    handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
  }

  interface ForkOptions {
    env?: Record<string, string>;
    execArgv?: string[];
    cwd?: string;
    stdio?: 'pipe' | 'ignore' | 'inherit' | Array<'pipe' | 'ignore' | 'inherit'>;
    serviceName?: string;
    allowLoadingUnsignedLibraries?: boolean;
  }
  interface UtilityProcess extends EventEmitter {
    readonly pid: number | undefined;
    readonly stdout: NodeJS.ReadableStream | null;
    readonly stderr: NodeJS.ReadableStream | null;
    postMessage(message: unknown, transfer?: unknown[]): void;
    kill(): boolean;
    once(event: 'spawn', listener: () => void): this;
    once(event: 'exit', listener: (code: number) => void): this;
    on(event: 'message', listener: (message: unknown) => void): this;
  }

  export const app: App;
  export const utilityProcess: { fork(modulePath: string, args?: string[], options?: ForkOptions): UtilityProcess };
  export const safeStorage: SafeStorage;
  export const ipcMain: IpcMain;
  export const dialog: Dialog;
  export const session: { defaultSession: Session };
  export const protocol: Protocol;
  export const ipcRenderer: IpcRenderer;
  export const contextBridge: ContextBridge;
  export { BrowserWindow, Menu };
  export type { Event, IpcMainInvokeEvent, IpcRendererEvent, WebContents };
}
