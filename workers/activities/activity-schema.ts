import { z } from "@hono/zod-openapi";
import { ACTIVITY_TYPES } from "../../db/schema/crm.ts";
import type { ActivityRow } from "../../db/activities/activity-store.ts";

/** What staff log through the API; `status_change` comes only from the event consumer, `whatsapp` from conversations. */
export const USER_ACTIVITY_TYPES = ["call", "note", "meeting", "email", "task"] as const;

export const ActivitySchema = z
  .object({
    id: z.uuid(),
    type: z.enum(ACTIVITY_TYPES),
    leadId: z.uuid().nullable(),
    customerId: z.uuid().nullable(),
    proposalId: z.uuid().nullable(),
    userId: z.uuid().nullable(),
    subject: z.string().nullable().openapi({ example: "Llamada de seguimiento" }),
    body: z.string().nullable(),
    occurredAt: z.string(),
    dueAt: z.string().nullable(),
    completedAt: z.string().nullable(),
    pinned: z.boolean(),
    expiresAt: z
      .string()
      .nullable()
      .openapi({ description: "Removed by the daily cron after this time; null while pinned" }),
    metadata: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
  })
  .openapi("Activity");

export type Activity = z.infer<typeof ActivitySchema>;

export function toActivity(row: ActivityRow): Activity {
  return {
    id: row.id,
    type: row.type,
    leadId: row.leadId,
    customerId: row.customerId,
    proposalId: row.proposalId,
    userId: row.userId,
    subject: row.subject,
    body: row.body,
    occurredAt: row.occurredAt,
    dueAt: row.dueAt,
    completedAt: row.completedAt,
    pinned: row.pinned,
    expiresAt: row.expiresAt,
    metadata: row.metadata,
    createdAt: row.createdAt,
  };
}

const Timestamp = z.iso.datetime({
  offset: true,
  error: "fecha y hora ISO 8601 con zona, p. ej. 2026-03-01T10:00:00-06:00",
});

const ActivityFields = {
  type: z.enum(USER_ACTIVITY_TYPES),
  leadId: z.uuid().nullish(),
  customerId: z.uuid().nullish(),
  proposalId: z.uuid().nullish(),
  subject: z.string().trim().max(300).nullish(),
  body: z.string().max(20_000).nullish(),
  occurredAt: Timestamp.optional().openapi({ description: "Default: now" }),
  dueAt: Timestamp.nullish(),
  completedAt: Timestamp.nullish(),
  pinned: z
    .boolean()
    .optional()
    .openapi({ description: "Pinned activities are kept; others expire 90 days after creation" }),
};

export const ActivityCreateSchema = z
  .object(ActivityFields)
  .refine((v) => v.leadId || v.customerId || v.proposalId, {
    message: "indique leadId, customerId o proposalId",
    path: ["leadId"],
  })
  .openapi("ActivityCreate");

export const ActivityPatchSchema = z
  .object({
    type: ActivityFields.type.optional(),
    subject: ActivityFields.subject,
    body: ActivityFields.body,
    occurredAt: Timestamp.optional(),
    dueAt: ActivityFields.dueAt,
    completedAt: ActivityFields.completedAt,
    pinned: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: "send at least one field" })
  .openapi("ActivityPatch");
