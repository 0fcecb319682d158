CREATE TABLE `customer_caregivers` (
	`patient_id` text NOT NULL,
	`caregiver_id` text NOT NULL,
	`added_at` integer NOT NULL,
	PRIMARY KEY(`patient_id`, `caregiver_id`),
	FOREIGN KEY (`patient_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`caregiver_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `customer_caregivers_caregiver` ON `customer_caregivers` (`caregiver_id`);--> statement-breakpoint
ALTER TABLE `queue_entries` ADD `caregiver_patient_id` text;--> statement-breakpoint
INSERT INTO `customer_caregivers` (`patient_id`, `caregiver_id`, `added_at`)
SELECT `customer_id`, `caregiver_customer_id`, `updated_at` FROM `customer_profiles` WHERE `caregiver_customer_id` IS NOT NULL;
