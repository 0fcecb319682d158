import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRecognised, recognise } from '../../../main/devices/decode/recognise.js';
import { repoRoot } from '../../support/paths.js';

const bytes = (text: string) => Buffer.from(text, 'latin1');
const fixture = (name: string) => readFileSync(join(repoRoot, 'test/fixtures/aamva', name));

describe('routing by content', () => {
  it('a licence barcode is a licence, with its parsed fields and raw text', () => {
    const result = recognise({ bytes: fixture('VA-v08-1.txt') });
    expect(result.kind).toBe('licence');
    if (result.kind !== 'licence') return;
    expect(result.licence.lastName).toBe('SAMPLE');
    expect(result.licence.dateOfBirth).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(result.raw.startsWith('@\n\x1e\rANSI ')).toBe(true);
    expect(describeRecognised(result)).toContain('SAMPLE');
  });

  it('a licence cut short is unrecognised with a message to scan again', () => {
    const result = recognise({ bytes: fixture('VA-v08-1.txt').subarray(0, 60) });
    expect(result.kind).toBe('unrecognised');
    if (result.kind === 'unrecognised') {
      expect(result.message).toMatch(/licence could not be read/i);
      expect(result.rawVisible).toContain('⟨LF⟩⟨RS⟩⟨CR⟩ANSI');
    }
  });

  it('a misread licence (first name JOHNDBD081884194: another element ran into it) asks for a rescan', () => {
    const garbled = fixture('VA-v08-1.txt').toString('latin1').replace('DACMICHAEL', 'DACJOHNDBD081884194');
    const result = recognise({ bytes: bytes(garbled) });
    expect(result.kind).toBe('unrecognised');
    if (result.kind === 'unrecognised') expect(result.message).toBe('The scanner misread this licence (its first name came out garbled): scan it again.');
  });

  it('a product barcode keeps the device symbology or infers one', () => {
    expect(recognise({ bytes: bytes('012345678905\r'), symbology: ']E0 UPC-A/EAN-13' })).toEqual({ kind: 'product', code: '012345678905', symbology: ']E0 UPC-A/EAN-13' });
    expect(recognise({ bytes: bytes('4006381333931') })).toEqual({ kind: 'product', code: '4006381333931', symbology: 'EAN-13' });
  });

  it('a card swipe gives the card number and never shows the tracks', () => {
    expect(recognise({ bytes: bytes('%B6012345678901234^MEMBER/REWARDS^4912101?;6012345678901234=4912101?') })).toEqual({ kind: 'card', cardNumber: '6012345678901234' });
    const bad = recognise({ bytes: bytes('%E?;E?') });
    expect(bad).toMatchObject({ kind: 'unrecognised', rawVisible: '(magnetic stripe hidden)' });
  });

  it('anything else is unrecognised, with its bytes made visible', () => {
    const result = recognise({ bytes: bytes('\x02\x01garbage\x1e') });
    expect(result).toMatchObject({ kind: 'unrecognised', rawVisible: '⟨STX⟩⟨SOH⟩garbage⟨RS⟩' });
    expect(recognise({ bytes: bytes('012345678906') })).toMatchObject({ kind: 'unrecognised', message: expect.stringMatching(/check digit/) });
    expect(recognise({ bytes: new Uint8Array() })).toMatchObject({ kind: 'unrecognised' });
  });
});
