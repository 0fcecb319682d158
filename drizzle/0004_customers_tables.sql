CREATE TABLE `caregiver_patients` (
	`id` text PRIMARY KEY NOT NULL,
	`caregiver_id` text NOT NULL,
	`first_name` text NOT NULL,
	`last_name` text NOT NULL,
	`medical_licence` text NOT NULL,
	`licence_expires` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`caregiver_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `caregiver_patients_caregiver` ON `caregiver_patients` (`caregiver_id`);--> statement-breakpoint
CREATE TABLE `customer_documents` (
	`id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`sha256` text NOT NULL,
	`mime` text NOT NULL,
	`size_bytes` integer NOT NULL,
	`added_at` integer NOT NULL,
	`added_by` text,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`added_by`) REFERENCES `employees`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `customer_documents_customer` ON `customer_documents` (`customer_id`);--> statement-breakpoint
CREATE TABLE `customer_drafts` (
	`id` text PRIMARY KEY NOT NULL,
	`customer_id` text,
	`title` text NOT NULL,
	`form` text NOT NULL,
	`employee_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`employee_id`) REFERENCES `employees`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `customer_drafts_updated` ON `customer_drafts` (`updated_at`);--> statement-breakpoint
CREATE TABLE `customer_group_members` (
	`customer_id` text NOT NULL,
	`group_id` text NOT NULL,
	PRIMARY KEY(`customer_id`, `group_id`),
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`group_id`) REFERENCES `customer_groups`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `customer_group_members_group` ON `customer_group_members` (`group_id`);--> statement-breakpoint
CREATE TABLE `customer_groups` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `customer_groups_name` ON `customer_groups` (`name`);--> statement-breakpoint
CREATE TABLE `customer_profiles` (
	`customer_id` text PRIMARY KEY NOT NULL,
	`address_street` text,
	`address_street2` text,
	`address_city` text,
	`address_state` text,
	`address_postal_code` text,
	`delivery_street` text,
	`delivery_street2` text,
	`delivery_city` text,
	`delivery_state` text,
	`delivery_postal_code` text,
	`other_phone` text,
	`recommendation_expires` text,
	`physician_name` text,
	`physician_licence` text,
	`physician_phone` text,
	`caregiver_customer_id` text,
	`photo_document_id` text,
	`scanned_at` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`caregiver_customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `customer_profiles_caregiver` ON `customer_profiles` (`caregiver_customer_id`);