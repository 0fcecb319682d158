CREATE TABLE `mail_outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`customer_id` text,
	`to_address` text NOT NULL,
	`subject` text NOT NULL,
	`body` text NOT NULL,
	`document_id` text,
	`attachment_name` text,
	`message_id` text NOT NULL,
	`state` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text,
	`created_at` integer NOT NULL,
	`sent_at` integer,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`document_id`) REFERENCES `customer_documents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `mail_outbox_state` ON `mail_outbox` (`state`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `signature_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`device_id` text NOT NULL,
	`state` text NOT NULL,
	`customer_name` text NOT NULL,
	`agreement_text` text NOT NULL,
	`agreement_date` text NOT NULL,
	`sent_at` integer NOT NULL,
	`sent_by` text,
	`signed_at` integer,
	`document_id` text,
	`content_sha256` text,
	`pdf_sha256` text,
	`contact_changes` text,
	`closed_at` integer,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`device_id`) REFERENCES `tablet_devices`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`sent_by`) REFERENCES `employees`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`document_id`) REFERENCES `customer_documents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `signature_requests_customer` ON `signature_requests` (`customer_id`,`sent_at`);--> statement-breakpoint
CREATE INDEX `signature_requests_device_state` ON `signature_requests` (`device_id`,`state`);--> statement-breakpoint
CREATE TABLE `tablet_devices` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`paired_at` integer NOT NULL,
	`paired_by` text,
	`last_seen_at` integer,
	`revoked_at` integer,
	`revoked_by` text,
	FOREIGN KEY (`paired_by`) REFERENCES `employees`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`revoked_by`) REFERENCES `employees`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tablet_devices_token_hash_unique` ON `tablet_devices` (`token_hash`);--> statement-breakpoint
CREATE INDEX `tablet_devices_revoked` ON `tablet_devices` (`revoked_at`);