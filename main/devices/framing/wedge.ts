/**
 * Keyboard-wedge scanners and card readers "type" their data. This pure classifier takes a
 * timeline of key presses and tells scanner bursts from a person typing by the time between
 * keys (a threshold per device: 1 ms Datalogic, ~10 ms Honeywell, ~80 ms Zebra), with an
 * optional prefix/suffix, and recovers the control characters scanners send as Ctrl+key
 * (LF = Ctrl+J, RS = Ctrl+^, CR = Enter or Ctrl+M) that AAMVA licences need.
 *
 * Where the keys come from:
 *  - browser host: the page records keydown events (key, code, modifiers, event.timeStamp) and
 *    sends each burst to the core through the `devices.keys` call;
 *  - Electron: the main process would listen to the register window's
 *    `webContents.on('before-input-event', (event, input) => ...)` (input.type === 'keyDown',
 *    input.key/code/control/alt/shift, timestamp from performance.now()), feed the same
 *    classifier and `event.preventDefault()` keys once a burst is known to be a scan.
 */

export interface KeyPress {
  key: string;
  code: string;
  ctrl: boolean;
  alt: boolean;
  shift: boolean;
  /** Milliseconds; only differences between keys matter. */
  t: number;
}

export interface WedgeSettings {
  /** Keys closer together than this belong to one scanner burst. */
  maxInterKeyMs: number;
  /** Fewer characters than this are never a scan. */
  minLength: number;
  prefix?: string;
  suffix?: string;
}

export interface WedgeScan {
  text: string;
  /** Index in the timeline of the burst's first and last key. */
  first: number;
  last: number;
  /** Mean time between the burst's keys. */
  meanGapMs: number;
}

export interface WedgeResult {
  scans: WedgeScan[];
  /** Keys judged typed by a person (left to the page). */
  typedKeys: number;
}

const MODIFIER_KEYS = new Set(['Shift', 'Control', 'Alt', 'Meta', 'AltGraph', 'CapsLock', 'NumLock', 'Fn']);

const NAMED_KEYS: Record<string, string> = { Enter: '\r', Tab: '\t', Escape: '\x1b', Backspace: '\b' };

/** Ctrl+Shift+digit keys whose shifted character is a control-code key on a US layout. */
const CTRL_SHIFT_CODES: Record<string, number> = { Digit2: 0x00, Digit6: 0x1e, Minus: 0x1f };

/** The character one key press stands for, control characters recovered; null for keys that type nothing. */
export function characterOf(press: KeyPress): string | null {
  if (MODIFIER_KEYS.has(press.key)) return null;
  if (press.ctrl && !press.alt) {
    if (press.shift && press.code in CTRL_SHIFT_CODES) return String.fromCharCode(CTRL_SHIFT_CODES[press.code] ?? 0);
    if (press.key.length === 1) {
      const upper = press.key.toUpperCase().charCodeAt(0);
      if (upper >= 0x40 && upper <= 0x5f) return String.fromCharCode(upper - 0x40);
    }
    // Ctrl+Enter etc. fall through to the named keys below.
  }
  const named = NAMED_KEYS[press.key];
  if (named) return named;
  if (press.key.length === 1 && !press.alt && !press.ctrl) return press.key;
  return null;
}

interface Typed {
  char: string;
  t: number;
  index: number;
}

/**
 * Splits a key timeline into scanner bursts and typing. Once a burst has `minLength` fast keys
 * it is a scan, and tolerates a stall of up to 4× the threshold (the browser can hold key
 * events back for tens of ms); a person cannot produce the first `minLength` keys that fast.
 */
export function classifyKeys(timeline: readonly KeyPress[], settings: WedgeSettings): WedgeResult {
  const typed: Typed[] = [];
  timeline.forEach((press, index) => {
    const char = characterOf(press);
    if (char !== null) typed.push({ char, t: press.t, index });
  });

  const bursts: Typed[][] = [];
  let current: Typed[] = [];
  for (const key of typed) {
    const previous = current[current.length - 1];
    if (previous) {
      const gap = key.t - previous.t;
      const established = current.length >= settings.minLength;
      const continues = gap <= settings.maxInterKeyMs || (established && gap <= settings.maxInterKeyMs * 4);
      if (!continues) {
        bursts.push(current);
        current = [];
      }
    }
    current.push(key);
  }
  if (current.length > 0) bursts.push(current);

  const scans: WedgeScan[] = [];
  let typedKeys = 0;
  for (const burst of bursts) {
    const scan = burstAsScan(burst, settings);
    if (scan) scans.push(scan);
    else typedKeys += burst.length;
  }
  return { scans, typedKeys };
}

function burstAsScan(burst: Typed[], settings: WedgeSettings): WedgeScan | null {
  if (burst.length < settings.minLength) return null;
  let text = burst.map((key) => key.char).join('');
  if (settings.prefix) {
    if (!text.startsWith(settings.prefix)) return null;
    text = text.slice(settings.prefix.length);
  }
  if (settings.suffix && text.endsWith(settings.suffix)) text = text.slice(0, -settings.suffix.length);
  if (text.length === 0) return null;
  const first = burst[0]!;
  const last = burst[burst.length - 1]!;
  return { text, first: first.index, last: last.index, meanGapMs: (last.t - first.t) / Math.max(1, burst.length - 1) };
}

/** Simulator: the key presses a wedge scanner types for this text, one every `gapMs` from `startT`. */
export function keyPressesFor(text: string, gapMs: number, startT = 0): KeyPress[] {
  const presses: KeyPress[] = [];
  let t = startT;
  for (const char of text) {
    presses.push({ ...pressFor(char), t });
    t += gapMs;
  }
  return presses;
}

function pressFor(char: string): Omit<KeyPress, 't'> {
  const code = char.charCodeAt(0);
  if (char === '\r') return { key: 'Enter', code: 'Enter', ctrl: false, alt: false, shift: false };
  if (char === '\t') return { key: 'Tab', code: 'Tab', ctrl: false, alt: false, shift: false };
  if (code === 0x1e) return { key: '^', code: 'Digit6', ctrl: true, alt: false, shift: true };
  if (code < 0x20) {
    const letter = String.fromCharCode(code + 0x40);
    return { key: letter.toLowerCase(), code: `Key${letter}`, ctrl: true, alt: false, shift: false };
  }
  const upper = char >= 'A' && char <= 'Z';
  const keyCode = /[a-z]/i.test(char) ? `Key${char.toUpperCase()}` : /\d/.test(char) ? `Digit${char}` : '';
  return { key: char, code: keyCode, ctrl: false, alt: false, shift: upper };
}
