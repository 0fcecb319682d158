/**
 * The rounding rule as printed under a receipt's totals: words for the customer, built from the
 * jurisdiction file's rule itself. The file's `note` is research reasoning (sources, confidence,
 * open questions) and stays in the file.
 */
import type { TaxRules } from '../compliance/rules.js';

export function roundingLine(rounding: TaxRules['rounding']): string {
  const unit = rounding.unit === 'cent' ? 'cent' : rounding.unit;
  const how = rounding.mode === 'half_up' ? `rounded to the nearest ${unit} (half a ${unit} rounds up)` : `rounded to the ${unit}`;
  switch (rounding.scope) {
    case 'per_line_per_tax':
      return `Each tax is worked out on each item's price after discounts and ${how}.`;
  }
}
