DROP INDEX `audit_events_id`;--> statement-breakpoint
DROP INDEX `audit_events_sale`;