CREATE TABLE "allotment_balances" (
	"customer_id" text NOT NULL,
	"limit_id" text NOT NULL,
	"unit" text NOT NULL,
	"remaining" integer NOT NULL,
	"source" text NOT NULL,
	"snapshot_at" bigint NOT NULL,
	CONSTRAINT "allotment_balances_customer_id_limit_id_pk" PRIMARY KEY("customer_id","limit_id")
);
--> statement-breakpoint
CREATE TABLE "allotment_grants" (
	"grant_id" text PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"entry_id" text,
	"device_id" text NOT NULL,
	"status" text NOT NULL,
	"granted" jsonb NOT NULL,
	"used" jsonb NOT NULL,
	"sold" jsonb NOT NULL,
	"granted_at" bigint NOT NULL,
	"closed_at" bigint,
	"closed_by" text,
	"reason" text,
	"flagged" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "caregiver_patients" (
	"id" text PRIMARY KEY NOT NULL,
	"caregiver_id" text NOT NULL,
	"data" jsonb NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "change_log" (
	"version" bigint PRIMARY KEY NOT NULL,
	"entity" text NOT NULL,
	"entity_id" text NOT NULL,
	"op" text NOT NULL,
	"data" jsonb,
	"command_id" text,
	"device_id" text,
	"at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "commands" (
	"device_id" text NOT NULL,
	"command_id" text NOT NULL,
	"device_seq" integer NOT NULL,
	"kind" text NOT NULL,
	"payload" jsonb NOT NULL,
	"at" bigint NOT NULL,
	"status" text NOT NULL,
	"result" jsonb,
	"reason" text,
	"received_at" bigint NOT NULL,
	CONSTRAINT "commands_device_id_command_id_pk" PRIMARY KEY("device_id","command_id")
);
--> statement-breakpoint
CREATE TABLE "customer_conflicts" (
	"id" text PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"field" text NOT NULL,
	"kept_value" jsonb,
	"kept_at" bigint NOT NULL,
	"lost_value" jsonb,
	"lost_at" bigint NOT NULL,
	"lost_device_id" text NOT NULL,
	"command_id" text NOT NULL,
	"resolved_at" bigint
);
--> statement-breakpoint
CREATE TABLE "customer_documents" (
	"id" text PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"sha256" text NOT NULL,
	"data" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "customer_merges" (
	"id" text PRIMARY KEY NOT NULL,
	"survivor_id" text NOT NULL,
	"merged_id" text NOT NULL,
	"identity_key" text NOT NULL,
	"command_id" text,
	"at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "customers" (
	"id" text PRIMARY KEY NOT NULL,
	"identity_key" text,
	"data" jsonb NOT NULL,
	"field_at" jsonb NOT NULL,
	"merged_into" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "devices" (
	"device_id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"secret_hash" text NOT NULL,
	"paired_at" bigint NOT NULL,
	"revoked_at" bigint,
	"revoked_reason" text,
	"last_seen_at" bigint,
	"clock_offset_ms" bigint,
	"last_seq" integer DEFAULT 0 NOT NULL,
	"backed_up_seq" integer DEFAULT 0 NOT NULL,
	"status" jsonb
);
--> statement-breakpoint
CREATE TABLE "employees" (
	"id" text PRIMARY KEY NOT NULL,
	"data" jsonb NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hub_audit" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "hub_audit_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" bigint NOT NULL,
	"device_id" text,
	"employee_id" text,
	"action" text NOT NULL,
	"details" jsonb NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hub_meta" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"hub_id" text NOT NULL,
	"hub_epoch" text NOT NULL,
	"store_name" text NOT NULL,
	"created_at" bigint NOT NULL,
	"restored_from" text,
	"restored_at" bigint,
	"last_version" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pairing_codes" (
	"id" text PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	"used_at" bigint,
	"used_by" text
);
--> statement-breakpoint
CREATE TABLE "products" (
	"id" text PRIMARY KEY NOT NULL,
	"data" jsonb NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "queue_entries" (
	"id" text PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"checked_in_as" text NOT NULL,
	"parent_entry_id" text,
	"position" integer NOT NULL,
	"checked_in_at" bigint NOT NULL,
	"data" jsonb NOT NULL,
	"claimed_by" text,
	"lease_until" bigint,
	"lease_epoch" integer DEFAULT 0 NOT NULL,
	"removed_at" bigint,
	"removed_reason" text
);
--> statement-breakpoint
CREATE TABLE "rewards_balances" (
	"customer_id" text PRIMARY KEY NOT NULL,
	"points" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rewards_cards" (
	"id" text PRIMARY KEY NOT NULL,
	"card_number" text NOT NULL,
	"customer_id" text NOT NULL,
	"data" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rewards_ledger" (
	"id" text PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"kind" text NOT NULL,
	"points" integer NOT NULL,
	"sale_id" text,
	"device_id" text NOT NULL,
	"at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sales" (
	"id" text PRIMARY KEY NOT NULL,
	"device_id" text NOT NULL,
	"receipt_number" integer NOT NULL,
	"customer_id" text,
	"channel" text NOT NULL,
	"status" text NOT NULL,
	"total_cents" integer NOT NULL,
	"tax_cents" integer NOT NULL,
	"completed_at" bigint NOT NULL,
	"business_date" text NOT NULL,
	"grant_id" text,
	"flagged" boolean DEFAULT false NOT NULL,
	"trace_state" text,
	"data" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stock_levels" (
	"product_id" text PRIMARY KEY NOT NULL,
	"quantity" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stock_movements" (
	"id" text PRIMARY KEY NOT NULL,
	"product_id" text NOT NULL,
	"quantity_delta" integer NOT NULL,
	"reason" text NOT NULL,
	"reference_id" text,
	"employee_id" text,
	"device_id" text NOT NULL,
	"at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "allotment_grants_customer" ON "allotment_grants" USING btree ("customer_id","status");--> statement-breakpoint
CREATE INDEX "change_log_entity" ON "change_log" USING btree ("entity","entity_id");--> statement-breakpoint
CREATE UNIQUE INDEX "commands_device_seq" ON "commands" USING btree ("device_id","device_seq");--> statement-breakpoint
CREATE INDEX "customers_identity" ON "customers" USING btree ("identity_key");--> statement-breakpoint
CREATE INDEX "queue_entries_open" ON "queue_entries" USING btree ("removed_at","position");--> statement-breakpoint
CREATE INDEX "rewards_ledger_customer" ON "rewards_ledger" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "sales_business_date" ON "sales" USING btree ("business_date");--> statement-breakpoint
CREATE INDEX "sales_device" ON "sales" USING btree ("device_id","receipt_number");--> statement-breakpoint
CREATE INDEX "stock_movements_product" ON "stock_movements" USING btree ("product_id");