CREATE TABLE `trace_attempts_archive` (
	`id` text PRIMARY KEY NOT NULL,
	`outbox_id` text NOT NULL,
	`at` integer NOT NULL,
	`step` text NOT NULL,
	`outcome` text NOT NULL,
	`detail` text,
	`duration_ms` integer,
	`nonce` text
);
--> statement-breakpoint
CREATE INDEX `trace_attempts_archive_outbox` ON `trace_attempts_archive` (`outbox_id`,`at`);--> statement-breakpoint
CREATE TABLE `trace_outbox_archive` (
	`id` text PRIMARY KEY NOT NULL,
	`location` text NOT NULL,
	`kind` text NOT NULL,
	`sale_id` text NOT NULL,
	`customer_id` text,
	`depends_on` text,
	`request` text NOT NULL,
	`nonce` text NOT NULL,
	`state` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text,
	`last_error_code` text,
	`remote_txn_id` text,
	`sent_at` integer,
	`acknowledged_at` integer,
	`dismissed_reason` text,
	`dismissed_by` text,
	`total_cents` integer NOT NULL,
	`item_count` integer NOT NULL,
	`sale_time` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`watermark` text,
	`candidates` text
);
--> statement-breakpoint
CREATE INDEX `trace_outbox_archive_sale` ON `trace_outbox_archive` (`sale_id`);--> statement-breakpoint
CREATE INDEX `trace_outbox_archive_remote` ON `trace_outbox_archive` (`remote_txn_id`);--> statement-breakpoint
CREATE TABLE `trace_outbox_counts` (
	`location` text NOT NULL,
	`state` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`location`, `state`)
);
--> statement-breakpoint
CREATE TABLE `trace_sync_marks` (
	`location` text PRIMARY KEY NOT NULL,
	`remote_high` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `trace_attempts` ADD `nonce` text;--> statement-breakpoint
ALTER TABLE `trace_outbox` ADD `watermark` text;--> statement-breakpoint
ALTER TABLE `trace_outbox` ADD `candidates` text;