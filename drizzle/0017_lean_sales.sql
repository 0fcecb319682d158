-- Lean storage for years of sales (issue 12). Inside the register a sale's rows hang off integer
-- keys: the receipt number is the sale's rowid, lines and movements and ledger rows get integer
-- ids, and the sale's ULID stays only where it crosses the boundary (receipts, outbox, audit,
-- rewards). A product as sold and a tax rate are stored once (product_versions, tax_rates) and
-- referenced; allotment uses are one row per sale and limit (each line's share is kept on the
-- line for returns); a sale's line is its own stock movement out and a return's line its movement
-- back (their copies in inventory_movements are dropped: stock_on_hand does not move); taxes and tenders are WITHOUT ROWID tables keyed by their owner. Indexes no
-- query needs are gone. Every existing row is carried over; the running balances (0013) do not
-- move, and their triggers are made again on the rebuilt ledgers.
PRAGMA defer_foreign_keys = ON;
--> statement-breakpoint
CREATE TABLE `tax_rates` (
	`id` integer PRIMARY KEY,
	`tax_id` text NOT NULL,
	`label` text NOT NULL,
	`kind` text NOT NULL,
	`basis_points` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tax_rates_all` ON `tax_rates` (`tax_id`,`label`,`kind`,`basis_points`);
--> statement-breakpoint
INSERT INTO `tax_rates` (`tax_id`, `label`, `kind`, `basis_points`)
  SELECT DISTINCT `tax_id`, `label`, `kind`, `basis_points` FROM `sale_taxes` ORDER BY `tax_id`, `label`, `kind`, `basis_points`;
--> statement-breakpoint
CREATE TABLE `product_versions` (
	`id` integer PRIMARY KEY,
	`product_id` text NOT NULL,
	`name` text NOT NULL,
	`trace_barcode` text NOT NULL,
	`category` text NOT NULL,
	`unit_price_cents` integer NOT NULL,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `product_versions_all` ON `product_versions` (`product_id`,`name`,`trace_barcode`,`category`,`unit_price_cents`);
--> statement-breakpoint
INSERT INTO `product_versions` (`product_id`, `name`, `trace_barcode`, `category`, `unit_price_cents`)
  SELECT DISTINCT `product_id`, `name`, `trace_barcode`, `category`, `unit_price_cents` FROM `sale_lines` ORDER BY `product_id`, `name`, `trace_barcode`, `category`, `unit_price_cents`;
--> statement-breakpoint
CREATE TABLE `__new_sales` (
	`receipt_number` integer PRIMARY KEY,
	`id` text NOT NULL,
	`command_id` text NOT NULL,
	`status` text NOT NULL,
	`customer_id` text NOT NULL,
	`patient_customer_id` text,
	`caregiver_patient_id` text,
	`patient_name` text,
	`patient_licence` text,
	`caregiver_licence` text,
	`jurisdiction` text NOT NULL,
	`profile_id` text NOT NULL,
	`channel` text NOT NULL,
	`employee_id` text NOT NULL,
	`gross_cents` integer NOT NULL,
	`discount_cents` integer NOT NULL,
	`net_cents` integer NOT NULL,
	`tax_cents` integer NOT NULL,
	`total_cents` integer NOT NULL,
	`change_cents` integer NOT NULL,
	`group_discount_label` text,
	`business_date` text NOT NULL,
	`completed_at` integer NOT NULL,
	`trace_outbox_id` text,
	`queue_entry_id` text,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`patient_customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`employee_id`) REFERENCES `employees`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_sales` SELECT `receipt_number`, `id`, `command_id`, `status`, `customer_id`, `patient_customer_id`, `caregiver_patient_id`, `patient_name`,
  `patient_licence`, `caregiver_licence`, `jurisdiction`, `profile_id`, `channel`, `employee_id`, `gross_cents`, `discount_cents`, `net_cents`, `tax_cents`,
  `total_cents`, `change_cents`, `group_discount_label`, `business_date`, `completed_at`, `trace_outbox_id`, `queue_entry_id` FROM `sales` ORDER BY `receipt_number`;
--> statement-breakpoint
CREATE TEMP TABLE `__line_ids` (`old_id` text PRIMARY KEY NOT NULL, `new_id` integer NOT NULL, `sale_no` integer NOT NULL);
--> statement-breakpoint
INSERT INTO `__line_ids` (`old_id`, `new_id`, `sale_no`)
  SELECT l.`id`, ROW_NUMBER() OVER (ORDER BY s.`receipt_number`, l.`line_no`, l.`id`), s.`receipt_number`
    FROM `sale_lines` l JOIN `sales` s ON s.`id` = l.`sale_id`;
--> statement-breakpoint
CREATE TABLE `__new_sale_lines` (
	`id` integer PRIMARY KEY,
	`sale_no` integer NOT NULL,
	`line_no` integer NOT NULL,
	`product_version_id` integer NOT NULL,
	`quantity` integer NOT NULL,
	`gross_cents` integer NOT NULL,
	`group_discount_cents` integer NOT NULL,
	`line_discount_cents` integer NOT NULL,
	`rewards_discount_cents` integer DEFAULT 0 NOT NULL,
	`discount_reason` text,
	`discount_approved_by` text,
	`net_cents` integer NOT NULL,
	`tax_cents` integer NOT NULL,
	`limit_override` text,
	`limit_override_approved_by` text,
	`allotment_counts` text,
	FOREIGN KEY (`sale_no`) REFERENCES `__new_sales`(`receipt_number`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`product_version_id`) REFERENCES `product_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`discount_approved_by`) REFERENCES `employees`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`limit_override_approved_by`) REFERENCES `employees`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_sale_lines` (`id`, `sale_no`, `line_no`, `product_version_id`, `quantity`, `gross_cents`, `group_discount_cents`, `line_discount_cents`,
    `rewards_discount_cents`, `discount_reason`, `discount_approved_by`, `net_cents`, `tax_cents`, `limit_override`, `limit_override_approved_by`, `allotment_counts`)
  SELECT m.`new_id`, m.`sale_no`, l.`line_no`, v.`id`, l.`quantity`, l.`gross_cents`, l.`group_discount_cents`, l.`line_discount_cents`, l.`rewards_discount_cents`,
         l.`discount_reason`, l.`discount_approved_by`, l.`net_cents`, l.`tax_cents`, l.`limit_override`, l.`limit_override_approved_by`,
         (SELECT json_group_object(u.`limit_id`, u.`total`) FROM (
            SELECT `limit_id`, SUM(`amount`) AS `total` FROM `allotment_uses` WHERE `sale_line_id` = l.`id` AND `return_id` IS NULL GROUP BY `limit_id`) u
          HAVING COUNT(*) > 0)
    FROM `sale_lines` l
    JOIN `__line_ids` m ON m.`old_id` = l.`id`
    JOIN `product_versions` v ON v.`product_id` = l.`product_id` AND v.`name` = l.`name` AND v.`trace_barcode` = l.`trace_barcode`
                              AND v.`category` = l.`category` AND v.`unit_price_cents` = l.`unit_price_cents`
   ORDER BY m.`new_id`;
--> statement-breakpoint
CREATE TABLE `__new_sale_taxes` (
	`sale_line_id` integer NOT NULL,
	`position` integer NOT NULL,
	`rate_id` integer NOT NULL,
	`base_cents` integer NOT NULL,
	`tax_cents` integer NOT NULL,
	PRIMARY KEY(`sale_line_id`, `position`),
	FOREIGN KEY (`sale_line_id`) REFERENCES `__new_sale_lines`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`rate_id`) REFERENCES `tax_rates`(`id`) ON UPDATE no action ON DELETE no action
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_sale_taxes` (`sale_line_id`, `position`, `rate_id`, `base_cents`, `tax_cents`)
  SELECT m.`new_id`, ROW_NUMBER() OVER (PARTITION BY t.`sale_line_id` ORDER BY t.`rowid`), r.`id`, t.`base_cents`, t.`tax_cents`
    FROM `sale_taxes` t
    JOIN `__line_ids` m ON m.`old_id` = t.`sale_line_id`
    JOIN `tax_rates` r ON r.`tax_id` = t.`tax_id` AND r.`label` = t.`label` AND r.`kind` = t.`kind` AND r.`basis_points` = t.`basis_points`;
