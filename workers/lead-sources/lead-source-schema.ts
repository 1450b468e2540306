import { z } from "@hono/zod-openapi";
import { LEAD_SOURCE_NAME_KEY, type LeadSourceRow } from "../../db/lead-sources/lead-source-store.ts";
import { findPgError } from "../http/error-handler.ts";
import { AppError } from "../http/problem.ts";

export const LeadSourceSchema = z
  .object({
    id: z.uuid(),
    name: z.string().openapi({ example: "Expo Guadalajara 2026" }),
    description: z.string().nullable(),
    isActive: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("LeadSource");

export type LeadSource = z.infer<typeof LeadSourceSchema>;

export function toLeadSource(row: LeadSourceRow): LeadSource {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    isActive: row.isActive,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export const LeadSourceInputSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1)
    .max(120)
    .openapi({ example: "Expo Guadalajara 2026", description: "Unique per tenant, case-insensitive" }),
  description: z.string().trim().max(1000).nullish(),
  isActive: z.boolean().optional(),
});

/** A create or rename refused by the unique name index: 409 on `body.name`. */
export function duplicateName(err: unknown): AppError | undefined {
  const pg = findPgError(err);
  if (pg?.code !== "23505" || pg.constraint !== LEAD_SOURCE_NAME_KEY) return undefined;
  return new AppError("CONFLICT", "a lead source with this name already exists", {
    errors: [{ path: "body.name", message: "duplicate", code: "duplicate" }],
  });
}
