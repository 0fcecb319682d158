-- Issue 12 (years of sales). Quick on a store of any size: one new empty table, three dropped
-- indexes no query needs, one index built on inventory_movements (receipts and adjustments only,
-- not one row per sale); no table is rewritten.
CREATE TABLE `audit_events_archive` (
	`seq` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`at` integer NOT NULL,
	`employee_id` text,
	`action` text NOT NULL,
	`customer_id` text,
	`sale_id` text,
	`details` text NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_events_archive_customer` ON `audit_events_archive` (`customer_id`);--> statement-breakpoint
DROP INDEX `trace_packages_product`;--> statement-breakpoint
DROP INDEX `customer_group_members_group`;--> statement-breakpoint
DROP INDEX `customers_medical_id`;--> statement-breakpoint
CREATE INDEX `inventory_movements_product_at` ON `inventory_movements` (`product_id`,`at`);--> statement-breakpoint
-- The audit archive is append-only too.
CREATE TRIGGER `audit_events_archive_no_update` BEFORE UPDATE ON `audit_events_archive`
BEGIN
  SELECT RAISE(ABORT, 'audit_events_archive is append-only');
END;--> statement-breakpoint
CREATE TRIGGER `audit_events_archive_no_delete` BEFORE DELETE ON `audit_events_archive`
BEGIN
  SELECT RAISE(ABORT, 'audit_events_archive is append-only');
END;--> statement-breakpoint
-- An event leaves audit_events only once its identical copy is in the archive (main/audit/archive.ts
-- moves them in one transaction); any other DELETE is still refused.
DROP TRIGGER `audit_events_no_delete`;--> statement-breakpoint
CREATE TRIGGER `audit_events_no_delete` BEFORE DELETE ON `audit_events`
WHEN NOT EXISTS (
  SELECT 1 FROM `audit_events_archive` a
   WHERE a.seq = OLD.seq AND a.id = OLD.id AND a.at = OLD.at AND a.employee_id IS OLD.employee_id
     AND a.action = OLD.action AND a.customer_id IS OLD.customer_id AND a.sale_id IS OLD.sale_id
     AND a.details = OLD.details AND a.prev_hash = OLD.prev_hash AND a.hash = OLD.hash
)
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only');
END;
