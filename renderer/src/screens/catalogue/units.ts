/** Product numbers as staff type them (dollars, grams, percent) and as the core keeps them (cents, mg, hundredths). */

export function dollars(cents: number): string {
  const sign = cents < 0 ? '−' : '';
  const abs = Math.abs(cents);
  return `${sign}$${Math.floor(abs / 100).toLocaleString()}.${String(abs % 100).padStart(2, '0')}`;
}

/** "42", "42.5", "$42.50" → cents; null when it is not an amount. */
export function parseDollars(text: string): number | null {
  const match = /^\$?\s*(\d{1,6})(?:\.(\d{1,2}))?$/.exec(text.trim());
  return match ? Number(match[1]) * 100 + Number((match[2] ?? '0').padEnd(2, '0')) : null;
}

/** Grams with up to 3 decimals → mg; empty is 0; null when it is not a weight. */
export function parseGrams(text: string): number | null {
  if (text.trim() === '') return 0;
  const match = /^(\d{1,7})(?:\.(\d{1,3}))?$/.exec(text.trim());
  return match ? Number(match[1]) * 1000 + Number((match[2] ?? '0').padEnd(3, '0')) : null;
}

export function grams(mg: number): string {
  return mg === 0 ? '' : (mg / 1000).toFixed(3).replace(/\.?0+$/, '');
}

/** THC as typed: a percent with up to 2 decimals (pct_x100), or whole mg. */
export function parseThc(text: string, unit: 'mg' | 'pct_x100'): number | null {
  const trimmed = text.trim().replace(/\s*(%|mg)$/i, '');
  if (trimmed === '') return 0;
  if (unit === 'mg') return /^\d{1,7}$/.test(trimmed) ? Number(trimmed) : null;
  const match = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(trimmed);
  return match ? Number(match[1]) * 100 + Number((match[2] ?? '0').padEnd(2, '0')) : null;
}

export function thcText(value: number, unit: 'mg' | 'pct_x100'): string {
  if (value === 0) return '';
  return unit === 'mg' ? String(value) : (value / 100).toFixed(2).replace(/\.?0+$/, '');
}

export function thcLabel(value: number, unit: 'mg' | 'pct_x100'): string {
  if (value === 0) return '—';
  return unit === 'mg' ? `${value} mg` : `${(value / 100).toFixed(1)}%`;
}
