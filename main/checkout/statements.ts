/** Checkout's prepared statements, made once per connection. */
import type Database from 'better-sqlite3';

export function prepareCheckoutStatements(db: Database.Database) {
  const productColumns = `p.id, p.trace_barcode AS traceBarcode, p.upc, p.name, p.category, p.unit_weight_mg AS unitWeightMg,
    p.usable_weight_mg AS usableWeightMg, p.thc_value AS thcValue, p.thc_unit AS thcUnit, p.price_cents AS priceCents,
    p.sold_medical AS soldMedical, p.sold_adult_use AS soldAdultUse,
    COALESCE((SELECT s.quantity FROM stock_on_hand s WHERE s.product_id = p.id), 0) AS onHand`;
  return {
    byId: db.prepare(`SELECT ${productColumns} FROM products p WHERE p.id = ?`),
    // Archived products (catalogue) are not found by a scan or a search; a sale already on a ticket keeps its product (byId).
    byTrace: db.prepare(`SELECT ${productColumns} FROM products p WHERE p.trace_barcode = ? AND p.archived_at IS NULL`),
    byUpc: db.prepare(`SELECT ${productColumns} FROM products p WHERE p.upc = ? AND p.archived_at IS NULL`),
    /** Barcodes the catalogue added to a product (a vendor label, a shelf tag). */
    byExtraBarcode: db.prepare(
      `SELECT ${productColumns} FROM product_barcodes b JOIN products p ON p.id = b.product_id WHERE b.barcode = ? AND p.archived_at IS NULL`,
    ),
    search: db.prepare(
      `SELECT ${productColumns} FROM products p WHERE p.archived_at IS NULL
        AND (lower(p.name) LIKE @like ESCAPE '\\' OR p.category LIKE @like ESCAPE '\\' OR p.trace_barcode LIKE @like ESCAPE '\\')
        ORDER BY p.name LIMIT @limit`,
    ),
    // A rolling window: the kept days from the window's first business day on (allotment_daily), less
    // that first day's uses made before the window opened (read from the ledger, two days at most).
    useDaysFrom: db.prepare(
      'SELECT SUM(amount) AS total FROM allotment_daily WHERE holder_kind = ? AND holder_id = ? AND limit_id = ? AND business_date >= ?',
    ),
    useBeforeOnDate: db.prepare(
      `SELECT SUM(amount) AS total FROM allotment_uses
        WHERE holder_kind = @kind AND holder_id = @id AND limit_id = @limit AND at >= @from AND at < @before AND business_date = @date`,
    ),
    unreportedUse: db.prepare(
      `SELECT SUM(u.amount) AS total FROM allotment_uses u JOIN sales s ON s.receipt_number = u.sale_no
         LEFT JOIN trace_outbox o ON o.id = s.trace_outbox_id
        WHERE u.holder_kind = ? AND u.holder_id = ? AND u.limit_id = ? AND u.at >= ?
          AND (o.id IS NULL OR o.state != 'acknowledged' OR o.acknowledged_at > ?)`,
    ),
    useOnDate: db.prepare(
      'SELECT amount AS total FROM allotment_daily WHERE holder_kind = ? AND holder_id = ? AND limit_id = ? AND business_date = ?',
    ),
    nextReceipt: db.prepare('SELECT COALESCE(MAX(receipt_number), 0) + 1 AS next FROM sales'),
    insertSale: db.prepare(
      `INSERT INTO sales (id, command_id, receipt_number, status, customer_id, patient_customer_id, caregiver_patient_id, patient_name, patient_licence,
         caregiver_licence, jurisdiction, profile_id, channel, employee_id, gross_cents, discount_cents, net_cents, tax_cents, total_cents, change_cents,
         group_discount_label, business_date, completed_at, queue_entry_id)
       VALUES (@id, @commandId, @receiptNumber, 'completed', @customerId, @patientCustomerId, @caregiverPatientId, @patientName, @patientLicence,
         @caregiverLicence, @jurisdiction, @profileId, @channel, @employeeId, @grossCents, @discountCents, @netCents, @taxCents, @totalCents, @changeCents,
         @groupDiscountLabel, @businessDate, @completedAt, @queueEntryId)`,
    ),
    productVersion: db.prepare(
      'SELECT id FROM product_versions WHERE product_id = ? AND name = ? AND trace_barcode = ? AND category = ? AND unit_price_cents = ?',
    ),
    insertProductVersion: db.prepare(
      'INSERT INTO product_versions (product_id, name, trace_barcode, category, unit_price_cents) VALUES (?, ?, ?, ?, ?)',
    ),
    taxRate: db.prepare('SELECT id FROM tax_rates WHERE tax_id = ? AND label = ? AND kind = ? AND rate_ppm = ?'),
    insertTaxRate: db.prepare('INSERT INTO tax_rates (tax_id, label, kind, rate_ppm) VALUES (?, ?, ?, ?)'),
    insertLine: db.prepare(
      `INSERT INTO sale_lines (sale_no, line_no, product_version_id, quantity, gross_cents, group_discount_cents, line_discount_cents, rewards_discount_cents,
         discount_reason, discount_approved_by, net_cents, tax_cents, limit_override, limit_override_approved_by, allotment_counts)
       VALUES (@saleNo, @lineNo, @productVersionId, @quantity, @grossCents, @groupDiscountCents, @lineDiscountCents, @rewardsDiscountCents,
         @discountReason, @discountApprovedBy, @netCents, @taxCents, @limitOverride, @limitOverrideApprovedBy, @allotmentCounts)`,
    ),
    insertTax: db.prepare('INSERT INTO sale_taxes (sale_line_id, position, rate_id, base_cents, tax_cents) VALUES (?, ?, ?, ?, ?)'),
    insertTender: db.prepare(
      'INSERT INTO sale_tenders (sale_no, position, kind, tendered_cents, applied_cents, change_cents, reference) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    insertUse: db.prepare(
      `INSERT INTO allotment_uses (sale_no, return_id, holder_kind, holder_id, card_id, limit_id, unit, amount, at, business_date)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    setOutbox: db.prepare('UPDATE sales SET trace_outbox_id = ? WHERE receipt_number = ?'),
  };
}

export type CheckoutStatements = ReturnType<typeof prepareCheckoutStatements>;
