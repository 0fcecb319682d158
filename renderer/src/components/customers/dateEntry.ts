/**
 * Dates as people type them at the counter: `11/30/2017`, `11302017` (then Enter), or
 * `2017-11-30`. The rules live in the contract, so the screens and the core agree.
 */
export { parseDateEntry } from '../../../../preload/api';

/** yyyy-mm-dd shown as people read it at the counter: 11/30/2017. */
export function showDate(iso: string | null | undefined): string {
  if (!iso) return '';
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return match ? `${match[2]}/${match[3]}/${match[1]}` : iso;
}
