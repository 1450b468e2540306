import { and, eq, ilike, sql, type SQL } from "drizzle-orm";
import { leadSources } from "../schema/crm.ts";
import { query, type Statement } from "../statement.ts";
import type { Actor } from "../actor.ts";

// The lead-sources context's SQL. Lead sources are reference data: their writes have no events.

export type LeadSourceRow = typeof leadSources.$inferSelect;

/** The unique index on (tenant_id, lower(name)) (db/schema/crm.ts): a duplicate name is refused by it. */
export const LEAD_SOURCE_NAME_KEY = "lead_sources_tenant_name_key";

export interface NewLeadSource {
  id: string;
  name: string;
  description?: string | null | undefined;
  isActive?: boolean | undefined;
}

export function insertLeadSource(actor: Actor, source: NewLeadSource): Statement<LeadSourceRow[]> {
  return query((db) =>
    db
      .insert(leadSources)
      .values({
        id: source.id,
        tenantId: actor.tenantId,
        name: source.name,
        description: source.description ?? null,
        isActive: source.isActive ?? true,
      })
      .returning(),
  );
}

export function getLeadSource(tenantId: string, id: string): Statement<LeadSourceRow[]> {
  return query((db) =>
    db
      .select()
      .from(leadSources)
      .where(and(eq(leadSources.tenantId, tenantId), eq(leadSources.id, id))),
  );
}

export type LeadSourceChanges = Partial<Omit<NewLeadSource, "id">>;

export function updateLeadSource(tenantId: string, id: string, changes: LeadSourceChanges): Statement<LeadSourceRow[]> {
  return query((db) =>
    db
      .update(leadSources)
      .set({ ...changes, updatedAt: sql`now()` })
      .where(and(eq(leadSources.tenantId, tenantId), eq(leadSources.id, id)))
      .returning(),
  );
}

export function deleteLeadSource(tenantId: string, id: string): Statement<{ id: string }[]> {
  return query((db) =>
    db
      .delete(leadSources)
      .where(and(eq(leadSources.tenantId, tenantId), eq(leadSources.id, id)))
      .returning({ id: leadSources.id }),
  );
}

export interface LeadSourceListFilter {
  /** A LIKE pattern over the name. */
  q?: string | undefined;
  isActive?: boolean | undefined;
}

export const leadSourceSortColumns = { created: leadSources.createdAt, updated: leadSources.updatedAt } as const;

/** One page: `after` and `orderBy` come from the keyset cursor (workers/http/pagination.ts). */
export function listLeadSources(
  tenantId: string,
  filter: LeadSourceListFilter,
  page: { after: SQL | undefined; orderBy: SQL[]; limit: number },
): Statement<LeadSourceRow[]> {
  const where: (SQL | undefined)[] = [eq(leadSources.tenantId, tenantId), page.after];
  if (filter.q) where.push(ilike(leadSources.name, filter.q));
  if (filter.isActive !== undefined) where.push(eq(leadSources.isActive, filter.isActive));
  return query((db) =>
    db
      .select()
      .from(leadSources)
      .where(and(...where))
      .orderBy(...page.orderBy)
      .limit(page.limit),
  );
}
