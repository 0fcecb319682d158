CREATE TABLE `applied_commands` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`result` text NOT NULL,
	`applied_at` integer NOT NULL
);
