-- Customers (issue 5): columns that belong on the customers row itself, and normalised search
-- columns (VIRTUAL generated, so every writer, the demo seed included, gets them for free) with
-- their indexes: search is a prefix range on an index, never LIKE '%x%'.
-- Licence number: kept only where the jurisdiction allows keeping scanned licence data;
-- licence_key (an HMAC of the number with a store secret) is what matching uses everywhere.
ALTER TABLE `customers` ADD `licence_number` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `licence_key` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `licence_state` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `nickname` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `gender` text DEFAULT 'unspecified' NOT NULL;--> statement-breakpoint
ALTER TABLE `customers` ADD `banned` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `customers` ADD `warning_1` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `customers` ADD `warning_2` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `customers` ADD `notes` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `adult_use` integer;--> statement-breakpoint
ALTER TABLE `customers` ADD `state_medical_id` integer;--> statement-breakpoint
ALTER TABLE `customers` ADD `caregiver_licence` integer;--> statement-breakpoint
ALTER TABLE `customers` ADD `search_first` text GENERATED ALWAYS AS (lower(replace(`first_name`, ' ', ''))) VIRTUAL;--> statement-breakpoint
ALTER TABLE `customers` ADD `search_last` text GENERATED ALWAYS AS (lower(replace(`last_name`, ' ', ''))) VIRTUAL;--> statement-breakpoint
ALTER TABLE `customers` ADD `search_nickname` text GENERATED ALWAYS AS (lower(replace(`nickname`, ' ', ''))) VIRTUAL;--> statement-breakpoint
ALTER TABLE `customers` ADD `search_email` text GENERATED ALWAYS AS (lower(trim(`email`))) VIRTUAL;--> statement-breakpoint
ALTER TABLE `customers` ADD `search_phone` text GENERATED ALWAYS AS (CASE WHEN length(replace(replace(replace(replace(replace(replace(`phone`, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', '')) = 11 AND substr(replace(replace(replace(replace(replace(replace(`phone`, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', ''), 1, 1) = '1' THEN substr(replace(replace(replace(replace(replace(replace(`phone`, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', ''), 2) ELSE replace(replace(replace(replace(replace(replace(`phone`, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', '') END) VIRTUAL;--> statement-breakpoint
ALTER TABLE `customers` ADD `search_medical_id` text GENERATED ALWAYS AS (upper(replace(replace(`medical_id`, ' ', ''), '-', ''))) VIRTUAL;--> statement-breakpoint
ALTER TABLE `customers` ADD `search_caregiver_id` text GENERATED ALWAYS AS (upper(replace(replace(`caregiver_id`, ' ', ''), '-', ''))) VIRTUAL;--> statement-breakpoint
ALTER TABLE `customers` ADD `search_licence` text GENERATED ALWAYS AS (upper(replace(replace(`licence_number`, ' ', ''), '-', ''))) VIRTUAL;--> statement-breakpoint
CREATE INDEX `customers_search_name` ON `customers` (`search_last`, `search_first`);--> statement-breakpoint
CREATE INDEX `customers_search_first` ON `customers` (`search_first`, `search_last`);--> statement-breakpoint
CREATE INDEX `customers_search_nickname` ON `customers` (`search_nickname`);--> statement-breakpoint
CREATE INDEX `customers_search_email` ON `customers` (`search_email`);--> statement-breakpoint
CREATE INDEX `customers_search_phone` ON `customers` (`search_phone`);--> statement-breakpoint
CREATE INDEX `customers_search_medical_id` ON `customers` (`search_medical_id`);--> statement-breakpoint
CREATE INDEX `customers_search_caregiver_id` ON `customers` (`search_caregiver_id`);--> statement-breakpoint
CREATE INDEX `customers_search_licence` ON `customers` (`search_licence`);--> statement-breakpoint
CREATE INDEX `customers_licence_key` ON `customers` (`licence_key`);--> statement-breakpoint
CREATE INDEX `customers_date_of_birth` ON `customers` (`date_of_birth`, `search_last`);--> statement-breakpoint
CREATE INDEX `customers_updated_at` ON `customers` (`updated_at`);--> statement-breakpoint
CREATE INDEX `customers_type_name` ON `customers` (`customer_type`, `search_last`, `search_first`);
