-- A command record is looked up only by its id: keep it in one b-tree keyed by that id
-- (WITHOUT ROWID) instead of a rowid table plus a separate index, one page less per write.
CREATE TABLE `applied_commands_by_id` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`result` text NOT NULL,
	`applied_at` integer NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `applied_commands_by_id` (`id`, `name`, `result`, `applied_at`) SELECT `id`, `name`, `result`, `applied_at` FROM `applied_commands`;
--> statement-breakpoint
DROP TABLE `applied_commands`;
--> statement-breakpoint
ALTER TABLE `applied_commands_by_id` RENAME TO `applied_commands`;
