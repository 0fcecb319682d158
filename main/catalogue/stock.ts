/**
 * Stock (issue 18): packages from the state received onto products, and adjustments and counts
 * with a reason and a manager's approval. Every change is a movement in the inventory ledger
 * (stock_on_hand follows by trigger in the same transaction), never a new total.
 *
 * A product sells from one package at a time: receiving makes the package the one its sales
 * report, so a new package goes onto a product only once the last one is used up; the register's
 * refusal to sell more than is on hand is then a refusal to sell more than the package holds.
 */
import type { AdjustReason, ProductView, StockEntry, TracePackageView } from '../../preload/contract/catalogue.js';
import { ADJUST_REASON_WORDS } from '../../preload/contract/catalogue.js';
import { applyCommand } from '../core/commands.js';
import { captureProduct, captureStockMovement } from '../hub-sync/capture.js';
import { CoreError } from '../core/errors.js';
import { newId } from '../store/ids.js';
import type { TracePackage } from '../trace/provider.js';
import { type Actor, CatalogueProducts, NO_PACKAGE_PREFIX } from './products.js';

export const ADJUST_ACTION = 'catalogue.adjust';

export type AdjustRequest =
  | { kind: 'adjust'; productId: string; quantityDelta: number; reason: AdjustReason; note: string | null }
  | { kind: 'count'; productId: string; counted: number; note: string | null };

export class CatalogueStock extends CatalogueProducts {
  /** The state's packages with what this register received of each. */
  packagesView(packages: TracePackage[]): TracePackageView[] {
    const received = this.prepare(
      `SELECT t.product_id, p.name, t.quantity_received, t.received_at FROM trace_packages t JOIN products p ON p.id = t.product_id WHERE t.label = ?`,
    );
    const byBarcode = this.prepare('SELECT id, name FROM products WHERE trace_barcode = ?');
    return packages.map((pkg) => {
      const row = received.get(pkg.label) as { product_id: string; name: string; quantity_received: number; received_at: number } | undefined;
      const product = row ? null : (byBarcode.get(pkg.label) as { id: string; name: string } | undefined);
      return {
        label: pkg.label,
        name: pkg.name ?? pkg.label,
        stateCategory: pkg.stateCategory,
        suggestedCategory: pkg.suggestedCategory && this.categories().some((c) => c.id === pkg.suggestedCategory) ? pkg.suggestedCategory : null,
        quantity: pkg.quantity,
        usableWeightMg: pkg.usableWeightMg,
        medical: pkg.medical,
        productId: row?.product_id ?? product?.id ?? null,
        productName: row?.name ?? product?.name ?? null,
        receivedQuantity: row?.quantity_received ?? null,
        receivedAt: row?.received_at ?? null,
      };
    });
  }

  /** Receive `quantity` of a package (as the state lists it now) onto a product. */
  receive(actor: Actor, commandId: string, pkg: TracePackage, provider: string, productId: string, quantity: number): ProductView {
    const now = this.deps.clock();
    applyCommand(
      this.sqlite,
      { commandId, name: 'catalogue.receive', actorId: actor.id },
      () => {
        const product = this.row(productId);
        if (product.archived_at !== null) throw new CoreError('conflict', `${product.name} is archived: bring it back to the catalogue first, or choose another product.`);
        const earlier = this.prepare(
          'SELECT p.name, t.received_at FROM trace_packages t JOIN products p ON p.id = t.product_id WHERE t.label = ?',
        ).get(pkg.label) as { name: string; received_at: number } | undefined;
        if (earlier) throw new CoreError('conflict', `Package ${pkg.label} was already received onto ${earlier.name}: a package is received once.`);
        if (quantity > pkg.quantity) {
          throw new CoreError('invalid_message', `${provider} says package ${pkg.label} holds ${pkg.quantity}: receive at most that many, or check the package with ${provider}.`);
        }
        const other = this.prepare('SELECT name FROM products WHERE trace_barcode = ? AND id != ?').get(pkg.label, productId) as { name: string } | undefined;
        if (other) throw new CoreError('conflict', `Package ${pkg.label} is ${other.name}'s package: receive it onto ${other.name}.`);
        const current = product.trace_barcode;
        if (!current.startsWith(NO_PACKAGE_PREFIX) && current !== pkg.label && product.on_hand > 0) {
          throw new CoreError(
            'conflict',
            `${product.name} still has ${product.on_hand} from package ${current}: sell or count those first, or receive this package as a new product.`,
          );
        }
        this.prepare(
          'INSERT INTO trace_packages (label, product_id, provider, state_name, quantity_received, received_at, received_by) VALUES (?, ?, ?, ?, ?, ?, ?)',
        ).run(pkg.label, productId, provider, pkg.name, quantity, now, actor.id);
        this.prepare('UPDATE products SET trace_barcode = ?, updated_at = ? WHERE id = ?').run(pkg.label, now, productId);
        this.prepare(
          "INSERT INTO inventory_movements (product_id, quantity_delta, reason, reference_id, employee_id, at) VALUES (?, ?, 'receive', ?, ?, ?)",
        ).run(productId, quantity, pkg.label, actor.id, now);
        captureProduct(this.sqlite, productId, now);
        captureStockMovement(this.sqlite, { productId, quantityDelta: quantity, reason: 'receive', referenceId: pkg.label, employeeId: actor.id, at: now });
        return {
          result: null,
          audit: { details: { productId, name: product.name, package: pkg.label, provider, quantity, onHandBefore: product.on_hand, onHandAfter: product.on_hand + quantity } },
        };
      },
      now,
    );
    return this.get(productId);
  }

