CREATE TABLE `trace_attempts` (
	`id` text PRIMARY KEY NOT NULL,
	`outbox_id` text NOT NULL,
	`at` integer NOT NULL,
	`step` text NOT NULL,
	`outcome` text NOT NULL,
	`detail` text,
	`duration_ms` integer,
	FOREIGN KEY (`outbox_id`) REFERENCES `trace_outbox`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `trace_attempts_outbox` ON `trace_attempts` (`outbox_id`,`at`);--> statement-breakpoint
CREATE TABLE `trace_outbox` (
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
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `trace_outbox_nonce` ON `trace_outbox` (`nonce`);--> statement-breakpoint
CREATE INDEX `trace_outbox_state` ON `trace_outbox` (`location`,`state`,`id`);--> statement-breakpoint
CREATE INDEX `trace_outbox_sale` ON `trace_outbox` (`sale_id`);--> statement-breakpoint
CREATE INDEX `trace_outbox_remote` ON `trace_outbox` (`remote_txn_id`);--> statement-breakpoint
CREATE TABLE `trace_patient_lookups` (
	`card_id` text PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`expires_on` text,
	`allotment_amount` text,
	`allotment_unit` text,
	`fetched_at` integer NOT NULL
);
