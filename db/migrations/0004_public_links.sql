-- Public proposal pages (/p/{token}) have no tenant until the token says which. crm_public may
-- read exactly one proposal row: the one whose token hash the request itself presents in
-- app.public_token_hash (the token is 256 random bits; only its SHA-256 is stored). The page's
-- unit of work reads that row's tenant_id, sets app.tenant_id, switches back to crm_app and does
-- everything else under the ordinary tenant policies.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'crm_public') THEN
    CREATE ROLE crm_public NOLOGIN;
  END IF;
END
$$;
--> statement-breakpoint
GRANT crm_public TO crm_app;
--> statement-breakpoint
GRANT crm_public TO CURRENT_USER;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO crm_public;
--> statement-breakpoint
GRANT SELECT (id, tenant_id, public_token_hash) ON proposals TO crm_public;
--> statement-breakpoint
CREATE POLICY public_link_lookup ON proposals FOR SELECT TO crm_public
  USING (public_token_hash IS NOT NULL
         AND public_token_hash = nullif(current_setting('app.public_token_hash', true), ''));
