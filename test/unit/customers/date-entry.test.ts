import { describe, expect, it } from 'vitest';
import { parseDateEntry as screenParse, showDate } from '../../../renderer/src/components/customers/dateEntry.js';
import { parseDateEntry as coreParse } from '../../../main/customers/normalise.js';

describe.each([
  ['the screen', screenParse],
  ['the core', coreParse],
])('date entry in %s', (_where, parse) => {
  it('takes 11/30/2017 and 11302017 (and yyyy-mm-dd) as the same date', () => {
    expect(parse('11/30/2017')).toBe('2017-11-30');
    expect(parse('11302017')).toBe('2017-11-30');
    expect(parse(' 2017-11-30 ')).toBe('2017-11-30');
    expect(parse('1/5/2017')).toBe('2017-01-05');
  });

  it('refuses what is not a real date', () => {
    for (const text of ['11/31/2017', '02292019', '13012017', '1130201', '2017/11/30', 'today', '', '00/10/2017']) {
      expect(parse(text), text).toBeNull();
    }
    expect(parse('02/29/2020')).toBe('2020-02-29');
  });
});

it('shows a stored date as people type it', () => {
  expect(showDate('2017-11-30')).toBe('11/30/2017');
  expect(showDate(null)).toBe('');
});
