ALTER TABLE "cfdi_invoices" ADD COLUMN "fecha" text;--> statement-breakpoint
ALTER TABLE "cfdi_invoices" ADD COLUMN "fecha_timbrado" text;--> statement-breakpoint
ALTER TABLE "cfdi_invoices" ADD COLUMN "no_certificado_sat" text;--> statement-breakpoint
ALTER TABLE "cfdi_invoices" ADD COLUMN "sello_sat" text;--> statement-breakpoint
ALTER TABLE "cfdi_invoices" ADD COLUMN "pac_provider" text;