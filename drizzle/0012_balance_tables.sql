CREATE TABLE `allotment_daily` (
	`holder_kind` text NOT NULL,
	`holder_id` text NOT NULL,
	`limit_id` text NOT NULL,
	`business_date` text NOT NULL,
	`amount` integer NOT NULL,
	PRIMARY KEY(`holder_kind`, `holder_id`, `limit_id`, `business_date`)
);
--> statement-breakpoint
CREATE TABLE `rewards_balances` (
	`customer_id` text PRIMARY KEY NOT NULL,
	`points` integer NOT NULL,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `stock_on_hand` (
	`product_id` text PRIMARY KEY NOT NULL,
	`quantity` integer NOT NULL,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action
);
