/**
 * The catalogue as CSV (issue 18): exported with every product (and its package and stock, for
 * reading), imported back to add or edit products. An import is checked row by row with the same
 * rules as the product form and written in one transaction; nothing is written while any row has
 * a problem. Stock never comes in by CSV: it is received from the state's packages.
 *
 * Columns (docs/catalogue-csv.md): id, name, category, price, unit_weight_g, usable_weight_g, thc,
 * medical, adult_use, upc, barcodes; export adds package, on_hand, archived (ignored on import).
 */
import type { ImportProblem, ProductInput } from '../../preload/contract/catalogue.js';
import { MAX_IMPORT_BYTES } from '../../preload/contract/imports.js';
import { applyCommand } from '../core/commands.js';
import { CoreError } from '../core/errors.js';
import { csvLine, headerKey, readCsv } from '../imports/csv.js';
import type { Actor } from './products.js';
import { CatalogueStock } from './stock.js';

export const CATALOGUE_COLUMNS = ['id', 'name', 'category', 'price', 'unit_weight_g', 'usable_weight_g', 'thc', 'medical', 'adult_use', 'upc', 'barcodes'] as const;
const EXPORT_ONLY = ['package', 'on_hand', 'archived'] as const;
const REQUIRED = ['name', 'category', 'price'] as const;

interface CheckedRow {
  line: number;
  productId: string | null;
  product: ProductInput | null;
  problem: string | null;
}

export class CatalogueService extends CatalogueStock {
  exportCsv(): { fileName: string; text: string; rows: number } {
    const products = this.list('', true, 100_000);
    const lines = [
      [...CATALOGUE_COLUMNS, ...EXPORT_ONLY].join(','),
      ...products.map((p) =>
        csvLine([
          p.id,
          p.name,
          p.category,
          (p.priceCents / 100).toFixed(2),
          grams(p.unitWeightMg),
          grams(p.usableWeightMg),
          p.thcUnit === 'pct_x100' ? `${(p.thcValue / 100).toFixed(2)}%` : `${p.thcValue}mg`,
          p.soldMedical ? 'yes' : 'no',
          p.soldAdultUse ? 'yes' : 'no',
          p.upc,
          p.barcodes.join(' '),
          p.packageLabel,
          p.onHand,
          p.archived ? 'yes' : 'no',
        ]),
      ),
    ];
    const today = new Date(this.deps.clock()).toISOString().slice(0, 10);
    return { fileName: `catalogue-${today}.csv`, text: `${lines.join('\r\n')}\r\n`, rows: products.length };
  }

  previewCsv(bytes: Uint8Array) {
    const rows = this.checkCsv(bytes);
    const problems: ImportProblem[] = rows.filter((row) => row.problem).map((row) => ({ line: row.line, message: row.problem! }));
    return {
      rows: rows.length,
      creates: rows.filter((row) => !row.problem && !row.productId).length,
      updates: rows.filter((row) => !row.problem && row.productId).length,
      problems: problems.slice(0, 500),
      sample: rows
        .filter((row) => row.product)
        .slice(0, 25)
        .map((row) => ({ line: row.line, name: row.product!.name, category: row.product!.category, priceCents: row.product!.priceCents, action: row.productId ? ('update' as const) : ('create' as const) })),
    };
  }

  importCsv(actor: Actor, commandId: string, bytes: Uint8Array): { created: number; updated: number } {
    const now = this.deps.clock();
    const { result } = applyCommand(
      this.sqlite,
      { commandId, name: 'catalogue.import', actorId: actor.id },
      () => {
        const rows = this.checkCsv(bytes);
        const problems = rows.filter((row) => row.problem);
        if (problems.length > 0) {
          throw new CoreError(
            'invalid_message',
            `Nothing was imported: ${problems.length} row${problems.length === 1 ? ' has a problem' : 's have problems'} (first: line ${problems[0]!.line}, ${problems[0]!.problem}). Fix the file and check it again.`,
          );
        }
        let created = 0;
        let updated = 0;
        for (const row of rows) {
          // Each row is its own savepoint inside this transaction, audited as a product change.
          this.save(actor, `${commandId}:${row.line}`, row.productId, row.product!);
          if (row.productId) updated += 1;
          else created += 1;
        }
        return { result: { created, updated }, audit: { details: { rows: rows.length, created, updated } } };
      },
      now,
    );
    return result;
  }

