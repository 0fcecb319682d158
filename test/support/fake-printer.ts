/**
 * A fake ESC/POS network printer for tests (127.0.0.1, a random port): records every connection's
 * bytes (without its status queries), answers DLE EOT 1/2/4 from a scripted state, and can refuse
 * connections (switched off). `lastByteAt` is when the last job's final byte arrived (the bench).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { decodeEscPos, type Decoded } from './escpos-decoder.js';

export type FakeState = 'ready' | 'paper_out' | 'cover_open' | 'offline' | 'silent';

/** Replies to DLE EOT 1, 2, 4 (research/till.md §5.3). */
export const REPLIES: Record<Exclude<FakeState, 'silent'>, [number, number, number]> = {
  ready: [0x12, 0x12, 0x12],
  paper_out: [0x1a, 0x32, 0x72],
  cover_open: [0x1a, 0x16, 0x12],
  offline: [0x1a, 0x12, 0x12],
};

export interface Job {
  bytes: Buffer;
  decoded: Decoded;
  endedAt: number;
}

/** Splits DLE EOT n queries out of a stream of bytes, answering each; returns the job bytes. */
export function answerStatus(chunk: Buffer, state: FakeState, reply: (byte: number) => void, drawerHigh = false): Buffer {
  const kept: number[] = [];
  for (let i = 0; i < chunk.length; i++) {
    if (chunk[i] === 0x10 && chunk[i + 1] === 0x04 && chunk[i + 2] !== undefined) {
      const n = chunk[i + 2]!;
      // DLE EOT 1, bit 2: the drawer kick-out connector's pin 3 is high.
      if (state !== 'silent') reply(REPLIES[state][n === 1 ? 0 : n === 2 ? 1 : 2] | (n === 1 && drawerHigh ? 0x04 : 0));
      i += 2;
    } else kept.push(chunk[i]!);
  }
  return Buffer.from(kept);
}

export class FakePrinter {
  readonly jobs: Job[] = [];
  state: FakeState = 'ready';
  /** The drawer switch on connector pin 3 (what an open drawer reads depends on its wiring). */
  drawerHigh = false;
  /** Open the drawer on every pulse (a drawer wired so that open reads high). */
  drawerFollowsPulse = false;
  /** Refuse connections (the printer is switched off). */
  private server: Server | null = null;
  private sockets = new Set<Socket>();
  private waiters: Array<{ count: number; resolve: () => void }> = [];
  port = 0;

  async start(port = 0): Promise<this> {
    this.server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  /** Switch off: stop listening (connections are refused) until start(port) again. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  get lastByteAt(): number {
    return this.jobs.at(-1)?.endedAt ?? 0;
  }

  /** Resolves once `count` jobs have arrived in all (bounded by the test's own timeout). */
  waitForJobs(count: number): Promise<void> {
    if (this.jobs.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    const parts: Buffer[] = [];
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      // The replies to one write's queries go back together, at once (as a printer answers in real time).
      const replies: number[] = [];
      parts.push(answerStatus(chunk, this.state, (byte) => replies.push(byte), this.drawerHigh));
      if (replies.length > 0) socket.write(Buffer.from(replies));
    });
    socket.on('end', () => {
      const endedAt = performance.now();
      const bytes = Buffer.concat(parts);
      if (bytes.length > 0) {
        const decoded = decodeEscPos(bytes);
        if (this.drawerFollowsPulse && decoded.pulses.length > 0) this.drawerHigh = true;
        this.jobs.push({ bytes, decoded, endedAt });
        for (const waiter of this.waiters.filter((w) => this.jobs.length >= w.count)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
      socket.end();
    });
    socket.on('error', () => {});
    socket.on('close', () => this.sockets.delete(socket));
  }
}
