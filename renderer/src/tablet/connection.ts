/**
 * The tablet's one connection to the register (wss://<this address>/tablet): says hello with the
 * device token, hands every message the register sends to the page, and reconnects by itself
 * after a dropped Wi-Fi (1 s, 2 s, then every 5 s) until the register says the tablet is unpaired.
 */
import { TABLET_CLOSE_NOT_PAIRED, tabletServerMessageSchema, type TabletClientMessage, type TabletServerMessage } from '../../../preload/api';

export type LinkState = 'connecting' | 'open' | 'reconnecting' | 'not_paired';

export class TabletConnection {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: number | null = null;
  private stopped = false;

  constructor(
    private readonly token: string,
    private readonly onMessage: (message: TabletServerMessage) => void,
    private readonly onState: (state: LinkState) => void,
  ) {}

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) window.clearTimeout(this.timer);
    this.ws?.close();
  }

  /** False when the link is down: the caller keeps what it meant to send and sends it on `ready`. */
  send(message: TabletClientMessage): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  private open(): void {
    this.onState(this.attempt === 0 ? 'connecting' : 'reconnecting');
    const ws = new WebSocket(`wss://${location.host}/tablet`);
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', token: this.token } satisfies TabletClientMessage));
    ws.onmessage = (event) => {
      let parsed;
      try {
        parsed = tabletServerMessageSchema.safeParse(JSON.parse(String(event.data)));
      } catch {
        return;
      }
      if (!parsed.success) return;
      if (parsed.data.type === 'ready') {
        this.attempt = 0;
        this.onState('open');
      }
      this.onMessage(parsed.data);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (event.code === TABLET_CLOSE_NOT_PAIRED) {
        this.onState('not_paired');
        return;
      }
      if (this.stopped) return;
      this.attempt++;
      this.onState('reconnecting');
      const delay = this.attempt === 1 ? 1000 : this.attempt === 2 ? 2000 : 5000;
      this.timer = window.setTimeout(() => this.open(), delay);
    };
  }
}