  private checkCsv(bytes: Uint8Array): CheckedRow[] {
    const table = readCsv(bytes, MAX_IMPORT_BYTES);
    const byKey = new Map(table.headers.map((header) => [headerKey(header), header]));
    const column = (name: string) => byKey.get(headerKey(name)) ?? null;
    const missing = REQUIRED.filter((name) => !column(name));
    if (missing.length > 0) {
      throw new CoreError('invalid_message', `The file has no ${missing.join(', ')} column: the first line must name the columns (${CATALOGUE_COLUMNS.join(', ')}).`);
    }
    const seenIds = new Map<string, number>();
    const seenNames = new Map<string, number>();
    const existingByName = this.prepare('SELECT id FROM products WHERE lower(name) = lower(?) AND category = ? LIMIT 1');
    const exists = this.prepare('SELECT 1 FROM products WHERE id = ?');
    return table.rows.map((row) => {
      const checked: CheckedRow = { line: row.line, productId: null, product: null, problem: null };
      if (row.shapeProblem) return { ...checked, problem: row.shapeProblem };
      const cell = (name: string) => {
        const header = column(name);
        return header ? (row.values.get(header) ?? '') : '';
      };
      try {
        const id = cell('id') || null;
        if (id) {
          if (!exists.get(id)) return { ...checked, problem: `no product has the id ${id.slice(0, 40)}: leave the id empty to add a new product.` };
          const earlier = seenIds.get(id);
          if (earlier) return { ...checked, problem: `the same product as line ${earlier}: keep one of the two rows.` };
          seenIds.set(id, row.line);
        }
        const product = this.productFromCells(cell);
        const nameKey = `${product.name.toLowerCase()}|${product.category}`;
        const earlierName = seenNames.get(nameKey);
        if (earlierName) return { ...checked, problem: `the same name and category as line ${earlierName}: keep one of the two rows.` };
        seenNames.set(nameKey, row.line);
        if (!id) {
          const existing = existingByName.get(product.name, product.category) as { id: string } | undefined;
          if (existing) return { ...checked, problem: `${product.name} is already in the catalogue: put its id (from an export) in the id column to change it.` };
        }
        return { ...checked, productId: id, product: this.checkProduct(product, id) };
      } catch (error) {
        const message = error instanceof CoreError ? error.message : error instanceof Error && 'issues' in error ? zodWords(error) : 'the row could not be read.';
        return { ...checked, problem: message.replace(/^./, (c) => c.toLowerCase()) };
      }
    });
  }

  private productFromCells(cell: (name: string) => string): ProductInput {
    const categoryText = cell('category').toLowerCase().replace(/[\s-]+/g, '_');
    const category = this.categories().find((c) => c.id === categoryText || c.label.toLowerCase().replace(/[\s-]+/g, '_') === categoryText);
    if (!category) throw new CoreError('invalid_message', `the category "${cell('category').slice(0, 40)}" is not one of ${this.categories().map((c) => c.id).join(', ')}.`);
    const price = money(cell('price'));
    if (price === null) throw new CoreError('invalid_message', `the price "${cell('price').slice(0, 20)}" is not an amount: write it as 45.00.`);
    const unit = weight(cell('unit_weight_g'), 'unit weight');
    const usable = weight(cell('usable_weight_g'), 'usable weight');
    const thc = thcValue(cell('thc'), category.thcUnit);
    const upc = cell('upc').replace(/\s+/g, '');
    return {
      name: cell('name'),
      category: category.id,
      upc: upc === '' ? null : upc,
      barcodes: cell('barcodes').split(/[\s;]+/).filter((code) => code !== ''),
      priceCents: price,
      unitWeightMg: unit,
      usableWeightMg: usable,
      thcValue: thc,
      thcUnit: category.thcUnit,
      soldMedical: yesNo(cell('medical'), 'medical', true),
      soldAdultUse: yesNo(cell('adult_use'), 'adult_use', this.config().adultUseAvailable),
    };
  }
}

function grams(mg: number): string {
  return (mg / 1000).toFixed(3).replace(/\.?0+$/, '');
}

function money(text: string): number | null {
  const match = /^\$?\s*(\d{1,6})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? '0').padEnd(2, '0'));
}

function weight(text: string, what: string): number {
  if (text.trim() === '') return 0;
  const match = /^(\d{1,7})(?:\.(\d{1,3}))?\s*g?$/i.exec(text.trim());
  if (!match) throw new CoreError('invalid_message', `the ${what} "${text.slice(0, 20)}" is not a weight in grams: write it as 3.5.`);
  return Number(match[1]) * 1000 + Number((match[2] ?? '0').padEnd(3, '0'));
}

function thcValue(text: string, unit: 'mg' | 'pct_x100'): number {
  const trimmed = text.trim();
  if (trimmed === '') return 0;
  const match = /^(\d{1,6})(?:\.(\d{1,2}))?\s*(%|mg)?$/i.exec(trimmed);
  const suffix = match?.[3]?.toLowerCase();
  if (!match || (suffix === '%' && unit === 'mg') || (suffix === 'mg' && unit === 'pct_x100')) {
    throw new CoreError('invalid_message', `the THC "${trimmed.slice(0, 20)}" is not ${unit === 'mg' ? 'mg per unit (e.g. 100mg)' : 'a percentage (e.g. 22.5%)'}.`);
  }
  if (unit === 'mg') {
    if (match[2]) throw new CoreError('invalid_message', `the THC "${trimmed}" must be whole mg (e.g. 100mg).`);
    return Number(match[1]);
  }
  return Number(match[1]) * 100 + Number((match[2] ?? '0').padEnd(2, '0'));
}

function yesNo(text: string, column: string, fallback: boolean): boolean {
  const value = text.trim().toLowerCase();
  if (value === '') return fallback;
  if (['yes', 'y', 'true', '1'].includes(value)) return true;
  if (['no', 'n', 'false', '0'].includes(value)) return false;
  throw new CoreError('invalid_message', `the ${column} column says "${text.slice(0, 20)}": write yes or no.`);
}

function zodWords(error: Error): string {
  const issues = (error as Error & { issues: Array<{ path: PropertyKey[]; message: string }> }).issues;
  const issue = issues[0];
  return issue ? `${issue.path.map(String).join('.')}: ${issue.message}` : 'the row could not be read.';
}
