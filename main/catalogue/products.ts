/**
 * The catalogue: products staff add, edit, search and archive, checked against the store's
 * state rules (the categories its limits speak of, and the weights and THC those limits read).
 * A product starts with no package; receiving one (./stock.ts) gives it the state's id it sells
 * under. SQL stays here; every write goes through applyCommand (applied once, audited).
 */
import type Database from 'better-sqlite3';
import type { CategoryInfo, ProductInput, ProductView } from '../../preload/contract/catalogue.js';
import { ADJUST_REASONS, ADJUST_REASON_WORDS, productInputSchema } from '../../preload/contract/catalogue.js';
import { PRODUCT_CATEGORIES, loadJurisdictionRules, type JurisdictionRules, type LimitMeasure } from '../compliance/rules.js';
import { applyCommand, appliedCommandResult } from '../core/commands.js';
import { captureProduct } from '../hub-sync/capture.js';
import { CoreError } from '../core/errors.js';
import { readSetting } from '../core/settings.js';
import { newId } from '../store/ids.js';
import { cachedStatement } from '../store/statements.js';

export interface CatalogueDeps {
  sqlite(): Database.Database;
  clock(): number;
  resourcesDir: string;
}

export interface Actor {
  id: string;
}

/** A product with no package yet carries this in trace_barcode (never a state's id: those have no colon). */
export const NO_PACKAGE_PREFIX = 'local:';

/** Categories whose THC is stated as a percentage (and whose taxes may be tiered by it). */
const POTENCY_BY_PERCENT = new Set<string>(['flower', 'pre_roll', 'concentrate', 'vape']);

const CATEGORY_WORDS: Record<string, string> = {
  flower: 'Flower',
  pre_roll: 'Pre-roll',
  concentrate: 'Concentrate',
  vape: 'Vape',
  edible: 'Edible',
  beverage: 'Beverage',
  tincture: 'Tincture',
  capsule: 'Capsule',
  topical: 'Topical',
  plant_immature: 'Immature plant',
  plant_mature: 'Mature plant',
};

export interface ProductRow {
  id: string;
  trace_barcode: string;
  upc: string | null;
  name: string;
  category: string;
  unit_weight_mg: number;
  usable_weight_mg: number;
  thc_value: number;
  thc_unit: 'mg' | 'pct_x100';
  price_cents: number;
  sold_medical: number;
  sold_adult_use: number;
  archived_at: number | null;
  on_hand: number;
  barcodes: string | null;
}

const VIEW_COLUMNS = `p.id, p.trace_barcode, p.upc, p.name, p.category, p.unit_weight_mg, p.usable_weight_mg, p.thc_value, p.thc_unit,
  p.price_cents, p.sold_medical, p.sold_adult_use, p.archived_at,
  COALESCE((SELECT s.quantity FROM stock_on_hand s WHERE s.product_id = p.id), 0) AS on_hand,
  (SELECT group_concat(b.barcode, ' ') FROM product_barcodes b WHERE b.product_id = p.id) AS barcodes`;

export class CatalogueProducts {
  private rulesCache: { code: string; rules: JurisdictionRules } | null = null;

  constructor(protected readonly deps: CatalogueDeps) {}

  protected get sqlite(): Database.Database {
    return this.deps.sqlite();
  }

  protected prepare(sql: string): Database.Statement {
    return cachedStatement(this.sqlite, sql);
  }

  rules(): JurisdictionRules {
    const code = readSetting(this.sqlite, 'store.jurisdiction') ?? 'IL';
    if (this.rulesCache?.code !== code) this.rulesCache = { code, rules: loadJurisdictionRules(this.deps.resourcesDir, code) };
    return this.rulesCache.rules;
  }

  /** The categories the state's limits speak of, with the product fields those limits read. */
  categories(): CategoryInfo[] {
    const measures = new Map<string, Set<LimitMeasure>>();
    for (const profile of this.rules().profiles) {
      for (const limit of profile.limits) {
        for (const equivalence of limit.equivalences) {
          for (const category of equivalence.categories) {
            const set = measures.get(category) ?? new Set<LimitMeasure>();
            set.add(equivalence.measure);
            measures.set(category, set);
          }
        }
      }
    }
    return PRODUCT_CATEGORIES.filter((category) => measures.has(category)).map((category) => {
      const needs = measures.get(category)!;
      return {
        id: category,
        label: CATEGORY_WORDS[category] ?? category,
        needsUsableWeight: needs.has('usable_weight'),
        needsUnitWeight: needs.has('product_weight') || POTENCY_BY_PERCENT.has(category),
        needsThc: needs.has('thc') || POTENCY_BY_PERCENT.has(category),
        thcUnit: POTENCY_BY_PERCENT.has(category) ? 'pct_x100' : 'mg',
      };
    });
  }

  config() {
    const rules = this.rules();
    const types = new Set(rules.profiles.map((profile) => profile.match.customerType));
    return {
      categories: this.categories(),
      medicalAvailable: types.has('medical') || types.has('medical_recommendation'),
      adultUseAvailable: types.has('adult_use'),
      adjustReasons: ADJUST_REASONS.filter((reason) => reason !== 'count').map((id) => ({ id, label: ADJUST_REASON_WORDS[id] })),
    };
  }

