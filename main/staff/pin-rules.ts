/**
 * Which PINs an employee may have. Login is by PIN alone, so a PIN anyone could guess (0000,
 * 1234, 1212, 2580 down the keypad) is a login anyone could use. The words never say whether a
 * refused PIN belongs to someone else: that would tell the person typing it a colleague's PIN.
 */

/** The same words for every refusal, so a PIN in use cannot be told apart from a weak one. */
export const PIN_REFUSED =
  'This PIN cannot be used: choose another one. Avoid repeated or consecutive digits (1111, 1234), patterns (1212, 2580) and years (1990).';

/** Straight lines on a phone or PIN keypad, which people pick as often as 1234. */
const KEYPAD_LINES = ['2580', '0852', '1470', '0741', '3690', '0963', '1590', '7530', '1357', '9753', '7913', '3197'];

/** Why a PIN is too easy to guess, or null when it is acceptable. Checked before it is hashed. */
export function weakPinReason(pin: string): string | null {
  if (!/^\d{4,8}$/.test(pin)) return 'A PIN is 4 to 8 digits.';
  const digits = [...pin].map(Number);
  if (digits.every((digit) => digit === digits[0])) return 'repeated digit';
  const steps = digits.slice(1).map((digit, index) => (digit - digits[index]! + 10) % 10);
  // 1234, 4321, 7890, 8901 (counting on round the keypad) all read as one run.
  if (steps.every((step) => step === 1) || steps.every((step) => step === 9)) return 'consecutive digits';
  // 1212, 123123, 1122? — a short block repeated.
  for (const size of [1, 2, 3, 4]) {
    if (pin.length > size && pin.length % size === 0 && pin === pin.slice(0, size).repeat(pin.length / size)) return 'a repeated pattern';
  }
  if (pin.length === 4 && /^(\d)\1(\d)\2$/.test(pin)) return 'a repeated pattern';
  if (KEYPAD_LINES.includes(pin)) return 'a line on the keypad';
  // 1900–2099: a year of birth or of hire.
  if (pin.length === 4 && /^(19|20)\d\d$/.test(pin)) return 'a year';
  return null;
}
