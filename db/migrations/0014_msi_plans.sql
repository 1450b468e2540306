CREATE TABLE "msi_payment_allocations" (
	"tenant_id" uuid NOT NULL,
	"payment_id" uuid NOT NULL,
	"installment_id" uuid NOT NULL,
	"amount" numeric(14, 2) NOT NULL,
	CONSTRAINT "msi_payment_allocations_payment_id_installment_id_pk" PRIMARY KEY("payment_id","installment_id"),
	CONSTRAINT "msi_payment_allocations_amount_positive" CHECK ("msi_payment_allocations"."amount" > 0)
);
--> statement-breakpoint
CREATE TABLE "msi_payments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"plan_id" uuid NOT NULL,
	"installment_number" integer NOT NULL,
	"amount" numeric(14, 2) NOT NULL,
	"forma_pago" text NOT NULL,
	"reference" text,
	"paid_at" timestamp(3) with time zone NOT NULL,
	"created_by" uuid,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "msi_payments_amount_positive" CHECK ("msi_payments"."amount" > 0),
	CONSTRAINT "msi_payments_forma_pago" CHECK ("msi_payments"."forma_pago" ~ '^[0-9]{2}$' AND "msi_payments"."forma_pago" <> '99')
);
--> statement-breakpoint
ALTER TABLE "msi_payment_plans" DROP CONSTRAINT "msi_payment_plans_months";--> statement-breakpoint
ALTER TABLE "msi_installments" ADD COLUMN "paid_amount" numeric(14, 2) DEFAULT '0' NOT NULL;--> statement-breakpoint
ALTER TABLE "msi_installments" ADD COLUMN "overdue_at" timestamp(3) with time zone;--> statement-breakpoint
ALTER TABLE "msi_installments" ADD COLUMN "waived_at" timestamp(3) with time zone;--> statement-breakpoint
ALTER TABLE "msi_installments" ADD COLUMN "waived_by" uuid;--> statement-breakpoint
ALTER TABLE "msi_payment_plans" ADD COLUMN "exchange_rate" numeric(18, 6);--> statement-breakpoint
ALTER TABLE "msi_payment_plans" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "msi_payment_plans" ADD COLUMN "created_by" uuid;--> statement-breakpoint
ALTER TABLE "msi_payment_plans" ADD COLUMN "completed_at" timestamp(3) with time zone;--> statement-breakpoint
ALTER TABLE "msi_payment_plans" ADD COLUMN "defaulted_at" timestamp(3) with time zone;--> statement-breakpoint
ALTER TABLE "msi_payment_plans" ADD COLUMN "cancelled_at" timestamp(3) with time zone;--> statement-breakpoint
ALTER TABLE "msi_payment_allocations" ADD CONSTRAINT "msi_payment_allocations_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "msi_payment_allocations" ADD CONSTRAINT "msi_payment_allocations_payment_id_msi_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."msi_payments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "msi_payment_allocations" ADD CONSTRAINT "msi_payment_allocations_installment_id_msi_installments_id_fk" FOREIGN KEY ("installment_id") REFERENCES "public"."msi_installments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "msi_payments" ADD CONSTRAINT "msi_payments_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "msi_payments" ADD CONSTRAINT "msi_payments_plan_id_msi_payment_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."msi_payment_plans"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "msi_payments_plan_idx" ON "msi_payments" USING btree ("plan_id","paid_at");--> statement-breakpoint
CREATE INDEX "msi_payment_plans_tenant_created_idx" ON "msi_payment_plans" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
ALTER TABLE "msi_installments" DROP CONSTRAINT IF EXISTS "msi_installments_status_check";--> statement-breakpoint
ALTER TABLE "msi_installments" ADD CONSTRAINT "msi_installments_status_check" CHECK ("msi_installments"."status" IN ('pending', 'paid', 'overdue', 'waived', 'cancelled'));--> statement-breakpoint
ALTER TABLE "msi_installments" ADD CONSTRAINT "msi_installments_paid_range" CHECK ("msi_installments"."paid_amount" >= 0 AND "msi_installments"."paid_amount" <= "msi_installments"."amount");--> statement-breakpoint
ALTER TABLE "msi_payment_plans" DROP CONSTRAINT IF EXISTS "msi_payment_plans_status_check";--> statement-breakpoint
ALTER TABLE "msi_payment_plans" ADD CONSTRAINT "msi_payment_plans_status_check" CHECK ("msi_payment_plans"."status" IN ('active', 'completed', 'defaulted', 'cancelled'));--> statement-breakpoint
ALTER TABLE "msi_payment_plans" ADD CONSTRAINT "msi_payment_plans_exchange_rate" CHECK (("msi_payment_plans"."currency" = 'MXN') = ("msi_payment_plans"."exchange_rate" IS NULL) AND ("msi_payment_plans"."exchange_rate" IS NULL OR "msi_payment_plans"."exchange_rate" > 0));--> statement-breakpoint
ALTER TABLE "msi_payment_plans" ADD CONSTRAINT "msi_payment_plans_months" CHECK ("msi_payment_plans"."months" IN (3, 6, 9, 12, 18));--> statement-breakpoint
-- Tenant tables like every other (migration 0001): ENABLE + FORCE, one policy on app.tenant_id.
ALTER TABLE msi_payments ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE msi_payments FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON msi_payments
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
--> statement-breakpoint
ALTER TABLE msi_payment_allocations ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE msi_payment_allocations FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON msi_payment_allocations
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
--> statement-breakpoint
-- The same grants as every tenant table; no route edits or deletes a payment (a record of money
-- received), and RLS keeps each tenant to its own.
GRANT SELECT, INSERT, UPDATE, DELETE ON msi_payments, msi_payment_allocations TO crm_app;