  /** An adjustment or a count, approved by a manager (`approvedBy`, from a consumed override grant). */
  adjust(actor: Actor, commandId: string, approvedBy: string, request: AdjustRequest): { product: ProductView; quantityDelta: number } {
    const now = this.deps.clock();
    const { result } = applyCommand(
      this.sqlite,
      { commandId, name: request.kind === 'count' ? 'catalogue.count' : 'catalogue.adjust', actorId: actor.id },
      () => {
        const product = this.row(request.productId);
        const expected = product.on_hand;
        const delta = request.kind === 'count' ? request.counted - expected : request.quantityDelta;
        if (request.kind === 'adjust' && expected + delta < 0) {
          throw new CoreError('invalid_message', `Only ${Math.max(expected, 0)} of ${product.name} on hand: take away at most ${Math.max(expected, 0)}, or count the shelf.`);
        }
        const id = newId(now);
        const reason: AdjustReason = request.kind === 'count' ? 'count' : request.reason;
        this.prepare(
          `INSERT INTO stock_adjustments (id, product_id, kind, expected, quantity_delta, counted, reason, note, employee_id, approved_by, at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(id, request.productId, request.kind, expected, delta, request.kind === 'count' ? request.counted : null, reason, request.note, actor.id, approvedBy, now);
        if (delta !== 0) {
          this.prepare(
            "INSERT INTO inventory_movements (product_id, quantity_delta, reason, reference_id, employee_id, at) VALUES (?, ?, 'adjust', ?, ?, ?)",
          ).run(request.productId, delta, id, actor.id, now);
          captureStockMovement(this.sqlite, { productId: request.productId, quantityDelta: delta, reason: request.kind === 'count' ? 'count' : 'adjust', referenceId: id, employeeId: actor.id, at: now });
        }
        return {
          result: { quantityDelta: delta },
          audit: {
            details: { productId: request.productId, name: product.name, adjustmentId: id, reason, note: request.note, before: expected, after: expected + delta, approvedBy },
          },
        };
      },
      now,
    );
    return { product: this.get(request.productId), quantityDelta: result.quantityDelta };
  }

  /** Receipts, adjustments and counts of a product, newest first (sales are on the receipts). */
  history(productId: string, limit: number): StockEntry[] {
    this.row(productId);
    const rows = this.prepare(
      `SELECT m.at, m.reason, m.quantity_delta AS delta, m.reference_id AS ref, e.name AS employee, a.kind AS adjKind, a.reason AS adjReason,
              a.counted, a.expected, a.note, ap.name AS approver
         FROM inventory_movements m
         LEFT JOIN employees e ON e.id = m.employee_id
         LEFT JOIN stock_adjustments a ON m.reason = 'adjust' AND a.id = m.reference_id
         LEFT JOIN employees ap ON ap.id = a.approved_by
        WHERE m.product_id = @productId
       UNION ALL
       SELECT a.at, 'adjust', 0, a.id, e.name, a.kind, a.reason, a.counted, a.expected, a.note, ap.name
         FROM stock_adjustments a JOIN employees e ON e.id = a.employee_id JOIN employees ap ON ap.id = a.approved_by
        WHERE a.product_id = @productId AND a.quantity_delta = 0
       ORDER BY 1 DESC LIMIT @limit`,
    ).all({ productId, limit }) as Array<{
      at: number;
      reason: string;
      delta: number;
      ref: string | null;
      employee: string | null;
      adjKind: 'adjust' | 'count' | null;
      adjReason: AdjustReason | null;
      counted: number | null;
      expected: number | null;
      note: string | null;
      approver: string | null;
    }>;
    return rows.map((row) => {
      const note = row.note ? ` (${row.note})` : '';
      if (row.reason === 'receive') {
        return { at: row.at, kind: 'receive', quantityDelta: row.delta, what: row.ref ? `Received from package ${row.ref}` : 'Received', employeeName: row.employee, approvedByName: null };
      }
      if (row.adjKind === 'count') {
        return { at: row.at, kind: 'count', quantityDelta: row.delta, what: `Counted ${row.counted} (expected ${row.expected})${note}`, employeeName: row.employee, approvedByName: row.approver };
      }
      if (row.adjKind === 'adjust') {
        return { at: row.at, kind: 'adjust', quantityDelta: row.delta, what: `${ADJUST_REASON_WORDS[row.adjReason ?? 'correction']}${note}`, employeeName: row.employee, approvedByName: row.approver };
      }
      return { at: row.at, kind: row.delta < 0 ? 'sale' : 'return', quantityDelta: row.delta, what: row.reason, employeeName: row.employee, approvedByName: null };
    });
  }
}
