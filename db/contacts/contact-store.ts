import { and, eq, gte, ilike, lt, or, sql, type SQL } from "drizzle-orm";
import type { CloudEvent, EventType } from "../../core/events/cloudevents.ts";
import { contacts } from "../schema/crm.ts";
import { outboxEvents } from "../outbox.ts";
import { query, type Statement } from "../statement.ts";
import type { Actor } from "../actor.ts";

// The contacts context's SQL: every statement a handler can put in a batch. Each takes the tenant
// explicitly (RLS enforces it too; the explicit filter keeps plans on the tenant indexes).

export type ContactRow = typeof contacts.$inferSelect;

export interface NewContact {
  id: string;
  firstName: string;
  lastName?: string | null | undefined;
  email?: string | null | undefined;
  phone?: string | null | undefined;
  companyName?: string | null | undefined;
  jobTitle?: string | null | undefined;
  notes?: string | null | undefined;
  customFields?: Record<string, unknown> | undefined;
}

/** Unique per tenant (migration 0000): the constraint names a duplicate by. */
export const CONTACT_UNIQUE = { contacts_tenant_email_key: "email", contacts_tenant_phone_key: "phone" } as const;
export type ContactUniqueField = (typeof CONTACT_UNIQUE)[keyof typeof CONTACT_UNIQUE];

export function duplicateField(constraint: string | undefined): ContactUniqueField | undefined {
  return constraint && constraint in CONTACT_UNIQUE
    ? CONTACT_UNIQUE[constraint as keyof typeof CONTACT_UNIQUE]
    : undefined;
}

export function insertContact(actor: Actor, contact: NewContact): Statement<ContactRow[]> {
  return query((db) =>
    db
      .insert(contacts)
      .values({
        id: contact.id,
        tenantId: actor.tenantId,
        firstName: contact.firstName,
        lastName: contact.lastName ?? null,
        email: contact.email ?? null,
        phone: contact.phone ?? null,
        companyName: contact.companyName ?? null,
        jobTitle: contact.jobTitle ?? null,
        notes: contact.notes ?? null,
        customFields: contact.customFields ?? {},
        createdBy: actor.userId,
      })
      .returning(),
  );
}

/** The event about one contact, its payload the row as this batch left it (nothing if the row is absent). */
export function contactEvent(actor: Actor, type: EventType, id: string): Statement<CloudEvent[]> {
  return outboxEvents({
    type,
    context: "contacts",
    table: contacts,
    rowId: id,
    tenantId: actor.tenantId,
    userId: actor.userId,
    correlationId: actor.correlationId,
  });
}

/** The contact that already holds the email or phone a unique constraint refused (the field that fired, not the other). */
export function contactHolding(
  tenantId: string,
  field: ContactUniqueField,
  value: string,
): Statement<{ id: string }[]> {
  const match = field === "email" ? sql`lower(${contacts.email}) = lower(${value})` : eq(contacts.phone, value);
  return query((db) =>
    db
      .select({ id: contacts.id })
      .from(contacts)
      .where(and(eq(contacts.tenantId, tenantId), match))
      .limit(1),
  );
}

export function getContact(tenantId: string, id: string): Statement<ContactRow[]> {
  return query((db) =>
    db
      .select()
      .from(contacts)
      .where(and(eq(contacts.tenantId, tenantId), eq(contacts.id, id))),
  );
}

export type ContactChanges = Partial<Omit<NewContact, "id">>;

export function updateContact(tenantId: string, id: string, changes: ContactChanges): Statement<ContactRow[]> {
  return query((db) =>
    db
      .update(contacts)
      .set({ ...changes, updatedAt: sql`now()` })
      .where(and(eq(contacts.tenantId, tenantId), eq(contacts.id, id)))
      .returning(),
  );
}

export function deleteContact(tenantId: string, id: string): Statement<{ id: string }[]> {
  return query((db) =>
    db
      .delete(contacts)
      .where(and(eq(contacts.tenantId, tenantId), eq(contacts.id, id)))
      .returning({ id: contacts.id }),
  );
}

export interface ContactListFilter {
  /** Text over name, company, email; 4+ digits also match the phone. */
  q?: { pattern: string; digits: string } | undefined;
  createdFrom?: string | undefined;
  createdTo?: string | undefined;
}

export const contactSortColumns = { created: contacts.createdAt, updated: contacts.updatedAt } as const;

/** One page: `after` and `orderBy` come from the keyset cursor (workers/http/pagination.ts). */
export function listContacts(
  tenantId: string,
  filter: ContactListFilter,
  page: { after: SQL | undefined; orderBy: SQL[]; limit: number },
): Statement<ContactRow[]> {
  const where: (SQL | undefined)[] = [eq(contacts.tenantId, tenantId), page.after];
  if (filter.q) {
    where.push(
      or(
        ilike(sql`${contacts.firstName} || ' ' || coalesce(${contacts.lastName}, '')`, filter.q.pattern),
        ilike(contacts.companyName, filter.q.pattern),
        ilike(contacts.email, filter.q.pattern),
        filter.q.digits.length >= 4 ? ilike(contacts.phone, `%${filter.q.digits}%`) : undefined,
      ),
    );
  }
  if (filter.createdFrom) where.push(gte(contacts.createdAt, filter.createdFrom));
  if (filter.createdTo) where.push(lt(contacts.createdAt, filter.createdTo));
  return query((db) =>
    db
      .select()
      .from(contacts)
      .where(and(...where))
      .orderBy(...page.orderBy)
      .limit(page.limit),
  );
}