--> statement-breakpoint
CREATE TABLE `__new_sale_tenders` (
	`sale_no` integer NOT NULL,
	`position` integer NOT NULL,
	`kind` text NOT NULL,
	`tendered_cents` integer NOT NULL,
	`applied_cents` integer NOT NULL,
	`change_cents` integer NOT NULL,
	`reference` text,
	PRIMARY KEY(`sale_no`, `position`),
	FOREIGN KEY (`sale_no`) REFERENCES `__new_sales`(`receipt_number`) ON UPDATE no action ON DELETE no action
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_sale_tenders` (`sale_no`, `position`, `kind`, `tendered_cents`, `applied_cents`, `change_cents`, `reference`)
  SELECT s.`receipt_number`, ROW_NUMBER() OVER (PARTITION BY t.`sale_id` ORDER BY t.`rowid`), t.`kind`, t.`tendered_cents`, t.`applied_cents`, t.`change_cents`, t.`reference`
    FROM `sale_tenders` t JOIN `sales` s ON s.`id` = t.`sale_id`;
--> statement-breakpoint
CREATE TABLE `__new_allotment_uses` (
	`id` integer PRIMARY KEY,
	`sale_no` integer NOT NULL,
	`return_id` text,
	`holder_kind` text NOT NULL,
	`holder_id` text NOT NULL,
	`card_id` text,
	`limit_id` text NOT NULL,
	`unit` text NOT NULL,
	`amount` integer NOT NULL,
	`at` integer NOT NULL,
	`business_date` text NOT NULL,
	FOREIGN KEY (`sale_no`) REFERENCES `__new_sales`(`receipt_number`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_allotment_uses` (`sale_no`, `return_id`, `holder_kind`, `holder_id`, `card_id`, `limit_id`, `unit`, `amount`, `at`, `business_date`)
  SELECT s.`receipt_number`, u.`return_id`, u.`holder_kind`, u.`holder_id`, u.`card_id`, u.`limit_id`, u.`unit`, SUM(u.`amount`), u.`at`, u.`business_date`
    FROM `allotment_uses` u JOIN `sales` s ON s.`id` = u.`sale_id`
   GROUP BY s.`receipt_number`, u.`return_id`, u.`holder_kind`, u.`holder_id`, u.`card_id`, u.`limit_id`, u.`unit`, u.`at`, u.`business_date`
   ORDER BY MIN(u.`rowid`);
--> statement-breakpoint
CREATE TABLE `__new_sale_returns` (
	`id` text PRIMARY KEY NOT NULL,
	`command_id` text NOT NULL,
	`sale_id` text NOT NULL,
	`kind` text NOT NULL,
	`reason` text NOT NULL,
	`employee_id` text NOT NULL,
	`approved_by` text,
	`net_cents` integer NOT NULL,
	`tax_cents` integer NOT NULL,
	`refund_cents` integer NOT NULL,
	`refund_tender` text NOT NULL,
	`at` integer NOT NULL,
	`trace_outbox_id` text,
	FOREIGN KEY (`sale_id`) REFERENCES `__new_sales`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`employee_id`) REFERENCES `employees`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`approved_by`) REFERENCES `employees`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sales_id` ON `__new_sales` (`id`);
--> statement-breakpoint
INSERT INTO `__new_sale_returns` SELECT `id`, `command_id`, `sale_id`, `kind`, `reason`, `employee_id`, `approved_by`, `net_cents`, `tax_cents`, `refund_cents`,
  `refund_tender`, `at`, `trace_outbox_id` FROM `sale_returns` ORDER BY `rowid`;
--> statement-breakpoint
CREATE TABLE `__new_sale_return_lines` (
	`id` integer PRIMARY KEY,
	`return_id` text NOT NULL,
	`sale_line_id` integer NOT NULL,
	`quantity` integer NOT NULL,
	`net_cents` integer NOT NULL,
	`tax_cents` integer NOT NULL,
	FOREIGN KEY (`return_id`) REFERENCES `__new_sale_returns`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`sale_line_id`) REFERENCES `__new_sale_lines`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_sale_return_lines` (`return_id`, `sale_line_id`, `quantity`, `net_cents`, `tax_cents`)
  SELECT r.`return_id`, m.`new_id`, r.`quantity`, r.`net_cents`, r.`tax_cents`
    FROM `sale_return_lines` r JOIN `__line_ids` m ON m.`old_id` = r.`sale_line_id` ORDER BY r.`rowid`;
