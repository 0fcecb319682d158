/** Money, weights and times as the till prints them. */
export function money(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}$${Math.floor(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`;
}

/** 3500 mg → "3.5 g"; below a gram in mg. */
export function weight(mg: number): string {
  if (mg < 1000) return `${mg} mg`;
  return `${Number((mg / 1000).toFixed(3))} g`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** "2026-12-06 14:05" in the store's time zone. */
export function storeTime(at: number, timeZone: string): string {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(at).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

const tenderWords: Record<string, string> = { cash: 'Cash', debit: 'Debit', credit: 'Credit', gift_card: 'Gift card', other: 'Other' };
export function tenderName(kind: string): string {
  return tenderWords[kind] ?? kind;
}
