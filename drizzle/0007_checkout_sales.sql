CREATE TABLE `allotment_uses` (
	`id` text PRIMARY KEY NOT NULL,
	`sale_id` text NOT NULL,
	`sale_line_id` text NOT NULL,
	`return_id` text,
	`holder_kind` text NOT NULL,
	`holder_id` text NOT NULL,
	`card_id` text,
	`limit_id` text NOT NULL,
	`unit` text NOT NULL,
	`amount` integer NOT NULL,
	`at` integer NOT NULL,
	`business_date` text NOT NULL,
	FOREIGN KEY (`sale_id`) REFERENCES `sales`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`sale_line_id`) REFERENCES `sale_lines`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `allotment_uses_holder` ON `allotment_uses` (`holder_kind`,`holder_id`,`limit_id`,`at`);--> statement-breakpoint
CREATE INDEX `allotment_uses_sale` ON `allotment_uses` (`sale_id`);--> statement-breakpoint
CREATE TABLE `sale_lines` (
	`id` text PRIMARY KEY NOT NULL,
	`sale_id` text NOT NULL,
	`line_no` integer NOT NULL,
	`product_id` text NOT NULL,
	`name` text NOT NULL,
	`trace_barcode` text NOT NULL,
	`category` text NOT NULL,
	`quantity` integer NOT NULL,
	`unit_price_cents` integer NOT NULL,
	`gross_cents` integer NOT NULL,
	`group_discount_cents` integer NOT NULL,
	`line_discount_cents` integer NOT NULL,
	`discount_reason` text,
	`discount_approved_by` text,
	`net_cents` integer NOT NULL,
	`tax_cents` integer NOT NULL,
	`limit_override` text,
	`limit_override_approved_by` text,
	FOREIGN KEY (`sale_id`) REFERENCES `sales`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`discount_approved_by`) REFERENCES `employees`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`limit_override_approved_by`) REFERENCES `employees`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `sale_lines_sale` ON `sale_lines` (`sale_id`,`line_no`);--> statement-breakpoint
CREATE TABLE `sale_return_lines` (
	`id` text PRIMARY KEY NOT NULL,
	`return_id` text NOT NULL,
	`sale_line_id` text NOT NULL,
	`quantity` integer NOT NULL,
	`net_cents` integer NOT NULL,
	`tax_cents` integer NOT NULL,
	FOREIGN KEY (`return_id`) REFERENCES `sale_returns`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`sale_line_id`) REFERENCES `sale_lines`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `sale_return_lines_return` ON `sale_return_lines` (`return_id`);--> statement-breakpoint
CREATE INDEX `sale_return_lines_line` ON `sale_return_lines` (`sale_line_id`);--> statement-breakpoint
CREATE TABLE `sale_returns` (
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
	FOREIGN KEY (`sale_id`) REFERENCES `sales`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`employee_id`) REFERENCES `employees`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`approved_by`) REFERENCES `employees`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sale_returns_command` ON `sale_returns` (`command_id`);--> statement-breakpoint
CREATE INDEX `sale_returns_sale` ON `sale_returns` (`sale_id`);--> statement-breakpoint
CREATE TABLE `sale_taxes` (
	`id` text PRIMARY KEY NOT NULL,
	`sale_id` text NOT NULL,
	`sale_line_id` text NOT NULL,
	`tax_id` text NOT NULL,
	`label` text NOT NULL,
	`kind` text NOT NULL,
	`basis_points` integer NOT NULL,
	`base_cents` integer NOT NULL,
	`tax_cents` integer NOT NULL,
	FOREIGN KEY (`sale_id`) REFERENCES `sales`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`sale_line_id`) REFERENCES `sale_lines`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `sale_taxes_sale` ON `sale_taxes` (`sale_id`);--> statement-breakpoint
CREATE INDEX `sale_taxes_line` ON `sale_taxes` (`sale_line_id`);--> statement-breakpoint
CREATE TABLE `sale_tenders` (
	`id` text PRIMARY KEY NOT NULL,
	`sale_id` text NOT NULL,
	`kind` text NOT NULL,
	`tendered_cents` integer NOT NULL,
	`applied_cents` integer NOT NULL,
	`change_cents` integer NOT NULL,
	`reference` text,
	FOREIGN KEY (`sale_id`) REFERENCES `sales`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `sale_tenders_sale` ON `sale_tenders` (`sale_id`);--> statement-breakpoint
CREATE TABLE `sales` (
	`id` text PRIMARY KEY NOT NULL,
	`command_id` text NOT NULL,
	`receipt_number` integer NOT NULL,
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
CREATE UNIQUE INDEX `sales_command` ON `sales` (`command_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `sales_receipt_number` ON `sales` (`receipt_number`);--> statement-breakpoint
CREATE INDEX `sales_customer` ON `sales` (`customer_id`,`completed_at`);--> statement-breakpoint
CREATE INDEX `sales_business_date` ON `sales` (`business_date`);