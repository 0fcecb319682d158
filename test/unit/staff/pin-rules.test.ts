import { describe, expect, it } from 'vitest';
import { weakPinReason } from '../../../main/staff/pin-rules.js';

describe('PIN rules', () => {
  it.each([
    ['0000', 'repeated digit'],
    ['11111111', 'repeated digit'],
    ['1234', 'consecutive digits'],
    ['4321', 'consecutive digits'],
    ['7890', 'consecutive digits'],
    ['0123', 'consecutive digits'],
    ['12345678', 'consecutive digits'],
    ['9876', 'consecutive digits'],
    ['1212', 'a repeated pattern'],
    ['123123', 'a repeated pattern'],
    ['1122', 'a repeated pattern'],
    ['2580', 'a line on the keypad'],
    ['1990', 'a year'],
    ['2026', 'a year'],
  ])('refuses %s (%s)', (pin, reason) => {
    expect(weakPinReason(pin)).toBe(reason);
  });

  it.each(['4862', '7391', '5072', '8642', '31415', '90210', '60493827'])('accepts %s', (pin) => {
    expect(weakPinReason(pin)).toBeNull();
  });

  it('refuses what is not 4 to 8 digits', () => {
    expect(weakPinReason('12a4')).toMatch(/4 to 8 digits/);
    expect(weakPinReason('482')).toMatch(/4 to 8 digits/);
  });
});