--> statement-breakpoint
CREATE TABLE `__new_inventory_movements` (
	`id` integer PRIMARY KEY,
	`product_id` text NOT NULL,
	`quantity_delta` integer NOT NULL,
	`reason` text NOT NULL,
	`reference_id` text,
	`employee_id` text,
	`at` integer NOT NULL,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`employee_id`) REFERENCES `employees`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_inventory_movements` (`product_id`, `quantity_delta`, `reason`, `reference_id`, `employee_id`, `at`)
  SELECT `product_id`, `quantity_delta`, `reason`, `reference_id`, `employee_id`, `at` FROM `inventory_movements` m
   WHERE NOT (m.`reason` = 'sale' AND m.`reference_id` IN (SELECT `id` FROM `sales`))
     AND NOT (m.`reason` = 'void' AND m.`reference_id` IN (SELECT `id` FROM `sale_returns`))
   ORDER BY `rowid`;
--> statement-breakpoint
CREATE TABLE `__new_rewards_ledger` (
	`id` integer PRIMARY KEY,
	`customer_id` text NOT NULL,
	`kind` text NOT NULL,
	`points` integer NOT NULL,
	`sale_id` text,
	`cents` integer,
	`reason` text,
	`employee_id` text,
	`approved_by` text,
	`at` integer NOT NULL,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`employee_id`) REFERENCES `employees`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`approved_by`) REFERENCES `employees`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_rewards_ledger` (`customer_id`, `kind`, `points`, `sale_id`, `cents`, `reason`, `employee_id`, `approved_by`, `at`)
  SELECT `customer_id`, `kind`, `points`, `sale_id`, `cents`, `reason`, `employee_id`, `approved_by`, `at` FROM `rewards_ledger` ORDER BY `rowid`;
