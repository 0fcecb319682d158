CREATE TABLE "customer_caregivers" (
	"patient_id" text NOT NULL,
	"caregiver_id" text NOT NULL,
	"added_at" bigint NOT NULL,
	"removed_at" bigint,
	"changed_at" bigint NOT NULL,
	CONSTRAINT "customer_caregivers_patient_id_caregiver_id_pk" PRIMARY KEY("patient_id","caregiver_id")
);
--> statement-breakpoint
CREATE INDEX "customer_caregivers_caregiver" ON "customer_caregivers" USING btree ("caregiver_id");