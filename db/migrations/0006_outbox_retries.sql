-- Outbox retries (workers/cron/outbox-sweep.ts): a row is due for the sweep at next_attempt_at —
-- first a minute after commit (the post-commit send's grace), then further out after each re-send
-- (back-off) — and after MAX_ATTEMPTS re-sends without delivery it is dead: dead_at is set and the
-- sweep leaves it alone. Existing rows take the migration time + 1 minute (now() is evaluated once).
DROP INDEX "outbox_undelivered_idx";--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "next_attempt_at" timestamp(3) with time zone DEFAULT (now() + interval '1 minute') NOT NULL;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "dead_at" timestamp(3) with time zone;--> statement-breakpoint
CREATE INDEX "outbox_due_idx" ON "outbox" USING btree ("next_attempt_at") WHERE "outbox"."delivered_at" IS NULL AND "outbox"."dead_at" IS NULL;--> statement-breakpoint
-- crm_system relays the outbox: it counts attempts, records send failures, schedules the next
-- attempt and buries dead rows. It never rewrites an event, its tenant or its delivery (the
-- consumer marks delivery in the tenant's own scope), so UPDATE is narrowed to those columns.
REVOKE UPDATE ON outbox FROM crm_system;--> statement-breakpoint
GRANT UPDATE (attempts, last_error, next_attempt_at, dead_at) ON outbox TO crm_system;
