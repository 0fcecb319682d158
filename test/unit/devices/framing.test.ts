import { afterEach, describe, expect, it, vi } from 'vitest';
import { InterByteTimeoutFramer, parseSuffixHex, SuffixFramer } from '../../../main/devices/framing/serial.js';
import { encodeHidPosReports, HidPosReassembler, HidPosReportError, symbologyLabel } from '../../../main/devices/framing/hid-pos.js';
import { encodeMagTekReport, MagTekReportError, parseMagTekReport, swipeText } from '../../../main/devices/framing/magtek.js';
import { makeVisible } from '../../../main/devices/visible.js';

const licence = '@\n\x1e\rANSI 636000080002DL00410278ZV03190008DLDAQT64235789\nDCSSAMPLE\nDACMICHAEL\n\r';
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

describe('suffix framing', () => {
  it('frames on a suffix across pieces and keeps the LF inside a licence', () => {
    const frames: string[] = [];
    const framer = new SuffixFramer(parseSuffixHex('03'), (frame) => frames.push(text(frame)));
    const stream = Buffer.from(`${licence}\x03012345678905\x03`, 'latin1');
    for (let i = 0; i < stream.length; i += 7) framer.push(stream.subarray(i, i + 7));
    expect(frames).toEqual([licence, '012345678905']);
  });

  it('handles a two-byte suffix split between chunks', () => {
    const frames: string[] = [];
    const framer = new SuffixFramer(parseSuffixHex('0D 0A'), (frame) => frames.push(text(frame)));
    framer.push(Buffer.from('ABC\r', 'latin1'));
    framer.push(Buffer.from('\nDEF\r\n', 'latin1'));
    expect(frames).toEqual(['ABC', 'DEF']);
    expect(parseSuffixHex('0d0a')).toEqual(Uint8Array.from([0x0d, 0x0a]));
  });
});

describe('inter-byte timeout framing', () => {
  afterEach(() => vi.useRealTimers());

  it('emits one frame after the pause, not between pieces', () => {
    vi.useFakeTimers();
    const frames: string[] = [];
    const framer = new InterByteTimeoutFramer(50, (frame) => frames.push(text(frame)));
    framer.push(Buffer.from(licence.slice(0, 20), 'latin1'));
    vi.advanceTimersByTime(30);
    framer.push(Buffer.from(licence.slice(20), 'latin1'));
    vi.advanceTimersByTime(49);
    expect(frames).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(frames).toEqual([licence]);
    framer.push(Buffer.from('A', 'latin1'));
    framer.reset();
    vi.advanceTimersByTime(100);
    expect(frames).toHaveLength(1);
  });
});

describe('HID POS reassembly', () => {
  it('joins a licence spread over several reports and keeps its symbology', () => {
    const payload = licence.repeat(3);
    const reports = encodeHidPosReports(payload, ']L0', 0x72);
    expect(reports.length).toBeGreaterThan(2);
    const reassembler = new HidPosReassembler();
    const results = reports.map((report) => reassembler.push(report));
    expect(results.slice(0, -1).every((r) => r === null)).toBe(true);
    const scan = results[results.length - 1]!;
    expect(text(scan.bytes)).toBe(payload);
    expect(scan.aim).toBe(']L0');
    expect(scan.vendorSymbology).toBe(0x72);
    expect(symbologyLabel(scan.aim)).toBe(']L0 PDF417');
    expect(reassembler.partial).toBe(false);
  });

  it('reads a recorded single-report UPC-A scan (Honeywell layout)', () => {
    const report = Buffer.alloc(64);
    report[0] = 0x02;
    report[1] = 12;
    report.write(']E0', 2, 'latin1');
    report.write('012345678905', 5, 'latin1');
    report[61] = 0x63;
    const scan = new HidPosReassembler().push(report)!;
    expect(text(scan.bytes)).toBe('012345678905');
    expect(symbologyLabel(scan.aim)).toBe(']E0 UPC-A/EAN-13');
  });

  it('accepts reports without a report id (63 bytes)', () => {
    const [report] = encodeHidPosReports('ABC123', ']C0', 0x6a);
    const scan = new HidPosReassembler().push(report!.subarray(1))!;
    expect(text(scan.bytes)).toBe('ABC123');
  });

  it('refuses a report that is not HID POS and drops the partial scan', () => {
    const reassembler = new HidPosReassembler();
    const reports = encodeHidPosReports(licence.repeat(3));
    reassembler.push(reports[0]!);
    expect(reassembler.partial).toBe(true);
    expect(() => reassembler.push(Buffer.alloc(8))).toThrow(HidPosReportError);
    expect(reassembler.partial).toBe(false);
    const bad = Buffer.from(reports[0]!);
    bad[1] = 60;
    expect(() => reassembler.push(bad)).toThrow(/at most 56/);
  });
});

describe('MagTek swipe reports', () => {
  it('reads tracks and flags a track the reader could not decode', () => {
    const report = encodeMagTekReport(['%B6012345678901234^REWARDS/MEMBER^4912101?', ';6012345678901234=4912101?', 'error']);
    const swipe = parseMagTekReport(report);
    expect(swipe.tracks[1]).toBe(';6012345678901234=4912101?');
    expect(swipe.failedTracks).toEqual([3]);
    expect(swipeText(swipe)).toBe('%B6012345678901234^REWARDS/MEMBER^4912101?;6012345678901234=4912101?');
    // With a report id byte in front.
    expect(parseMagTekReport(Buffer.concat([Buffer.from([0]), report])).tracks[1]).toBe(';6012345678901234=4912101?');
    expect(() => parseMagTekReport(Buffer.alloc(64))).toThrow(MagTekReportError);
  });

  it('adds sentinels when the reader leaves them out', () => {
    const swipe = parseMagTekReport(encodeMagTekReport([null, '6012345678901234=4912101', null]));
    expect(swipeText(swipe)).toBe(';6012345678901234=4912101?');
  });
});

describe('visible control characters', () => {
  it('names control bytes and escapes high bytes', () => {
    expect(makeVisible('@\n\x1e\rANSI \x03\x90')).toBe('@⟨LF⟩⟨RS⟩⟨CR⟩ANSI ⟨ETX⟩⟨x90⟩');
    expect(makeVisible('A'.repeat(50), 10)).toBe('AAAAAAAAAA… (50 bytes)');
  });
});
