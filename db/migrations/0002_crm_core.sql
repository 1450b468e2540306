ALTER TABLE "idempotency_keys" ADD COLUMN "resource_path" text;--> statement-breakpoint
-- API representation of a row, for event payloads built inside the writing transaction:
-- snake_case → camelCase keys, tenant_id dropped (it is the envelope's `tenantid`), and decimals
-- (numeric values with a fraction) as strings so no consumer reads money as a binary float.
CREATE FUNCTION api_json(row_json jsonb) RETURNS jsonb
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
  SELECT coalesce(jsonb_object_agg(
           lower(left(k, 1)) || substr(replace(initcap(replace(k, '_', ' ')), ' ', ''), 2),
           CASE WHEN jsonb_typeof(v) = 'number' AND v::text LIKE '%.%' THEN to_jsonb(v #>> '{}') ELSE v END),
         '{}'::jsonb)
  FROM jsonb_each(row_json - 'tenant_id') AS e(k, v)
$$;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION api_json(jsonb) TO crm_app;
--> statement-breakpoint
-- crm_system: what scheduled and queue work may do across tenants, and nothing else: list tenants
-- (to run per-tenant maintenance) and relay the outbox. crm_app may SET ROLE to it, but is
-- NOINHERIT so these policies never apply to ordinary requests.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'crm_system') THEN
    CREATE ROLE crm_system NOLOGIN;
  END IF;
END
$$;
--> statement-breakpoint
ALTER ROLE crm_app NOINHERIT;
--> statement-breakpoint
GRANT crm_system TO crm_app;
--> statement-breakpoint
GRANT crm_system TO CURRENT_USER;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO crm_system;
--> statement-breakpoint
GRANT SELECT ON tenants TO crm_system;
--> statement-breakpoint
CREATE POLICY system_list_tenants ON tenants FOR SELECT TO crm_system USING (true);
--> statement-breakpoint
GRANT SELECT, UPDATE ON outbox TO crm_system;
--> statement-breakpoint
CREATE POLICY system_relay_read ON outbox FOR SELECT TO crm_system USING (true);
--> statement-breakpoint
CREATE POLICY system_relay_update ON outbox FOR UPDATE TO crm_system USING (true) WITH CHECK (true);
