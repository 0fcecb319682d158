CREATE TABLE `hub_grants` (
	`grant_id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`entry_id` text,
	`status` text NOT NULL,
	`granted` text NOT NULL,
	`used` text NOT NULL,
	`lease_epoch` integer,
	`granted_at` integer NOT NULL,
	`closed_at` integer
);
--> statement-breakpoint
CREATE INDEX `hub_grants_customer` ON `hub_grants` (`customer_id`,`status`);--> statement-breakpoint
CREATE TABLE `hub_outbox` (
	`command_id` text PRIMARY KEY NOT NULL,
	`device_seq` integer NOT NULL,
	`kind` text NOT NULL,
	`payload` text NOT NULL,
	`state` text NOT NULL,
	`result` text,
	`acked_epoch` text,
	`acked_at` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `hub_outbox_seq` ON `hub_outbox` (`device_seq`);--> statement-breakpoint
CREATE INDEX `hub_outbox_state` ON `hub_outbox` (`state`,`device_seq`);--> statement-breakpoint
CREATE TABLE `hub_queue_claims` (
	`entry_id` text PRIMARY KEY NOT NULL,
	`device_id` text NOT NULL,
	`device_name` text NOT NULL,
	`lease_until` integer NOT NULL,
	`lease_epoch` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `hub_records` (
	`entity` text NOT NULL,
	`id` text NOT NULL,
	`data` text NOT NULL,
	`version` integer NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `hub_records_entity_id` ON `hub_records` (`entity`,`id`);--> statement-breakpoint
CREATE TABLE `hub_sync` (
	`id` integer PRIMARY KEY NOT NULL,
	`address` text NOT NULL,
	`hub_id` text NOT NULL,
	`fingerprint` text NOT NULL,
	`device_id` text NOT NULL,
	`device_name` text NOT NULL,
	`role` text NOT NULL,
	`token_sealed` text NOT NULL,
	`hub_epoch` text NOT NULL,
	`last_version` integer DEFAULT 0 NOT NULL,
	`last_seq` integer DEFAULT 0 NOT NULL,
	`clock_offset_ms` integer DEFAULT 0 NOT NULL,
	`paired_at` integer NOT NULL,
	`last_contact_at` integer,
	`offline_since` integer
);
