/**
 * The store's date in the time zone chosen for it (yyyy-mm-dd). The first tax rates default to it,
 * and the register checks them by it: the PC's own time zone may be another one, and for hours each
 * day its date is then not the store's.
 */
export function storeToday(now: number, timeZone: string, fallback: string): string {
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
    const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
    return `${part('year')}-${part('month')}-${part('day')}`;
  } catch {
    return fallback;
  }
}
