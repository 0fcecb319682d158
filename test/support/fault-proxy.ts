/**
 * A small TCP proxy on 127.0.0.1 that stands for one station's network link to the hub, with
 * faults a test switches at any moment (research/hub.md §6.5; Toxiproxy's toxics without its Go
 * binary):
 *
 *   pass       bytes flow both ways
 *   blackhole  new and open connections stay up but nothing is delivered either way (a pulled
 *              cable: the peer only finds out by its own timeouts)
 *   reset      every open connection is reset and new ones are reset at once (a refused link)
 *   delay      bytes flow both ways after `delayMs` each
 *   drop_up    the station's bytes to the hub are swallowed; the hub's replies still arrive
 *   drop_down  the station's bytes reach the hub; its replies are swallowed (a lost reply)
 *   hold_new   open connections pass; one opened now is held as by a blackhole for as long as it
 *              lasts (a station's open WebSocket works, its next file request hangs)
 *
 * Bounded: at most `maxConnections` at once (more are reset), and every swallowed or delayed
 * byte is counted, never buffered without limit (a delayed chunk holds its own timer only).
 */
import net from 'node:net';

export type LinkMode = 'pass' | 'blackhole' | 'reset' | 'delay' | 'drop_up' | 'drop_down' | 'hold_new';

export interface FaultProxyOptions {
  /** Where the hub listens. */
  targetHost?: string;
  targetPort: number;
  /** Port to listen on (0: any free one). */
  listenPort?: number;
  maxConnections?: number;
}

export interface LinkStats {
  connections: number;
  open: number;
  upBytes: number;
  downBytes: number;
  droppedUpBytes: number;
  droppedDownBytes: number;
  /** Connections opened in hold_new mode (held for as long as they last). */
  held: number;
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  held: boolean;
}

export class FaultProxy {
  private server: net.Server | null = null;
  private readonly pairs = new Set<Pair>();
  private modeNow: LinkMode = 'pass';
  private delayMsNow = 0;
  readonly stats: LinkStats = { connections: 0, open: 0, upBytes: 0, downBytes: 0, droppedUpBytes: 0, droppedDownBytes: 0, held: 0 };
  port = 0;

  constructor(private readonly options: FaultProxyOptions) {}

  get mode(): LinkMode {
    return this.modeNow;
  }

  /** The address a station uses to reach the hub through this link. */
  get url(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const server = net.createServer((client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.listenPort ?? 0, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    return this;
  }

  /** Change the link's behaviour; `reset` also resets every open connection at once. */
  set(mode: LinkMode, delayMs = 0): void {
    this.modeNow = mode;
    this.delayMsNow = mode === 'delay' ? Math.max(0, delayMs) : 0;
    if (mode === 'reset') for (const pair of [...this.pairs]) this.destroyPair(pair);
  }

  /** Reset every open connection but keep the mode (a hub restart seen from the station). */
  resetOpen(): void {
    for (const pair of [...this.pairs]) this.destroyPair(pair);
  }

  async stop(): Promise<void> {
    for (const pair of [...this.pairs]) this.destroyPair(pair);
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    this.stats.connections += 1;
    if (this.modeNow === 'reset' || this.pairs.size >= (this.options.maxConnections ?? 64)) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect({ host: this.options.targetHost ?? '127.0.0.1', port: this.options.targetPort });
    const pair: Pair = { client, upstream, held: this.modeNow === 'hold_new' };
    if (pair.held) this.stats.held += 1;
    this.pairs.add(pair);
    this.stats.open = this.pairs.size;
    client.on('data', (chunk: Buffer) => this.forward(pair, 'up', chunk));
    upstream.on('data', (chunk: Buffer) => this.forward(pair, 'down', chunk));
    const end = () => this.destroyPair(pair);
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  }

  private forward(pair: Pair, direction: 'up' | 'down', chunk: Buffer): void {
    const to = direction === 'up' ? pair.upstream : pair.client;
    const mode = this.modeNow;
    const dropped = pair.held || mode === 'blackhole' || (mode === 'drop_up' && direction === 'up') || (mode === 'drop_down' && direction === 'down');
    if (dropped || mode === 'reset') {
      if (direction === 'up') this.stats.droppedUpBytes += chunk.length;
      else this.stats.droppedDownBytes += chunk.length;
      return;
    }
    if (direction === 'up') this.stats.upBytes += chunk.length;
    else this.stats.downBytes += chunk.length;
    if (mode === 'delay' && this.delayMsNow > 0) {
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, this.delayMsNow).unref();
    } else if (!to.destroyed) {
      to.write(chunk);
    }
  }

  private destroyPair(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    this.stats.open = this.pairs.size;
    if (!pair.client.destroyed) pair.client.resetAndDestroy();
    if (!pair.upstream.destroyed) pair.upstream.resetAndDestroy();
  }
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  return new FaultProxy(options).start();
}
