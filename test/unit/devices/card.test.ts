import { describe, expect, it } from 'vitest';
import { parseCardTracks } from '../../../main/devices/decode/card.js';
import { gs1CheckDigitOk, parseProductCode } from '../../../main/devices/decode/product.js';

describe('ISO 7813 card tracks', () => {
  it('reads the card number from track 2 first', () => {
    expect(parseCardTracks('%B6012345678901234^MEMBER/REWARDS^4912101123?;6012345678901234=4912101123?\r')).toEqual({ ok: true, cardNumber: '6012345678901234', track: 2 });
  });

  it('falls back to track 1 format B', () => {
    expect(parseCardTracks('%B4111111111111111^DOE/JANE^2512101000000?')).toEqual({ ok: true, cardNumber: '4111111111111111', track: 1 });
    expect(parseCardTracks('B4111111111111111^DOE/JANE^2512101?')).toEqual({ ok: true, cardNumber: '4111111111111111', track: 1 });
  });

  it('reads a bare track 2 and a number-only loyalty track', () => {
    expect(parseCardTracks('6012345678901234=4912')).toMatchObject({ ok: true, cardNumber: '6012345678901234' });
    expect(parseCardTracks(';00123456?')).toEqual({ ok: true, cardNumber: '00123456', track: 2 });
  });

  it('tells a licence stripe, a misread swipe and other text apart', () => {
    expect(parseCardTracks('%ILCHICAGO^DOE$JANE^123 MAIN ST^?;6360351234567890=2512199001019?')).toEqual({ ok: false, reason: 'licence_stripe' });
    expect(parseCardTracks('%E?;E?')).toEqual({ ok: false, reason: 'unreadable' });
    expect(parseCardTracks('hello')).toEqual({ ok: false, reason: 'not_a_card' });
  });
});

describe('product codes', () => {
  it('checks UPC/EAN check digits', () => {
    expect(gs1CheckDigitOk('012345678905')).toBe(true);
    expect(gs1CheckDigitOk('4006381333931')).toBe(true);
    expect(gs1CheckDigitOk('96385074')).toBe(true);
    expect(parseProductCode('012345678905\r')).toEqual({ ok: true, code: '012345678905', impliedSymbology: 'UPC-A' });
    expect(parseProductCode('012345678906')).toEqual({ ok: false, reason: 'bad_check_digit' });
  });

  it('accepts other printable codes and refuses control characters', () => {
    expect(parseProductCode('1A4FF0100000022000000123')).toEqual({ ok: true, code: '1A4FF0100000022000000123', impliedSymbology: null });
    expect(parseProductCode('AB\x1eCD')).toEqual({ ok: false, reason: 'not_a_product' });
    expect(parseProductCode('ab')).toEqual({ ok: false, reason: 'not_a_product' });
  });
});
