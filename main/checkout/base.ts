/** Checkout: the shared state (open tickets, rules, statements), settings, the catalog and small helpers. */
import type Database from 'better-sqlite3';
import type { Employee } from '../../preload/api.js';
import { CoreError } from '../core/errors.js';
import { readSetting } from '../core/settings.js';
import { loadJurisdictionRules, type EffectiveRate, type JurisdictionRules } from '../compliance/rules.js';
import { type CatalogProduct, type PricingContext, type TicketLine } from './engine.js';
import { prepareCheckoutStatements, type CheckoutStatements } from './statements.js';
import { toProduct, localDate, type CheckoutDeps, type OpenTicket, type ProductRow } from './types.js';
import { cachedStatement } from '../store/statements.js';

export abstract class CheckoutBase {
  protected readonly tickets = new Map<string, OpenTicket>();
  protected rulesCache: { code: string; rules: JurisdictionRules } | null = null;
  private statements: CheckoutStatements | null = null;
  private statementsFor: Database.Database | null = null;

  constructor(protected readonly deps: CheckoutDeps) {}

  // -------------------------------------------------------------------------------------------
  // Settings and rules
  // -------------------------------------------------------------------------------------------

  rules(): JurisdictionRules {
    const code = readSetting(this.db(), 'store.jurisdiction') ?? 'IL';
    if (this.rulesCache?.code !== code) {
      try {
        this.rulesCache = { code, rules: loadJurisdictionRules(this.deps.resourcesDir, code) };
      } catch (error) {
        throw new CoreError('unavailable', error instanceof Error ? error.message : String(error));
      }
    }
    return this.rulesCache.rules;
  }

  timeZone(): string {
    return readSetting(this.db(), 'store.timeZone') ?? 'America/Chicago';
  }

  /** The store's local calendar date of an instant. */
  businessDate(at: number): string {
    return localDate(at, this.timeZone());
  }

  protected jsonSetting(key: string): unknown {
    const row = cachedStatement(this.db(), 'SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    if (!row) return undefined;
    try {
      return JSON.parse(row.value);
    } catch {
      return undefined;
    }
  }

  protected storeRates(rules: JurisdictionRules): Map<string, EffectiveRate[]> {
    const rates = new Map<string, EffectiveRate[]>();
    for (const stack of Object.values(rules.taxes.stacks)) {
      for (const tax of stack.taxes) {
        if (!tax.storeConfigured) continue;
        const value = this.jsonSetting(tax.storeConfigured.settingKey);
        if (Array.isArray(value)) rates.set(tax.storeConfigured.settingKey, value as EffectiveRate[]);
      }
    }
    return rates;
  }

  // -------------------------------------------------------------------------------------------
  // Catalog
  // -------------------------------------------------------------------------------------------

  searchProducts(query: string, limit: number): CatalogProduct[] {
    const text = query.trim().toLowerCase();
    if (/^\d{8,16}$/.test(text)) {
      const exact = this.findByBarcode(text);
      if (exact) return [exact];
    } else if (/^[0-9A-Za-z-]{4,40}$/.test(query.trim())) {
      // A barcode the catalogue added (a shelf tag may hold letters), typed or sent by a keyboard scanner.
      const extra = this.stmts().byExtraBarcode.get(query.trim()) as ProductRow | undefined;
      if (extra) return [toProduct(extra)];
    }
    const rows = this.stmts().search.all({ like: `%${text.replace(/[%_\\]/g, (c) => `\\${c}`)}%`, limit }) as ProductRow[];
    return rows.map(toProduct);
  }

  /** A 16-digit BioTrack barcode id, or a UPC-A / EAN-13 (a leading 0 is the same UPC), or a barcode the catalogue added. */
  findByBarcode(code: string): CatalogProduct | null {
    const digits = code.trim();
    const s = this.stmts();
    if (/^\d{16}$/.test(digits)) {
      const row = s.byTrace.get(digits) as ProductRow | undefined;
      if (row) return toProduct(row);
    }
    const candidates = [digits];
    if (/^0\d{12}$/.test(digits)) candidates.push(digits.slice(1));
    if (/^\d{12}$/.test(digits)) candidates.push(`0${digits}`);
    for (const candidate of candidates) {
      const row = s.byUpc.get(candidate) as ProductRow | undefined;
      if (row) return toProduct(row);
    }
    const extra = s.byExtraBarcode.get(digits) as ProductRow | undefined;
    return extra ? toProduct(extra) : null;
  }

  productById(productId: string): CatalogProduct | null {
    const row = this.stmts().byId.get(productId) as ProductRow | undefined;
    return row ? toProduct(row) : null;
  }

  protected approver(actor: Employee, grantId: string | undefined, action: string): { id: string; name: string } {
    if (!grantId && actor.permissions.includes('manager_override')) return { id: actor.id, name: actor.name };
    if (!grantId) throw new CoreError('forbidden', 'A manager must approve this: ask a manager to enter their PIN.');
    const grant = this.deps.consumeGrant(grantId, action);
    return { id: grant.approverId, name: grant.approverName };
  }

  protected ticket(ticketId: string): OpenTicket {
    const ticket = this.tickets.get(ticketId);
    if (!ticket) throw new CoreError('not_found', 'This ticket is no longer open (completed, discarded, or the register restarted): open the customer again.');
    return ticket;
  }

  protected line(ticket: OpenTicket, lineId: string): TicketLine {
    const line = ticket.lines.find((entry) => entry.lineId === lineId);
    if (!line) throw new CoreError('not_found', 'That line is no longer on the ticket.');
    return line;
  }

  protected contextOf(ticket: OpenTicket): PricingContext | null {
    return ticket.context;
  }

  protected db(): Database.Database {
    return this.deps.sqlite();
  }

  protected stmts() {
    const db = this.db();
    if (!this.statements || this.statementsFor !== db) {
      this.statements = prepareCheckoutStatements(db);
      this.statementsFor = db;
    }
    return this.statements;
  }

  /** The product as sold now (name, barcode, category, price): its row in product_versions, made the first time. Inside the sale's transaction. */
  protected productVersion(product: { id: string; name: string; traceBarcode: string; category: string; priceCents: number }): number {
    const s = this.stmts();
    const key = [product.id, product.name, product.traceBarcode, product.category, product.priceCents] as const;
    const row = s.productVersion.get(...key) as { id: number } | undefined;
    return row ? row.id : Number(s.insertProductVersion.run(...key).lastInsertRowid);
  }

  /** A tax as charged (id, label, kind, rate): its row in tax_rates, made the first time. Inside the sale's transaction. */
  protected taxRate(tax: { taxId: string; label: string; kind: string; ratePpm: number }): number {
    const s = this.stmts();
    const key = [tax.taxId, tax.label, tax.kind, tax.ratePpm] as const;
    const row = s.taxRate.get(...key) as { id: number } | undefined;
    return row ? row.id : Number(s.insertTaxRate.run(...key).lastInsertRowid);
  }
}
