CREATE TABLE `customer_tag_links` (
	`customer_id` text NOT NULL,
	`tag_id` text NOT NULL,
	`added_at` integer NOT NULL,
	`added_by` text,
	PRIMARY KEY(`customer_id`, `tag_id`),
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`tag_id`) REFERENCES `customer_tags`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`added_by`) REFERENCES `employees`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `customer_tag_links_tag` ON `customer_tag_links` (`tag_id`);--> statement-breakpoint
CREATE TABLE `customer_tags` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL,
	`archived_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `customer_tags_kind_name` ON `customer_tags` (`kind`,`name`);--> statement-breakpoint
CREATE TABLE `rewards_cards` (
	`id` text PRIMARY KEY NOT NULL,
	`card_number` text NOT NULL,
	`customer_id` text NOT NULL,
	`connected_at` integer NOT NULL,
	`connected_by` text,
	`replaced_at` integer,
	`replaced_by_card_id` text,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`connected_by`) REFERENCES `employees`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rewards_cards_number` ON `rewards_cards` (`card_number`);--> statement-breakpoint
CREATE UNIQUE INDEX `rewards_cards_one_working_per_customer` ON `rewards_cards` (`customer_id`) WHERE replaced_at IS NULL;--> statement-breakpoint
CREATE INDEX `rewards_cards_customer` ON `rewards_cards` (`customer_id`);--> statement-breakpoint
CREATE TABLE `rewards_ledger` (
	`id` text PRIMARY KEY NOT NULL,
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
CREATE INDEX `rewards_ledger_customer` ON `rewards_ledger` (`customer_id`,`at`);--> statement-breakpoint
CREATE UNIQUE INDEX `rewards_ledger_sale_kind` ON `rewards_ledger` (`sale_id`,`kind`) WHERE sale_id IS NOT NULL;