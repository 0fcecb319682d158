/**
 * Picks how the renderer reaches the register core.
 *
 * - Electron: the preload exposes the contract as `window.register` (contextBridge).
 * - Browser host: the page is served at http://127.0.0.1:PORT/?token=TOKEN and the contract is
 *   carried over a WebSocket at ws://<host>/api?token=TOKEN with the same envelopes.
 *
 * Only types (and no runtime code) come from the contract, so the renderer bundle stays free of
 * anything Node-side.
 */
import type {
  ApiError,
  CallName,
  CallOptions,
  CallRequest,
  CallResponse,
  EventName,
  EventPayload,
  RegisterApi,
  Result,
} from '../../preload/api';

declare global {
  interface Window {
    register?: RegisterApi;
  }
}

/** open: calls go through; connecting: first attempt; reconnecting: it dropped and we retry; no_token: the page was opened without its link. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'no_token';

export interface ConnectionInfo {
  state: ConnectionState;
  /** How many attempts in a row have failed (0 while open). */
  failedAttempts: number;
  /** True once this page has been connected at least once with its token (and heard from the register). */
  everConnected: boolean;
  /** Why the register last turned this page away (too many screens, too many requests), for staff; null otherwise. */
  turnedAway: string | null;
}

export interface RegisterClient extends RegisterApi {
  readonly kind: 'electron' | 'browser';
  connection(): ConnectionInfo;
  /** Called on every connection change; also right after (re)connecting, so callers can refresh. */
  onConnection(listener: (info: ConnectionInfo) => void): () => void;
}

export const UNAVAILABLE: ApiError = {
  code: 'unavailable',
  message: 'The register is not answering: it will reconnect by itself.',
};

const TOKEN_KEY = 'register.token';

type AnyListener = (payload: unknown) => void;

class Emitter {
  private readonly listeners = new Map<string, Set<AnyListener>>();

  on(event: string, listener: AnyListener): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  emit(event: string, payload: unknown): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(payload);
      } catch (error) {
        console.error(`A listener for ${event} failed`, error);
      }
    }
  }
}

/** Electron: wraps window.register; the IPC channel is always there. */
function electronClient(api: RegisterApi): RegisterClient {
  const info: ConnectionInfo = { state: 'open', failedAttempts: 0, everConnected: true, turnedAway: null };
  return {
    kind: 'electron',
    call: (name, payload, options) => api.call(name, payload, options),
    on: (event, listener) => api.on(event, listener),
    connection: () => info,
    onConnection: (listener) => {
      queueMicrotask(() => listener(info));
      return () => undefined;
    },
  };
}

/** Reads the token from the address bar on first load, keeps it for this tab and hides it. */
export function takeToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    try {
      sessionStorage.setItem(TOKEN_KEY, fromUrl);
    } catch {
      // Storage refused (private mode): the token still works for this page's life.
    }
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

interface Pending {
  resolve: (result: Result<unknown>) => void;
}

const BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000];
/** Close codes the browser host uses to turn a page away: 1013 too many screens, 1008 too many requests. */
const TURNED_AWAY_CODES = new Set([1008, 1013]);
/** After being turned away, a new socket counts as open only if it is still open after this long. */
const SETTLE_MS = 300;

class SocketClient implements RegisterClient {
  readonly kind = 'browser' as const;
  private socket: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly events = new Emitter();
  private readonly connectionListeners = new Set<(info: ConnectionInfo) => void>();
  private info: ConnectionInfo;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Times in a row the register turned this page away: it then retries slowly. */
  private turnedAwayInARow = 0;

  constructor(private readonly token: string | null) {
    this.info = { state: token ? 'connecting' : 'no_token', failedAttempts: 0, everConnected: false, turnedAway: null };
    if (token) this.open();
  }

  connection(): ConnectionInfo {
    return this.info;
  }

  onConnection(listener: (info: ConnectionInfo) => void): () => void {
    this.connectionListeners.add(listener);
    return () => {
      this.connectionListeners.delete(listener);
    };
  }

