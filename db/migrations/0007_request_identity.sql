-- Identity-provider data is not user input. Supabase puts "email": "" in phone-login tokens, and
-- verified addresses such as o'neil@… or IDN domains fail the API's email regex: either made
-- app_begin_request's INSERT fail its CHECK (before ON CONFLICT), so every request of that user was
-- a 422. Users' emails only ever come from verified tokens, so the column takes what the token says.
-- And a new user's first requests often arrive in parallel: `ON CONFLICT (id)` named only the
-- primary key as arbiter, so a race could hit the other unique index, users (tenant_id, id), as a
-- plain 23505 (a 409 for that request). With no conflict target every unique index is an arbiter.
ALTER TABLE "users" DROP CONSTRAINT "users_email_format";
--> statement-breakpoint
CREATE OR REPLACE FUNCTION app_begin_request(p_user_id uuid, p_email text, p_role text) RETURNS void
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
    VALUES (p_user_id, app_tenant_id(), nullif(btrim(p_email), ''), p_role, now())
    ON CONFLICT DO NOTHING;
  SELECT is_active INTO v_active FROM users WHERE id = p_user_id;
  IF v_active IS NULL THEN
    RAISE EXCEPTION 'user belongs to another tenant' USING ERRCODE = 'ZT403';
  ELSIF NOT v_active THEN
    RAISE EXCEPTION 'user is deactivated' USING ERRCODE = 'ZT403';
  END IF;
END
$$;
--> statement-breakpoint
-- Idempotency keys are the client's, and clients are users: two users of one tenant who both send
-- "Idempotency-Key: 1" must not replay each other's responses.
DELETE FROM "idempotency_keys" WHERE "user_id" IS NULL;
--> statement-breakpoint
ALTER TABLE "idempotency_keys" ALTER COLUMN "user_id" SET NOT NULL;
--> statement-breakpoint
ALTER TABLE "idempotency_keys" DROP CONSTRAINT "idempotency_keys_tenant_id_key_pk";
--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_tenant_id_user_id_key_pk" PRIMARY KEY ("tenant_id", "user_id", "key");
