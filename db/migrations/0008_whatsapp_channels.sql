CREATE TABLE "whatsapp_channels" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"provider" text NOT NULL,
	"name" text,
	"phone_number_id" text,
	"display_phone_number" text,
	"waba_id" text,
	"sender" text,
	"account_sid" text,
	"signature_url" text,
	"credentials_envelope" text NOT NULL,
	"credential_names" text[] DEFAULT '{}'::text[] NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" uuid,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp(3) with time zone,
	CONSTRAINT "whatsapp_channels_provider_check" CHECK ("whatsapp_channels"."provider" IN ('meta', '360dialog', 'twilio')),
	CONSTRAINT "whatsapp_channels_number_check" CHECK (CASE WHEN "whatsapp_channels"."provider" = 'twilio' THEN "whatsapp_channels"."sender" IS NOT NULL AND "whatsapp_channels"."account_sid" IS NOT NULL ELSE "whatsapp_channels"."phone_number_id" IS NOT NULL END)
);
--> statement-breakpoint
ALTER TABLE "whatsapp_channels" ADD CONSTRAINT "whatsapp_channels_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "whatsapp_channels_phone_number_id_live_key" ON "whatsapp_channels" USING btree ("phone_number_id") WHERE "whatsapp_channels"."deleted_at" IS NULL AND "whatsapp_channels"."phone_number_id" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "whatsapp_channels_sender_live_key" ON "whatsapp_channels" USING btree ("sender") WHERE "whatsapp_channels"."deleted_at" IS NULL AND "whatsapp_channels"."sender" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "whatsapp_channels_tenant_created_idx" ON "whatsapp_channels" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
-- Hand-written below: row-level security, grants, and the webhook's one-row lookup.
-- A tenant table like every other (migration 0001): ENABLE + FORCE, one policy on app.tenant_id.
ALTER TABLE whatsapp_channels ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE whatsapp_channels FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON whatsapp_channels
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
--> statement-breakpoint
-- The same grants as every tenant table; the API only soft-deletes (deleted_at), because
-- conversations keep referring to a disconnected channel.
GRANT SELECT, INSERT, UPDATE, DELETE ON whatsapp_channels TO crm_app;
--> statement-breakpoint
-- The webhook (/webhooks/whatsapp/{provider}/{channelId}) has no JWT and no tenant: the provider's
-- signature is the authentication, and checking it needs that channel's secrets, looked up by the
-- channel id in the URL. crm_webhook may read exactly one live row, the one whose id the request
-- itself presents in app.webhook_channel_id, and only the columns the check needs; the rest of the
-- webhook's work runs as crm_app under the tenant that row names (like crm_public, migration 0004).
-- A role with a policy rather than a SECURITY DEFINER function: a definer function runs as the
-- owner, which FORCE RLS also confines (it would need its own bypass), and on Neon the owner is no
-- superuser; here the database still decides visibility with one more policy that the RLS matrix
-- test (db/rls.security.test.ts) pins, and crm_app (NOINHERIT) never holds it by accident.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'crm_webhook') THEN
    CREATE ROLE crm_webhook NOLOGIN;
  END IF;
END
$$;
--> statement-breakpoint
GRANT crm_webhook TO crm_app;
--> statement-breakpoint
GRANT crm_webhook TO CURRENT_USER;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO crm_webhook;
--> statement-breakpoint
GRANT SELECT (id, tenant_id, provider, phone_number_id, sender, signature_url, credentials_envelope, deleted_at)
  ON whatsapp_channels TO crm_webhook;
--> statement-breakpoint
CREATE POLICY webhook_channel_lookup ON whatsapp_channels FOR SELECT TO crm_webhook
  USING (deleted_at IS NULL
         AND id = nullif(current_setting('app.webhook_channel_id', true), '')::uuid);