--> statement-breakpoint
DROP TABLE `sale_return_lines`;
--> statement-breakpoint
DROP TABLE `sale_returns`;
--> statement-breakpoint
DROP TABLE `sale_taxes`;
--> statement-breakpoint
DROP TABLE `allotment_uses`;
--> statement-breakpoint
DROP TABLE `sale_tenders`;
--> statement-breakpoint
DROP TABLE `sale_lines`;
--> statement-breakpoint
DROP TABLE `sales`;
--> statement-breakpoint
DROP TABLE `inventory_movements`;
--> statement-breakpoint
DROP TABLE `rewards_ledger`;
--> statement-breakpoint
DROP TABLE `__line_ids`;
--> statement-breakpoint
ALTER TABLE `__new_sales` RENAME TO `sales`;
--> statement-breakpoint
ALTER TABLE `__new_sale_lines` RENAME TO `sale_lines`;
--> statement-breakpoint
ALTER TABLE `__new_sale_taxes` RENAME TO `sale_taxes`;
--> statement-breakpoint
ALTER TABLE `__new_sale_tenders` RENAME TO `sale_tenders`;
--> statement-breakpoint
ALTER TABLE `__new_allotment_uses` RENAME TO `allotment_uses`;
--> statement-breakpoint
ALTER TABLE `__new_sale_returns` RENAME TO `sale_returns`;
--> statement-breakpoint
ALTER TABLE `__new_sale_return_lines` RENAME TO `sale_return_lines`;
--> statement-breakpoint
ALTER TABLE `__new_inventory_movements` RENAME TO `inventory_movements`;
--> statement-breakpoint
ALTER TABLE `__new_rewards_ledger` RENAME TO `rewards_ledger`;
--> statement-breakpoint
CREATE UNIQUE INDEX `sale_returns_command` ON `sale_returns` (`command_id`);
--> statement-breakpoint
CREATE INDEX `sale_returns_sale` ON `sale_returns` (`sale_id`);
--> statement-breakpoint
CREATE INDEX `sale_lines_sale` ON `sale_lines` (`sale_no`,`line_no`);
--> statement-breakpoint
CREATE INDEX `allotment_uses_holder` ON `allotment_uses` (`holder_kind`,`holder_id`,`limit_id`,`at`);
--> statement-breakpoint
CREATE INDEX `allotment_uses_sale` ON `allotment_uses` (`sale_no`);
--> statement-breakpoint
CREATE INDEX `sale_return_lines_line` ON `sale_return_lines` (`sale_line_id`);
--> statement-breakpoint
CREATE INDEX `rewards_ledger_customer` ON `rewards_ledger` (`customer_id`,`at`);
--> statement-breakpoint
CREATE UNIQUE INDEX `rewards_ledger_sale_kind` ON `rewards_ledger` (`sale_id`,`kind`) WHERE sale_id IS NOT NULL;
--> statement-breakpoint
CREATE TRIGGER `inventory_movements_stock_insert` AFTER INSERT ON `inventory_movements` BEGIN
  INSERT INTO `stock_on_hand` (`product_id`, `quantity`) VALUES (NEW.`product_id`, NEW.`quantity_delta`)
    ON CONFLICT (`product_id`) DO UPDATE SET `quantity` = `quantity` + excluded.`quantity`;
