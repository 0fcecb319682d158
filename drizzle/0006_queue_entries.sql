CREATE TABLE `checkin_lookups` (
	`id` text PRIMARY KEY NOT NULL,
	`card_id` text NOT NULL,
	`caregiver_card_id` text,
	`outcome` text NOT NULL,
	`amount_mg` integer,
	`stated_amount` text,
	`stated_unit` text,
	`message` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `checkin_lookups_card` ON `checkin_lookups` (`card_id`,`at`);--> statement-breakpoint
CREATE TABLE `queue_allotments` (
	`entry_id` text NOT NULL,
	`limit_id` text NOT NULL,
	`label` text NOT NULL,
	`amount` integer NOT NULL,
	`unit` text NOT NULL,
	`ceiling` integer NOT NULL,
	PRIMARY KEY(`entry_id`, `limit_id`),
	FOREIGN KEY (`entry_id`) REFERENCES `queue_entries`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `queue_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`checked_in_as` text NOT NULL,
	`parent_entry_id` text,
	`position` integer NOT NULL,
	`checked_in_at` integer NOT NULL,
	`checked_in_by` text,
	`allotment_source` text NOT NULL,
	`card_id` text,
	`caregiver_card_id` text,
	`removed_at` integer,
	`removed_by` text,
	`removed_reason` text,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`checked_in_by`) REFERENCES `employees`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`removed_by`) REFERENCES `employees`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `queue_entries_open` ON `queue_entries` (`removed_at`,`position`);--> statement-breakpoint
CREATE INDEX `queue_entries_customer` ON `queue_entries` (`customer_id`,`removed_at`);