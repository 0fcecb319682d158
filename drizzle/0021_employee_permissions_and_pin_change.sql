ALTER TABLE `employees` ADD `permissions` text;--> statement-breakpoint
ALTER TABLE `employees` ADD `pin_must_change` integer DEFAULT false NOT NULL;