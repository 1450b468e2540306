ALTER TABLE "cfdi_invoices" ADD COLUMN "input" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "cfdi_invoices" ADD COLUMN "issues" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "cfdi_invoices" ADD COLUMN "receptor_rfc" text;--> statement-breakpoint
ALTER TABLE "cfdi_invoices" ADD COLUMN "receptor_nombre" text;--> statement-breakpoint
ALTER TABLE "cfdi_invoices" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "cfdi_invoices" ADD COLUMN "created_by" uuid;--> statement-breakpoint
CREATE UNIQUE INDEX "cfdi_invoices_live_proposal_key" ON "cfdi_invoices" USING btree ("tenant_id","proposal_id") WHERE "cfdi_invoices"."proposal_id" IS NOT NULL AND "cfdi_invoices"."status" NOT IN ('cancelled', 'validation_failed');--> statement-breakpoint
-- Hand-written: the statuses of issue 13 (core/invoicing/invoice-status.ts). Nothing wrote this
-- table before (no route did), so 'failed' has no rows to carry over.
ALTER TABLE cfdi_invoices DROP CONSTRAINT cfdi_invoices_status_check;
--> statement-breakpoint
ALTER TABLE cfdi_invoices ADD CONSTRAINT cfdi_invoices_status_check
  CHECK (status IN ('draft', 'validation_failed', 'stamping', 'stamped', 'stamp_failed', 'cancel_pending', 'cancelled'));
