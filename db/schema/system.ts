import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, tenantId, tstz, updatedAt } from "./columns.ts";
import { tenants } from "./tenants.ts";

const tenantRef = () => tenantId().references(() => tenants.id, { onDelete: "cascade" });

// Transactional outbox: each row is one CloudEvents 1.0 envelope, written in the business transaction.
export const outbox = pgTable(
  "outbox",
  {
    id: uuid("id").primaryKey(),
    tenantId: tenantRef(),
    type: text("type").notNull(),
    event: jsonb("event").$type<Record<string, unknown>>().notNull(),
    seq: integer("seq").generatedAlwaysAsIdentity(),
    createdAt: createdAt(),
    deliveredAt: tstz("delivered_at"),
    /** Sweep re-sends so far (workers/cron/outbox-sweep.ts); at MAX_ATTEMPTS the row goes dead. */
    attempts: integer("attempts").notNull().default(0),
    /** The last send failure seen (cleared on delivery); never the payload. */
    lastError: text("last_error"),
    /** When the sweep may send it again: a minute after commit, then with back-off. */
    nextAttemptAt: tstz("next_attempt_at")
      .notNull()
      .default(sql`(now() + interval '1 minute')`),
    /** Given up on after MAX_ATTEMPTS: no longer retried, counted by GET /ops/outbox. */
    deadAt: tstz("dead_at"),
  },
  (t) => [
    index("outbox_due_idx")
      .on(t.nextAttemptAt)
      .where(sql`${t.deliveredAt} IS NULL AND ${t.deadAt} IS NULL`),
  ],
);

export const aiJobs = pgTable(
  "ai_jobs",
  {
    id: uuid("id").primaryKey(),
    tenantId: tenantRef(),
    kind: text("kind", { enum: ["lead_scoring", "transcription"] }).notNull(),
    subjectId: uuid("subject_id").notNull(),
    status: text("status", { enum: ["queued", "running", "succeeded", "failed"] })
      .notNull()
      .default("queued"),
    attempts: integer("attempts").notNull().default(0),
    result: jsonb("result").$type<Record<string, unknown>>(),
    error: text("error"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("ai_jobs_tenant_subject_idx").on(t.tenantId, t.kind, t.subjectId)],
);

// Client retries (`Idempotency-Key` on POST): stored with the write, kept 24 h.
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    tenantId: tenantRef(),
    key: text("key").notNull(),
    /** Keys are scoped per user: two users reusing "1" never collide. */
    userId: uuid("user_id").notNull(),
    method: text("method").notNull(),
    path: text("path").notNull(),
    requestHash: text("request_hash").notNull(),
    /** The resource the request created or changed: replayed from here if no body was stored. */
    resourcePath: text("resource_path"),
    statusCode: integer("status_code"),
    responseBody: jsonb("response_body"),
    createdAt: createdAt(),
    expiresAt: tstz("expires_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.userId, t.key] }),
    index("idempotency_keys_expires_idx").on(t.expiresAt),
  ],
);