END;
--> statement-breakpoint
CREATE TRIGGER `inventory_movements_stock_delete` AFTER DELETE ON `inventory_movements` BEGIN
  UPDATE `stock_on_hand` SET `quantity` = `quantity` - OLD.`quantity_delta` WHERE `product_id` = OLD.`product_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `inventory_movements_stock_update` AFTER UPDATE OF `product_id`, `quantity_delta` ON `inventory_movements` BEGIN
  UPDATE `stock_on_hand` SET `quantity` = `quantity` - OLD.`quantity_delta` WHERE `product_id` = OLD.`product_id`;
  INSERT INTO `stock_on_hand` (`product_id`, `quantity`) VALUES (NEW.`product_id`, NEW.`quantity_delta`)
    ON CONFLICT (`product_id`) DO UPDATE SET `quantity` = `quantity` + excluded.`quantity`;
END;
--> statement-breakpoint
CREATE TRIGGER `rewards_ledger_balance_insert` AFTER INSERT ON `rewards_ledger` BEGIN
  INSERT INTO `rewards_balances` (`customer_id`, `points`) VALUES (NEW.`customer_id`, NEW.`points`)
    ON CONFLICT (`customer_id`) DO UPDATE SET `points` = `points` + excluded.`points`;
END;
--> statement-breakpoint
CREATE TRIGGER `rewards_ledger_balance_delete` AFTER DELETE ON `rewards_ledger` BEGIN
  UPDATE `rewards_balances` SET `points` = `points` - OLD.`points` WHERE `customer_id` = OLD.`customer_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `rewards_ledger_balance_update` AFTER UPDATE OF `customer_id`, `points` ON `rewards_ledger` BEGIN
  UPDATE `rewards_balances` SET `points` = `points` - OLD.`points` WHERE `customer_id` = OLD.`customer_id`;
  INSERT INTO `rewards_balances` (`customer_id`, `points`) VALUES (NEW.`customer_id`, NEW.`points`)
    ON CONFLICT (`customer_id`) DO UPDATE SET `points` = `points` + excluded.`points`;
