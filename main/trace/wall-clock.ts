/**
 * A sale's time as the wall clock where it happened ("2026-12-06T16:44:53.000", no offset): the
 * form Metrc's SalesDateTime takes. Frozen into the outbox row at sale time (outbox.ts), so a
 * retry never recomputes it under another time zone or another year's daylight-saving rules.
 */

const FORMATS = new Map<string, Intl.DateTimeFormat>();

/** A UTC instant as Metrc's SalesDateTime: the facility's wall clock, no offset ("2026-12-06T16:44:53.000"). */
export function facilityTime(epochMs: number, timeZone: string): string {
  let format = FORMATS.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    FORMATS.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(epochMs)).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}.000`;
}

/** A facility wall-clock time back to UTC ms (for listing; the nearest instant that formats to it). */
export function fromFacilityTime(local: string, timeZone: string): number | null {
  const asUtc = Date.parse(`${local.replace(/\.\d+$/, '')}Z`);
  if (!Number.isFinite(asUtc)) return null;
  // The zone's offset at that moment: format the guess, see how far off it lands, correct once or twice.
  let guess = asUtc;
  for (let i = 0; i < 2; i++) {
    const shown = Date.parse(`${facilityTime(guess, timeZone).replace(/\.\d+$/, '')}Z`);
    guess += asUtc - shown;
  }
  return guess;
}
