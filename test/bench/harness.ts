/** One printed figure: `name: value (target ...)`. */
export interface BenchLine {
  name: string;
  value: number | string;
  /** Human-readable target, e.g. "< 1500" or ">= 2". */
  target: string;
  /** Optional extra context printed after the target (the reference figure, units). */
  note?: string;
}

export interface BenchSuite {
  /** Prefix of every line this suite prints, e.g. "core" or "licenses". */
  prefix: string;
  run(): Promise<BenchLine[]>;
}

export function formatLine(line: BenchLine): string {
  const value = typeof line.value === 'number' ? formatNumber(line.value) : line.value;
  const note = line.note ? ` [${line.note}]` : '';
  return `${line.name}: ${value} (target ${line.target})${note}`;
}

function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return Math.abs(n) >= 100 ? n.toFixed(1) : n.toFixed(3);
}

/** Percentile of a sample (nearest-rank). */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}
