-- Roles, grants and row-level security. Hand-written (drizzle-kit's policy generation has known
-- bugs with WITH CHECK); test/db/rls.test.ts verifies the result in pg_policies.
--
-- crm_app: the role every request runs as (`SET LOCAL ROLE crm_app` in each unit of work, so an
-- embedded PGlite that ignores the login role behaves like production). It owns nothing, so RLS
-- applies; FORCE makes RLS apply to the owner too (the seed's policies were bypassed by the owner).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'crm_app') THEN
    CREATE ROLE crm_app NOLOGIN;
  END IF;
END
$$;
--> statement-breakpoint
-- Lets the migration owner run `SET ROLE crm_app` (PGlite, and owner-run maintenance scripts).
GRANT crm_app TO CURRENT_USER;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO crm_app;
--> statement-breakpoint
-- Closed sets as constraints too, not only in the API's validation.
ALTER TABLE tenants ADD CONSTRAINT tenants_plan_check CHECK (plan IN ('free', 'pro', 'enterprise'));
--> statement-breakpoint
ALTER TABLE tenants ADD CONSTRAINT tenants_status_check CHECK (status IN ('active', 'suspended'));
--> statement-breakpoint
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'manager', 'user'));
--> statement-breakpoint
ALTER TABLE leads ADD CONSTRAINT leads_status_check CHECK (status IN ('new', 'contacted', 'qualified', 'converted', 'lost'));
--> statement-breakpoint
ALTER TABLE proposals ADD CONSTRAINT proposals_status_check CHECK (status IN ('draft', 'sent', 'viewed', 'accepted', 'rejected', 'expired'));
--> statement-breakpoint
ALTER TABLE activities ADD CONSTRAINT activities_type_check CHECK (type IN ('call', 'note', 'meeting', 'email', 'task', 'whatsapp', 'status_change'));
--> statement-breakpoint
ALTER TABLE cfdi_invoices ADD CONSTRAINT cfdi_invoices_status_check CHECK (status IN ('draft', 'stamping', 'stamped', 'failed', 'cancelled'));
--> statement-breakpoint
ALTER TABLE msi_payment_plans ADD CONSTRAINT msi_payment_plans_status_check CHECK (status IN ('active', 'completed', 'defaulted', 'cancelled'));
--> statement-breakpoint
ALTER TABLE msi_installments ADD CONSTRAINT msi_installments_status_check CHECK (status IN ('pending', 'paid', 'overdue', 'cancelled'));
--> statement-breakpoint
ALTER TABLE whatsapp_conversations ADD CONSTRAINT whatsapp_conversations_provider_check CHECK (provider IN ('meta', 'twilio', '360dialog'));
--> statement-breakpoint
ALTER TABLE ai_jobs ADD CONSTRAINT ai_jobs_status_check CHECK (status IN ('queued', 'running', 'succeeded', 'failed'));
--> statement-breakpoint
-- The single tenant setting (the seed used two names: app.current_tenant and app.tenant_id).
-- nullif: with no tenant set, current_setting(..., true) is '' or NULL and matches no row.
CREATE FUNCTION app_tenant_id() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app_tenant_id() TO crm_app;
--> statement-breakpoint
-- The tenant row itself: visible to its own tenant only; the app may read and update it, never
-- create or delete tenants (that is an owner/admin operation).
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON tenants
  USING (id = app_tenant_id()) WITH CHECK (id = app_tenant_id());
--> statement-breakpoint
GRANT SELECT, UPDATE ON tenants TO crm_app;
--> statement-breakpoint
-- Every tenant-owned table gets the same policy (the seed's lead_sources/contacts/leads differed).
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY[
    'users', 'contacts', 'lead_sources', 'leads', 'customers', 'proposals',
    'proposal_number_sequences', 'proposal_line_items', 'activities', 'cfdi_invoices',
    'msi_payment_plans', 'msi_installments', 'whatsapp_conversations', 'outbox', 'ai_jobs',
    'idempotency_keys'
  ] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id())',
      t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO crm_app', t);
  END LOOP;
END
$$;
--> statement-breakpoint
-- Second statement of every unit of work (same round trip as the work itself): the tenant must
-- exist and be active, and the caller is provisioned on first use (users appear in Supabase
-- first). Runs as crm_app under RLS, so it can only see and create rows of app.tenant_id.
-- SQLSTATE ZT403 is mapped to HTTP 403 by the API.
CREATE FUNCTION app_begin_request(p_user_id uuid, p_email text, p_role text) RETURNS void
  LANGUAGE plpgsql SECURITY INVOKER
  AS $$
DECLARE
  v_status text;
  v_active boolean;
BEGIN
  SELECT status INTO v_status FROM tenants WHERE id = app_tenant_id();
  IF v_status IS NULL THEN
    RAISE EXCEPTION 'tenant does not exist' USING ERRCODE = 'ZT403';
  ELSIF v_status <> 'active' THEN
    RAISE EXCEPTION 'tenant is %', v_status USING ERRCODE = 'ZT403';
  END IF;
  IF p_user_id IS NULL THEN
    RETURN;
  END IF;
  INSERT INTO users (id, tenant_id, email, role, last_seen_at)
    VALUES (p_user_id, app_tenant_id(), p_email, p_role, now())
    ON CONFLICT (id) DO NOTHING;
  SELECT is_active INTO v_active FROM users WHERE id = p_user_id;
  IF v_active IS NULL THEN
    RAISE EXCEPTION 'user belongs to another tenant' USING ERRCODE = 'ZT403';
  ELSIF NOT v_active THEN
    RAISE EXCEPTION 'user is deactivated' USING ERRCODE = 'ZT403';
  END IF;
END
$$;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app_begin_request(uuid, text, text) TO crm_app;
