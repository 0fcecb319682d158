CREATE TABLE `open_tickets` (
	`id` text PRIMARY KEY NOT NULL,
	`sale_command_id` text NOT NULL,
	`customer_id` text NOT NULL,
	`opened_at` integer NOT NULL,
	`saved_at` integer NOT NULL,
	`state` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `open_tickets_opened` ON `open_tickets` (`opened_at`);