import { z } from "@hono/zod-openapi";
import type { leadSources } from "../../db/schema/crm.ts";

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

export function toLeadSource(row: typeof leadSources.$inferSelect): LeadSource {
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
  name: z.string().trim().min(1).max(120).openapi({ example: "Expo Guadalajara 2026", description: "Unique per tenant, case-insensitive" }),
  description: z.string().trim().max(1000).nullish(),
  isActive: z.boolean().optional(),
});

/** drizzle-kit's name for the unique index on (tenant_id, lower(name)). */
export const NAME_KEY = "lead_sources_tenant_name_key";

