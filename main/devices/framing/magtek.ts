/**
 * MagTek USB HID swipe reader input report (usage page 0xFF00), one per swipe, 337 bytes:
 *   0-2 track 1/2/3 decode status (bit 0 = error) · 3-5 track lengths · 6 card encode type ·
 *   7-116 track 1 · 117-226 track 2 · 227-336 track 3.
 * node-hid may prepend a report id byte (338 bytes); both are accepted.
 */

export const MAGTEK_REPORT_BYTES = 337;
const TRACK_BYTES = 110;

export interface MagTekSwipe {
  tracks: [string | null, string | null, string | null];
  /** Which tracks the reader could not decode (1-based). */
  failedTracks: number[];
}

export class MagTekReportError extends Error {}

export function parseMagTekReport(report: Uint8Array): MagTekSwipe {
  const base = report.length === MAGTEK_REPORT_BYTES ? 0 : report.length === MAGTEK_REPORT_BYTES + 1 ? 1 : null;
  if (base === null) throw new MagTekReportError(`a ${report.length}-byte report is not a MagTek swipe report (337 bytes expected)`);
  const tracks: [string | null, string | null, string | null] = [null, null, null];
  const failedTracks: number[] = [];
  for (let track = 0; track < 3; track++) {
    const status = report[base + track] ?? 0;
    const length = Math.min(report[base + 3 + track] ?? 0, TRACK_BYTES);
    if (status & 0x01) {
      failedTracks.push(track + 1);
      continue;
    }
    if (length === 0) continue;
    const start = base + 7 + track * TRACK_BYTES;
    tracks[track] = Buffer.from(report.subarray(start, start + length)).toString('latin1');
  }
  return { tracks, failedTracks };
}

/** Simulator: the report a MagTek reader sends for these tracks (null = empty, 'error' = decode error). */
export function encodeMagTekReport(tracks: Array<string | null | 'error'>): Buffer {
  const report = Buffer.alloc(MAGTEK_REPORT_BYTES);
  for (let track = 0; track < 3; track++) {
    const value = tracks[track] ?? null;
    if (value === 'error') {
      report[track] = 0x01;
      continue;
    }
    if (value === null) continue;
    const bytes = Buffer.from(value, 'latin1').subarray(0, TRACK_BYTES);
    report[3 + track] = bytes.length;
    bytes.copy(report, 7 + track * TRACK_BYTES);
  }
  report[6] = 0; // ISO/ABA
  return report;
}

const SENTINELS: Array<[string, string]> = [['%', '?'], [';', '?'], [';', '?']];

/** The swipe as the text a keyboard-emulating reader would type: `%track1?;track2?` (sentinels added if the reader left them out). */
export function swipeText(swipe: MagTekSwipe): string {
  return swipe.tracks
    .map((track, index) => {
      if (track === null) return '';
      const [start, end] = SENTINELS[index] ?? [';', '?'];
      return `${track.startsWith(start) ? '' : start}${track}${track.endsWith(end) ? '' : end}`;
    })
    .join('');
}
