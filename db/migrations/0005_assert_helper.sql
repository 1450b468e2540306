-- Lets a one-round-trip batch abort itself: `select app_assert(<condition>, 'why')` raises
-- SQLSTATE ZT409 (mapped to HTTP 409) when the condition is false, rolling back everything in
-- the batch — e.g. a write that was computed from rows read earlier, when those rows changed.
CREATE FUNCTION app_assert(ok boolean, message text) RETURNS void
  LANGUAGE plpgsql
  AS $$
BEGIN
  IF ok IS NOT TRUE THEN
    RAISE EXCEPTION '%', message USING ERRCODE = 'ZT409';
  END IF;
END
$$;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app_assert(boolean, text) TO crm_app;
