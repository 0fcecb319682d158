/**
 * The business day: a date in the store's time zone that starts at the store's day-end hour (with
 * 4, a sale at 01:30 on the 7th belongs to the 6th). Exact across daylight-saving changes: the
 * bounds are found from the zone's own offset at that moment.
 */
const partFormatters = new Map<string, Intl.DateTimeFormat>();
function parts(at: number, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  let formatter = partFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    partFormatters.set(timeZone, formatter);
  }
  const out: Record<string, number> = {};
  for (const part of formatter.formatToParts(at)) if (part.type !== 'literal') out[part.type] = Number(part.value);
  return { year: out.year!, month: out.month!, day: out.day!, hour: out.hour!, minute: out.minute!, second: out.second! };
}

function isoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The business date an instant belongs to. */
export function businessDateOf(at: number, timeZone: string, dayEndHour: number): string {
  const p = parts(at, timeZone);
  if (p.hour >= dayEndHour) return isoDate(p.year, p.month, p.day);
  const previous = new Date(Date.UTC(p.year, p.month - 1, p.day) - 86_400_000);
  return isoDate(previous.getUTCFullYear(), previous.getUTCMonth() + 1, previous.getUTCDate());
}

/** The UTC instant at which local wall time `date hour:00` happens in the zone. */
function localToUtc(date: string, hour: number, timeZone: string): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(year, month - 1, day, hour);
  let guess = wall;
  for (let i = 0; i < 3; i++) {
    const p = parts(guess, timeZone);
    const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    guess += wall - shown;
  }
  return guess;
}

/** [start, end) of a business date in UTC epoch ms. */
export function businessDayBounds(date: string, timeZone: string, dayEndHour: number): { start: number; end: number } {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(year, month - 1, day) + 86_400_000);
  return {
    start: localToUtc(date, dayEndHour, timeZone),
    end: localToUtc(isoDate(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate()), dayEndHour, timeZone),
  };
}
