CREATE TABLE `audit_events` (
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
CREATE UNIQUE INDEX `audit_events_id` ON `audit_events` (`id`);--> statement-breakpoint
CREATE INDEX `audit_events_customer` ON `audit_events` (`customer_id`);--> statement-breakpoint
CREATE INDEX `audit_events_sale` ON `audit_events` (`sale_id`);--> statement-breakpoint
CREATE TABLE `customers` (
	`id` text PRIMARY KEY NOT NULL,
	`customer_type` text NOT NULL,
	`first_name` text NOT NULL,
	`middle_name` text,
	`last_name` text NOT NULL,
	`date_of_birth` text NOT NULL,
	`identification_expires` text,
	`medical_id` text,
	`medical_id_expires` text,
	`caregiver_id` text,
	`caregiver_id_expires` text,
	`phone` text,
	`email` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `customers_last_first` ON `customers` (`last_name`,`first_name`);--> statement-breakpoint
CREATE INDEX `customers_medical_id` ON `customers` (`medical_id`);--> statement-breakpoint
CREATE TABLE `employees` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`pin_hash` text NOT NULL,
	`failed_pin_attempts` integer DEFAULT 0 NOT NULL,
	`locked_until` integer,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `employees_active` ON `employees` (`active`);--> statement-breakpoint
CREATE TABLE `inventory_movements` (
	`id` text PRIMARY KEY NOT NULL,
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
CREATE INDEX `inventory_movements_product` ON `inventory_movements` (`product_id`);--> statement-breakpoint
CREATE TABLE `products` (
	`id` text PRIMARY KEY NOT NULL,
	`trace_barcode` text NOT NULL,
	`upc` text,
	`name` text NOT NULL,
	`category` text NOT NULL,
	`unit_weight_mg` integer NOT NULL,
	`usable_weight_mg` integer NOT NULL,
	`thc_value` integer NOT NULL,
	`thc_unit` text NOT NULL,
	`price_cents` integer NOT NULL,
	`sold_medical` integer NOT NULL,
	`sold_adult_use` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `products_trace_barcode` ON `products` (`trace_barcode`);--> statement-breakpoint
CREATE INDEX `products_upc` ON `products` (`upc`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer NOT NULL
);
