/**
 * Serial framing: where one scan ends in a byte stream. Never by LF: AAMVA licences use LF
 * between fields. Either a suffix the scanner appends (e.g. ETX 0x03) or a pause (inter-byte timeout).
 */

export interface Framer {
  /** Bytes as they arrive, in any pieces. Complete frames go to the callback given at creation. */
  push(chunk: Uint8Array): void;
  /** Drops a partial frame (the port closed mid-scan). */
  reset(): void;
  dispose(): void;
}

const MAX_FRAME_BYTES = 64 * 1024;

export function parseSuffixHex(hex: string): Uint8Array {
  const compact = hex.replace(/\s+/g, '');
  return Uint8Array.from((compact.match(/../g) ?? []).map((pair) => parseInt(pair, 16)));
}

/** Splits on a suffix byte sequence; the suffix is not part of the frame. */
export class SuffixFramer implements Framer {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(
    private readonly suffix: Uint8Array,
    private readonly onFrame: (frame: Uint8Array) => void,
  ) {
    if (suffix.length === 0) throw new Error('A suffix framer needs at least one suffix byte.');
  }

  push(chunk: Uint8Array): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    let at: number;
    while ((at = this.buffer.indexOf(this.suffix)) !== -1) {
      const frame = this.buffer.subarray(0, at);
      this.buffer = this.buffer.subarray(at + this.suffix.length);
      if (frame.length > 0) this.onFrame(Uint8Array.from(frame));
    }
    // A scanner that lost its suffix setting would otherwise grow this forever.
    if (this.buffer.length > MAX_FRAME_BYTES) this.buffer = Buffer.alloc(0);
  }

  reset(): void {
    this.buffer = Buffer.alloc(0);
  }

  dispose(): void {
    this.reset();
  }
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** A frame ends after `timeoutMs` without a byte. */
export class InterByteTimeoutFramer implements Framer {
  private parts: Uint8Array[] = [];
  private size = 0;
  private timer: unknown = null;

  constructor(
    private readonly timeoutMs: number,
    private readonly onFrame: (frame: Uint8Array) => void,
    private readonly timers: Timers = realTimers,
  ) {}

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.parts.push(Uint8Array.from(chunk));
    this.size += chunk.length;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    if (this.size >= MAX_FRAME_BYTES) {
      this.flush();
      return;
    }
    this.timer = this.timers.setTimeout(() => this.flush(), this.timeoutMs);
  }

  private flush(): void {
    this.timer = null;
    if (this.size === 0) return;
    const frame = Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    this.onFrame(Uint8Array.from(frame));
  }

  reset(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.parts = [];
    this.size = 0;
  }

  dispose(): void {
    this.reset();
  }
}