  call<N extends CallName>(name: N, payload: CallRequest<N>, options?: CallOptions): Promise<Result<CallResponse<N>>> {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      return Promise.resolve({ ok: false, error: UNAVAILABLE });
    }
    const id = this.nextId++;
    return new Promise((resolve) => {
      // The response's value was validated by main against the contract for this call.
      this.pending.set(id, { resolve: resolve as (result: Result<unknown>) => void });
      try {
        const grant = options?.overrideGrantId ? { overrideGrantId: options.overrideGrantId } : {};
        socket.send(JSON.stringify({ id, call: name, payload, ...grant }));
      } catch {
        this.pending.delete(id);
        resolve({ ok: false, error: UNAVAILABLE });
      }
    });
  }

  on<N extends EventName>(event: N, listener: (payload: EventPayload<N>) => void): () => void {
    return this.events.on(event, listener as AnyListener);
  }

  private setInfo(next: ConnectionInfo): void {
    this.info = next;
    for (const listener of [...this.connectionListeners]) listener(next);
  }

  private open(): void {
    const protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    const url = `${protocol}//${window.location.host}/api?token=${encodeURIComponent(this.token ?? '')}`;
    let socket: WebSocket;
    try {
      socket = new WebSocket(url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    const markOpen = () => {
      if (this.socket !== socket || socket.readyState !== WebSocket.OPEN || this.info.state === 'open') return;
      this.setInfo({ state: 'open', failedAttempts: 0, everConnected: this.info.everConnected, turnedAway: null });
    };
    socket.addEventListener('open', () => {
      if (this.socket !== socket) return;
      // Turned away just before: wait to see that this one is kept, so the screen does not flicker.
      if (this.turnedAwayInARow > 0) setTimeout(markOpen, SETTLE_MS);
      else markOpen();
    });
    socket.addEventListener('message', (event: MessageEvent) => {
      if (this.socket !== socket) return;
      markOpen();
      this.turnedAwayInARow = 0;
      if (!this.info.everConnected) this.setInfo({ ...this.info, everConnected: true });
      this.handleMessage(event.data);
    });
    socket.addEventListener('close', (event: CloseEvent) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.failPending();
      const turnedAway = TURNED_AWAY_CODES.has(event.code) && event.reason ? event.reason : null;
      this.turnedAwayInARow = turnedAway ? this.turnedAwayInARow + 1 : 0;
      this.scheduleReconnect(turnedAway);
    });
    // 'error' is always followed by 'close', which does the work.
  }

  private handleMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      console.error('The register sent a message that is not JSON');
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    const record = message as Record<string, unknown>;
    if (typeof record.event === 'string') {
      this.events.emit(record.event, record.payload);
      return;
    }
    if (typeof record.id === 'number') {
      const pending = this.pending.get(record.id);
      if (!pending) return;
      this.pending.delete(record.id);
      if (record.ok === true) {
        pending.resolve({ ok: true, value: record.value });
      } else {
        const error = record.error as ApiError | undefined;
        pending.resolve({
          ok: false,
          error: error && typeof error.message === 'string' ? error : { code: 'internal', message: 'The register answered with an error it did not describe.' },
        });
      }
    } else if (record.ok === false) {
      // An answer to a message the core could not even read (id null).
      console.error('The register refused a message', record.error);
    }
  }

  private failPending(): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const entry of pending) entry.resolve({ ok: false, error: UNAVAILABLE });
  }

  private scheduleReconnect(turnedAway: string | null = null): void {
    const failedAttempts = this.info.state === 'open' ? 1 : this.info.failedAttempts + 1;
    this.setInfo({ state: 'reconnecting', failedAttempts, everConnected: this.info.everConnected, turnedAway });
    // Turned away: start at a second and back off from there, so a full register is not hammered.
    const step = this.turnedAwayInARow > 0 ? this.turnedAwayInARow + 1 : failedAttempts - 1;
    const delay = BACKOFF_MS[Math.min(step, BACKOFF_MS.length - 1)] ?? 8000;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.open();
    }, delay);
  }
}

let client: RegisterClient | null = null;

/** The one client of this page: Electron's bridge when present, the WebSocket otherwise. */
export function getClient(): RegisterClient {
  if (!client) {
    client = window.register ? electronClient(window.register) : new SocketClient(takeToken());
  }
  return client;
}