  list(query: string, includeArchived: boolean, limit: number): ProductView[] {
    const text = query.trim().toLowerCase();
    const like = `%${text.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
    const rows = this.prepare(
      `SELECT ${VIEW_COLUMNS} FROM products p
        WHERE (@all = 1 OR p.archived_at IS NULL)
          AND (@text = '' OR lower(p.name) LIKE @like ESCAPE '\\' OR p.category LIKE @like ESCAPE '\\' OR p.trace_barcode LIKE @like ESCAPE '\\'
               OR p.upc LIKE @like ESCAPE '\\' OR EXISTS (SELECT 1 FROM product_barcodes b WHERE b.product_id = p.id AND b.barcode LIKE @like ESCAPE '\\'))
        ORDER BY p.archived_at IS NOT NULL, lower(p.name) LIMIT @limit`,
    ).all({ all: includeArchived ? 1 : 0, text, like, limit }) as ProductRow[];
    return rows.map((row) => this.view(row));
  }

  get(productId: string): ProductView {
    return this.view(this.row(productId));
  }

  protected row(productId: string): ProductRow {
    const row = this.prepare(`SELECT ${VIEW_COLUMNS} FROM products p WHERE p.id = ?`).get(productId) as ProductRow | undefined;
    if (!row) throw new CoreError('not_found', 'That product is not in the catalogue any more: search for it again.');
    return row;
  }

  protected view(row: ProductRow): ProductView {
    return {
      id: row.id,
      name: row.name,
      category: row.category,
      categoryLabel: CATEGORY_WORDS[row.category] ?? row.category,
      packageLabel: row.trace_barcode.startsWith(NO_PACKAGE_PREFIX) ? null : row.trace_barcode,
      upc: row.upc,
      barcodes: row.barcodes ? row.barcodes.split(' ').sort() : [],
      priceCents: row.price_cents,
      unitWeightMg: row.unit_weight_mg,
      usableWeightMg: row.usable_weight_mg,
      thcValue: row.thc_value,
      thcUnit: row.thc_unit,
      soldMedical: row.sold_medical === 1,
      soldAdultUse: row.sold_adult_use === 1,
      archived: row.archived_at !== null,
      onHand: row.on_hand,
      taxes: this.taxWords(row.category, row.thc_unit, row.thc_value),
    };
  }

  /** The taxes the rules charge on a product like this, per tax stack (the product's tax class). */
  taxWords(category: string, thcUnit: string, thcValue: number): string[] {
    const words: string[] = [];
    for (const stack of Object.values(this.rules().taxes.stacks)) {
      const applying = stack.taxes.filter((tax) => {
        const categories = tax.appliesTo.categories;
        if (categories !== 'all' && !(categories as string[]).includes(category)) return false;
        const band = tax.appliesTo.adjustedThcPctX100;
        if (!band) return true;
        if (thcUnit !== 'pct_x100') return false;
        if (band.atMost !== undefined && thcValue > band.atMost) return false;
        if (band.above !== undefined && thcValue <= band.above) return false;
        return true;
      });
      const labels = [...new Set(applying.map((tax) => tax.label))];
      words.push(`${stack.label.replace(/\s*\(.*\)$/, '')}: ${labels.length > 0 ? labels.join(', ') : 'no tax'}`);
    }
    return words;
  }

  /** The product's fields checked against the rules; throws what to correct, in words for staff. */
  checkProduct(input: ProductInput, selfId: string | null): ProductInput {
    const product = productInputSchema.parse(input);
    const category = this.categories().find((candidate) => candidate.id === product.category);
    const rules = this.rules();
    if (!category) {
      throw new CoreError('invalid_message', `${rules.name} rules have no category "${product.category}": choose one from the list.`);
    }
    if (product.thcUnit !== category.thcUnit) {
      throw new CoreError('invalid_message', `${category.label} states its THC ${category.thcUnit === 'mg' ? 'in mg per unit' : 'as a percentage'}: enter it that way.`);
    }
    if (category.needsUsableWeight && product.usableWeightMg <= 0) {
      throw new CoreError('invalid_message', `Enter the usable weight (the cannabis in one unit, in grams): ${rules.name} limits count it for ${category.label.toLowerCase()}.`);
    }
    if (category.needsUnitWeight && product.unitWeightMg <= 0) {
      throw new CoreError('invalid_message', `Enter the unit weight (one ${category.label.toLowerCase()} as sold, in grams).`);
    }
    if (category.needsThc && product.thcValue <= 0) {
      throw new CoreError('invalid_message', `Enter the THC content (${category.thcUnit === 'mg' ? 'mg per unit' : 'percent'}) from the label: the state's rules need it.`);
    }
    if (category.thcUnit === 'pct_x100' && product.thcValue > 10_000) throw new CoreError('invalid_message', 'THC is at most 100%: check the label.');
    const config = this.config();
    if (!product.soldMedical && !product.soldAdultUse) throw new CoreError('invalid_message', 'Choose who may buy it: medical, adult use, or both.');
    if (product.soldAdultUse && !config.adultUseAvailable) throw new CoreError('invalid_message', `${rules.name} has no adult-use sales: turn Adult use off.`);
    if (product.soldMedical && !config.medicalAvailable) throw new CoreError('invalid_message', `${rules.name} has no medical sales: turn Medical off.`);
    const codes = [...(product.upc ? [product.upc] : []), ...product.barcodes];
    const repeated = codes.find((code, index) => codes.indexOf(code) !== index);
    if (repeated) throw new CoreError('invalid_message', `Barcode ${repeated} is entered twice: keep it once.`);
    for (const code of codes) {
      const owner = this.prepare(
        `SELECT p.name FROM products p WHERE p.id != @self AND (p.upc = @code OR p.trace_barcode = @code
           OR EXISTS (SELECT 1 FROM product_barcodes b WHERE b.product_id = p.id AND b.barcode = @code)) LIMIT 1`,
      ).get({ self: selfId ?? '', code }) as { name: string } | undefined;
      if (owner) throw new CoreError('conflict', `Barcode ${code} is already on ${owner.name}: a barcode finds one product only.`);
    }
    return product;
  }

  save(actor: Actor, commandId: string, productId: string | null, input: ProductInput): ProductView {
    const replay = appliedCommandResult<{ id: string }>(this.sqlite, commandId);
    if (replay) return this.get(replay.result.id);
    const product = this.checkProduct(input, productId);
    const now = this.deps.clock();
    const { result } = applyCommand(
      this.sqlite,
      { commandId, name: productId ? 'catalogue.product_updated' : 'catalogue.product_added', actorId: actor.id },
      () => {
        const id = productId ?? newId(now);
        const params = {
          id,
          upc: product.upc,
          name: product.name,
          category: product.category,
          unitWeightMg: product.unitWeightMg,
          usableWeightMg: product.usableWeightMg,
          thcValue: product.thcValue,
          thcUnit: product.thcUnit,
          priceCents: product.priceCents,
          soldMedical: product.soldMedical ? 1 : 0,
          soldAdultUse: product.soldAdultUse ? 1 : 0,
          now,
        };
        let before: ProductView | null = null;
        if (productId) {
          before = this.view(this.row(productId));
          this.prepare(
            `UPDATE products SET upc = @upc, name = @name, category = @category, unit_weight_mg = @unitWeightMg, usable_weight_mg = @usableWeightMg,
               thc_value = @thcValue, thc_unit = @thcUnit, price_cents = @priceCents, sold_medical = @soldMedical, sold_adult_use = @soldAdultUse,
               updated_at = @now WHERE id = @id`,
          ).run(params);
          this.prepare('DELETE FROM product_barcodes WHERE product_id = ?').run(id);
        } else {
          this.prepare(
            `INSERT INTO products (id, trace_barcode, upc, name, category, unit_weight_mg, usable_weight_mg, thc_value, thc_unit, price_cents,
               sold_medical, sold_adult_use, created_at, updated_at)
             VALUES (@id, @traceBarcode, @upc, @name, @category, @unitWeightMg, @usableWeightMg, @thcValue, @thcUnit, @priceCents,
               @soldMedical, @soldAdultUse, @now, @now)`,
          ).run({ ...params, traceBarcode: `${NO_PACKAGE_PREFIX}${id}` });
        }
        const insertBarcode = this.prepare('INSERT INTO product_barcodes (barcode, product_id) VALUES (?, ?)');
        for (const code of product.barcodes) insertBarcode.run(code, id);
        captureProduct(this.sqlite, id, now);
        const changes = before ? changedFields(before, product) : null;
        return { result: { id }, audit: { details: { productId: id, name: product.name, ...(changes ? { changes } : { priceCents: product.priceCents }) } } };
      },
      now,
    );
    return this.get(result.id);
  }

  archive(actor: Actor, commandId: string, productId: string, archived: boolean): ProductView {
    const now = this.deps.clock();
    applyCommand(
      this.sqlite,
      { commandId, name: archived ? 'catalogue.product_archived' : 'catalogue.product_unarchived', actorId: actor.id },
      () => {
        const row = this.row(productId);
        this.prepare('UPDATE products SET archived_at = ?, updated_at = ? WHERE id = ?').run(archived ? now : null, now, productId);
        captureProduct(this.sqlite, productId, now);
        return { result: null, audit: { details: { productId, name: row.name, onHand: row.on_hand } } };
      },
      now,
    );
    return this.get(productId);
  }
}

function changedFields(before: ProductView, after: ProductInput): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  const keys = ['name', 'category', 'upc', 'priceCents', 'unitWeightMg', 'usableWeightMg', 'thcValue', 'thcUnit', 'soldMedical', 'soldAdultUse'] as const;
  for (const key of keys) if (before[key] !== after[key]) changes[key] = { from: before[key], to: after[key] };
  const codes = (list: string[]) => [...list].sort().join(' ');
  if (codes(before.barcodes) !== codes(after.barcodes)) changes.barcodes = { from: before.barcodes, to: after.barcodes };
  return changes;
}
