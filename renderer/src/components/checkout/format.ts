/** Money and allotment amounts as the Register shows them. */
export function money(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}$${Math.floor(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`;
}

export function amount(value: number, unit: 'mg' | 'mg_thc' | 'plants'): string {
  if (unit === 'plants') return `${value} plant${value === 1 ? '' : 's'}`;
  if (unit === 'mg_thc') return `${value} mg THC`;
  return `${(value / 1000).toFixed(2)} g`;
}

/** A typed dollar amount ("42", "$42.50") in cents, or null when it is not one. */
export function parseCents(text: string): number | null {
  const match = /^\s*\$?(\d{1,7})(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? '0').padEnd(2, '0'));
}