END;
--> statement-breakpoint
CREATE TRIGGER `allotment_uses_daily_insert` AFTER INSERT ON `allotment_uses` BEGIN
  INSERT INTO `allotment_daily` (`holder_kind`, `holder_id`, `limit_id`, `business_date`, `amount`)
    VALUES (NEW.`holder_kind`, NEW.`holder_id`, NEW.`limit_id`, NEW.`business_date`, NEW.`amount`)
    ON CONFLICT (`holder_kind`, `holder_id`, `limit_id`, `business_date`) DO UPDATE SET `amount` = `amount` + excluded.`amount`;
END;
--> statement-breakpoint
CREATE TRIGGER `allotment_uses_daily_delete` AFTER DELETE ON `allotment_uses` BEGIN
  UPDATE `allotment_daily` SET `amount` = `amount` - OLD.`amount`
    WHERE `holder_kind` = OLD.`holder_kind` AND `holder_id` = OLD.`holder_id` AND `limit_id` = OLD.`limit_id` AND `business_date` = OLD.`business_date`;
END;
--> statement-breakpoint
CREATE TRIGGER `allotment_uses_daily_update` AFTER UPDATE OF `holder_kind`, `holder_id`, `limit_id`, `business_date`, `amount` ON `allotment_uses` BEGIN
  UPDATE `allotment_daily` SET `amount` = `amount` - OLD.`amount`
    WHERE `holder_kind` = OLD.`holder_kind` AND `holder_id` = OLD.`holder_id` AND `limit_id` = OLD.`limit_id` AND `business_date` = OLD.`business_date`;
  INSERT INTO `allotment_daily` (`holder_kind`, `holder_id`, `limit_id`, `business_date`, `amount`)
    VALUES (NEW.`holder_kind`, NEW.`holder_id`, NEW.`limit_id`, NEW.`business_date`, NEW.`amount`)
    ON CONFLICT (`holder_kind`, `holder_id`, `limit_id`, `business_date`) DO UPDATE SET `amount` = `amount` + excluded.`amount`;
END;
--> statement-breakpoint
CREATE TRIGGER `sale_lines_stock_insert` AFTER INSERT ON `sale_lines` BEGIN
  INSERT INTO `stock_on_hand` (`product_id`, `quantity`) SELECT `product_id`, -NEW.`quantity` FROM `product_versions` WHERE `id` = NEW.`product_version_id`
    ON CONFLICT (`product_id`) DO UPDATE SET `quantity` = `quantity` + excluded.`quantity`;
END;
--> statement-breakpoint
CREATE TRIGGER `sale_lines_stock_delete` AFTER DELETE ON `sale_lines` BEGIN
  UPDATE `stock_on_hand` SET `quantity` = `quantity` + OLD.`quantity`
   WHERE `product_id` = (SELECT `product_id` FROM `product_versions` WHERE `id` = OLD.`product_version_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `sale_return_lines_stock_insert` AFTER INSERT ON `sale_return_lines` BEGIN
  INSERT INTO `stock_on_hand` (`product_id`, `quantity`)
    SELECT v.`product_id`, NEW.`quantity` FROM `sale_lines` l JOIN `product_versions` v ON v.`id` = l.`product_version_id` WHERE l.`id` = NEW.`sale_line_id`
    ON CONFLICT (`product_id`) DO UPDATE SET `quantity` = `quantity` + excluded.`quantity`;
END;
--> statement-breakpoint
CREATE TRIGGER `sale_return_lines_stock_delete` AFTER DELETE ON `sale_return_lines` BEGIN
  UPDATE `stock_on_hand` SET `quantity` = `quantity` - OLD.`quantity`
   WHERE `product_id` = (SELECT v.`product_id` FROM `sale_lines` l JOIN `product_versions` v ON v.`id` = l.`product_version_id` WHERE l.`id` = OLD.`sale_line_id`);
END;
