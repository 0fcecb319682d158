CREATE TABLE `cash_movements` (
	`id` integer PRIMARY KEY NOT NULL,
	`session_id` text,
	`kind` text NOT NULL,
	`amount_cents` integer NOT NULL,
	`ref_id` text,
	`reason` text,
	`employee_id` text,
	`approved_by` text,
	`at` integer NOT NULL,
	FOREIGN KEY (`session_id`) REFERENCES `drawer_sessions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`employee_id`) REFERENCES `employees`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`approved_by`) REFERENCES `employees`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `cash_movements_session` ON `cash_movements` (`session_id`);--> statement-breakpoint
CREATE TABLE `drawer_counts` (
	`id` integer PRIMARY KEY NOT NULL,
	`session_id` text NOT NULL,
	`kind` text NOT NULL,
	`denominations` text NOT NULL,
	`total_cents` integer NOT NULL,
	`counted_by` text NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`session_id`) REFERENCES `drawer_sessions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`counted_by`) REFERENCES `employees`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `drawer_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`drawer_id` text NOT NULL,
	`status` text NOT NULL,
	`opened_by` text NOT NULL,
	`opened_at` integer NOT NULL,
	`float_cents` integer NOT NULL,
	`closed_by` text,
	`closed_at` integer,
	`expected_cents` integer,
	`counted_cents` integer,
	`over_short_cents` integer,
	`approved_by` text,
	`note` text,
	FOREIGN KEY (`opened_by`) REFERENCES `employees`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`closed_by`) REFERENCES `employees`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`approved_by`) REFERENCES `employees`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `drawer_sessions_one_open` ON `drawer_sessions` (`drawer_id`) WHERE status = 'open';--> statement-breakpoint
CREATE INDEX `drawer_sessions_opened` ON `drawer_sessions` (`opened_at`);--> statement-breakpoint
CREATE TABLE `print_jobs` (
	`id` integer PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`sale_id` text,
	`printer_id` text,
	`doc` text,
	`state` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`created_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `print_jobs_sale_once` ON `print_jobs` (`sale_id`,`kind`) WHERE kind IN ('receipt', 'kick');--> statement-breakpoint
CREATE INDEX `print_jobs_waiting` ON `print_jobs` (`state`) WHERE state IN ('pending', 'sending', 'uncertain');--> statement-breakpoint
CREATE TABLE `z_reports` (
	`business_date` text PRIMARY KEY NOT NULL,
	`z_no` integer NOT NULL,
	`made_by` text NOT NULL,
	`made_at` integer NOT NULL,
	`body` text NOT NULL,
	FOREIGN KEY (`made_by`) REFERENCES `employees`(`id`) ON UPDATE no action ON DELETE no action
);
