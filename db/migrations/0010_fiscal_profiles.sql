CREATE TABLE "fiscal_profiles" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"rfc" text NOT NULL,
	"razon_social" text NOT NULL,
	"regimen_fiscal" text NOT NULL,
	"lugar_expedicion" text NOT NULL,
	"serie" text,
	"next_folio" bigint DEFAULT 1 NOT NULL,
	"csd_certificate" text,
	"csd_no_certificado" text,
	"csd_valid_from" timestamp(3) with time zone,
	"csd_valid_to" timestamp(3) with time zone,
	"csd_key_envelope" text,
	"pac_provider" text,
	"pac_environment" text,
	"pac_credentials_envelope" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "fiscal_profiles_rfc_format" CHECK ("fiscal_profiles"."rfc" ~ '^[A-ZÑ&]{3,4}[0-9]{6}[A-Z0-9]{3}$'),
	CONSTRAINT "fiscal_profiles_regimen_format" CHECK ("fiscal_profiles"."regimen_fiscal" ~ '^[0-9]{3}$'),
	CONSTRAINT "fiscal_profiles_lugar_expedicion_format" CHECK ("fiscal_profiles"."lugar_expedicion" ~ '^[0-9]{5}$'),
	CONSTRAINT "fiscal_profiles_serie_format" CHECK ("fiscal_profiles"."serie" IS NULL OR (length("fiscal_profiles"."serie") BETWEEN 1 AND 25 AND "fiscal_profiles"."serie" !~ '[|]')),
	CONSTRAINT "fiscal_profiles_next_folio_positive" CHECK ("fiscal_profiles"."next_folio" >= 1),
	CONSTRAINT "fiscal_profiles_csd_complete" CHECK (("fiscal_profiles"."csd_certificate" IS NULL) = ("fiscal_profiles"."csd_key_envelope" IS NULL) AND ("fiscal_profiles"."csd_certificate" IS NULL) = ("fiscal_profiles"."csd_no_certificado" IS NULL)),
	CONSTRAINT "fiscal_profiles_pac_provider_check" CHECK ("fiscal_profiles"."pac_provider" IS NULL OR "fiscal_profiles"."pac_provider" IN ('sandbox', 'finkok', 'sw')),
	CONSTRAINT "fiscal_profiles_pac_environment_check" CHECK (("fiscal_profiles"."pac_provider" IS NULL) = ("fiscal_profiles"."pac_environment" IS NULL) AND ("fiscal_profiles"."pac_environment" IS NULL OR "fiscal_profiles"."pac_environment" IN ('test', 'production')))
);
--> statement-breakpoint
ALTER TABLE "tenants" DROP CONSTRAINT "tenants_codigo_postal_format";--> statement-breakpoint
ALTER TABLE "fiscal_profiles" ADD CONSTRAINT "fiscal_profiles_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenants" DROP COLUMN "rfc";--> statement-breakpoint
ALTER TABLE "tenants" DROP COLUMN "razon_social";--> statement-breakpoint
ALTER TABLE "tenants" DROP COLUMN "regimen_fiscal";--> statement-breakpoint
ALTER TABLE "tenants" DROP COLUMN "codigo_postal";--> statement-breakpoint
ALTER TABLE "tenants" DROP COLUMN "csd_certificate_number";--> statement-breakpoint
ALTER TABLE "tenants" DROP COLUMN "csd_r2_key";--> statement-breakpoint
-- Hand-written below. The dropped tenants columns (rfc … csd_r2_key) came with the seed schema and
-- were only ever written by the demo seed (no route wrote them), so there is nothing to carry over:
-- the seed now writes fiscal_profiles.
-- A tenant table like every other (migration 0001): ENABLE + FORCE, one policy on app.tenant_id.
ALTER TABLE fiscal_profiles ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE fiscal_profiles FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON fiscal_profiles
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
--> statement-breakpoint
-- The same grants as every tenant table (no route deletes a profile: its invoices refer to it).
GRANT SELECT, INSERT, UPDATE, DELETE ON fiscal_profiles TO crm_app;
