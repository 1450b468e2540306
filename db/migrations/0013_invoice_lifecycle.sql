ALTER TABLE "cfdi_invoices" ADD COLUMN "sealed_xml" text;--> statement-breakpoint
ALTER TABLE "cfdi_invoices" ADD COLUMN "stamp_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "cfdi_invoices" ADD COLUMN "stamp_lease_until" timestamp(3) with time zone;--> statement-breakpoint
ALTER TABLE "cfdi_invoices" ADD COLUMN "cancel_motivo" text;--> statement-breakpoint
ALTER TABLE "cfdi_invoices" ADD COLUMN "cancel_folio_sustitucion" uuid;--> statement-breakpoint
ALTER TABLE "cfdi_invoices" ADD COLUMN "cancel_requested_at" timestamp(3) with time zone;--> statement-breakpoint
ALTER TABLE "cfdi_invoices" ADD COLUMN "cancel_checked_at" timestamp(3) with time zone;--> statement-breakpoint
ALTER TABLE "cfdi_invoices" ADD COLUMN "cancel_acuse" text;--> statement-breakpoint
ALTER TABLE "fiscal_profiles" ADD COLUMN "auto_invoice_on_accept" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "cfdi_invoices_in_flight_idx" ON "cfdi_invoices" USING btree ("status","stamp_lease_until") WHERE "cfdi_invoices"."status" IN ('stamping', 'cancel_pending');--> statement-breakpoint
ALTER TABLE "cfdi_invoices" ADD CONSTRAINT "cfdi_invoices_cancel_motivo_check" CHECK ("cancel_motivo" IS NULL OR "cancel_motivo" IN ('01', '02', '03', '04'));
--> statement-breakpoint
-- The every-minute sweep finds invoices stuck in `stamping` and cancellations to follow up across
-- tenants. crm_system sees only those rows' ids, tenant and timing columns — no amounts, names or XML —
-- and does the work itself under each tenant's RLS.
GRANT SELECT ("id", "tenant_id", "status", "stamp_lease_until", "cancel_checked_at", "cancel_requested_at") ON "cfdi_invoices" TO crm_system;
--> statement-breakpoint
CREATE POLICY system_invoices_in_flight ON "cfdi_invoices" FOR SELECT TO crm_system USING ("status" IN ('stamping', 'cancel_pending'));
