CREATE TABLE "msi_reminders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"installment_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"status" text DEFAULT 'claimed' NOT NULL,
	"channel" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"claimed_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp(3) with time zone,
	"last_error" text,
	"provider_message_id" text,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "msi_reminders_kind_check" CHECK ("msi_reminders"."kind" IN ('before', 'due', 'overdue_1', 'overdue_7')),
	CONSTRAINT "msi_reminders_status_check" CHECK ("msi_reminders"."status" IN ('claimed', 'sent', 'failed')),
	CONSTRAINT "msi_reminders_channel_check" CHECK ("msi_reminders"."channel" IS NULL OR "msi_reminders"."channel" IN ('whatsapp', 'email'))
);
--> statement-breakpoint
ALTER TABLE "cfdi_invoices" ADD COLUMN "msi_payment_id" uuid;--> statement-breakpoint
ALTER TABLE "cfdi_invoices" ADD COLUMN "related_uuid" uuid;--> statement-breakpoint
ALTER TABLE "msi_reminders" ADD CONSTRAINT "msi_reminders_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "msi_reminders" ADD CONSTRAINT "msi_reminders_installment_id_msi_installments_id_fk" FOREIGN KEY ("installment_id") REFERENCES "public"."msi_installments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "msi_reminders_installment_kind_key" ON "msi_reminders" USING btree ("installment_id","kind");--> statement-breakpoint
CREATE INDEX "msi_reminders_retry_idx" ON "msi_reminders" USING btree ("tenant_id","status") WHERE "msi_reminders"."status" <> 'sent';--> statement-breakpoint
CREATE UNIQUE INDEX "cfdi_invoices_msi_payment_key" ON "cfdi_invoices" USING btree ("tenant_id","msi_payment_id") WHERE "cfdi_invoices"."msi_payment_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "cfdi_invoices_related_uuid_idx" ON "cfdi_invoices" USING btree ("tenant_id","related_uuid") WHERE "cfdi_invoices"."related_uuid" IS NOT NULL;--> statement-breakpoint
-- msi_payment_id references a payment without an FK: a recibo de pago is a fiscal document kept five
-- years, whatever happens to the plan; the unique index above is what keeps it one per payment.
ALTER TABLE msi_reminders ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE msi_reminders FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON msi_reminders
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON msi_reminders TO crm_app;
