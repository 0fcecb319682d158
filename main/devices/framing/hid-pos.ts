/**
 * USB HID POS (usage page 0x8C) input reports, Honeywell/Access-IS layout, as node-hid delivers
 * them (report id first):
 *   0 report id (0x02) · 1 data length (≤ 56) · 2-4 AIM symbology id (`]L0`) · 5-60 data ·
 *   61 vendor symbology id · 62 reserved · 63 bit 0 = more reports follow.
 * A PDF417 licence spans several reports; the reassembler joins them and keeps the symbology.
 */

export const HID_POS_USAGE_PAGE = 0x8c;
export const HID_POS_REPORT_BYTES = 64;
export const HID_POS_MAX_DATA = 56;

export interface HidPosScan {
  bytes: Uint8Array;
  /** AIM identifier as sent, e.g. "]L0"; null when the scanner sent none. */
  aim: string | null;
  /** The vendor symbology byte (Honeywell: 0x72 PDF417, 0x63 UPC-A...); null when 0. */
  vendorSymbology: number | null;
}

export class HidPosReportError extends Error {}

const AIM_NAMES: Record<string, string> = {
  A: 'Code 39', C: 'Code 128', E: 'EAN/UPC', F: 'Codabar', G: 'Code 93', I: 'Interleaved 2 of 5',
  L: 'PDF417', Q: 'QR Code', d: 'Data Matrix', z: 'Aztec', e: 'GS1 DataBar',
};

/** "]L0 PDF417" style label kept with the scan; null without an AIM id. */
export function symbologyLabel(aim: string | null): string | null {
  if (!aim) return null;
  const letter = aim[1] ?? '';
  if (aim === ']E0') return `${aim} UPC-A/EAN-13`;
  if (aim === ']E4') return `${aim} EAN-8`;
  const name = AIM_NAMES[letter];
  return name ? `${aim} ${name}` : aim;
}

export class HidPosReassembler {
  private parts: Uint8Array[] = [];
  private aim: string | null = null;
  private vendorSymbology: number | null = null;

  /**
   * One input report in; a whole scan out when its last report arrives, else null.
   * Throws HidPosReportError on a report that is not HID POS (and drops any partial scan).
   */
  push(report: Uint8Array): HidPosScan | null {
    // Windows strips a 0x00 report id; a device with unnumbered reports gives 63 bytes.
    const base = report.length === HID_POS_REPORT_BYTES ? 0 : report.length === HID_POS_REPORT_BYTES - 1 ? -1 : null;
    if (base === null) {
      this.reset();
      throw new HidPosReportError(`a ${report.length}-byte report is not a HID POS scanner report (64 bytes expected)`);
    }
    const at = (offset: number): number => report[base + offset] ?? 0;
    const length = at(1);
    if (length > HID_POS_MAX_DATA) {
      this.reset();
      throw new HidPosReportError(`a report claims ${length} data bytes (at most ${HID_POS_MAX_DATA})`);
    }
    if (this.parts.length === 0) {
      const aim = String.fromCharCode(at(2), at(3), at(4));
      this.aim = aim.startsWith(']') ? aim : null;
      this.vendorSymbology = at(61) || null;
    }
    this.parts.push(report.slice(base + 5, base + 5 + length));
    const more = (at(63) & 0x01) === 1;
    if (more) return null;
    const scan: HidPosScan = { bytes: Uint8Array.from(Buffer.concat(this.parts)), aim: this.aim, vendorSymbology: this.vendorSymbology };
    this.reset();
    return scan;
  }

  /** True while a multi-report scan is half received. */
  get partial(): boolean {
    return this.parts.length > 0;
  }

  reset(): void {
    this.parts = [];
    this.aim = null;
    this.vendorSymbology = null;
  }
}

/** Simulator: the reports a HID POS scanner would send for this payload. */
export function encodeHidPosReports(payload: Uint8Array | string, aim = ']L0', vendorSymbology = 0x72): Buffer[] {
  const bytes = typeof payload === 'string' ? Buffer.from(payload, 'latin1') : Buffer.from(payload);
  const reports: Buffer[] = [];
  for (let start = 0; start < bytes.length || start === 0; start += HID_POS_MAX_DATA) {
    const chunk = bytes.subarray(start, start + HID_POS_MAX_DATA);
    const report = Buffer.alloc(HID_POS_REPORT_BYTES);
    report[0] = 0x02;
    report[1] = chunk.length;
    report.write(aim.padEnd(3, '\0').slice(0, 3), 2, 'latin1');
    chunk.copy(report, 5);
    report[61] = vendorSymbology;
    report[63] = start + HID_POS_MAX_DATA < bytes.length ? 0x01 : 0x00;
    reports.push(report);
    if (bytes.length === 0) break;
  }
  return reports;
}
