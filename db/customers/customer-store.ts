import { and, eq, gte, ilike, lt, or, sql, type SQL } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import type { CloudEvent, EventType } from "../../core/events/cloudevents.ts";
import { contacts, customers, leads } from "../schema/crm.ts";
import { outboxEvents, writeWithEventStatement, type OutboxEventSpec } from "../outbox.ts";
import { query, type Statement, builtWith } from "../statement.ts";
import { tenantReference } from "../tenant-reference.ts";
import type { Actor } from "../actor.ts";

// The customers context's SQL. Fiscal rules are checked before a write (core/customers/fiscal.ts);
// the CHECK constraints in db/schema/crm.ts are the last line.

export type CustomerRow = typeof customers.$inferSelect;

/** The FK a `tenantReference(contacts, …)` fails when the contact is not in the tenant. */
export const CUSTOMER_CONTACT_FK = "customers_contact_id_contacts_id_fk";

/** Fiscal data as checked by core/customers/fiscal.ts; `usoCfdi` already defaulted. */
export interface CustomerFiscal {
  rfc?: string | null | undefined;
  regimenFiscal?: string | null | undefined;
  codigoPostal?: string | null | undefined;
  usoCfdi: string;
  email?: string | null | undefined;
  whatsappPhone?: string | null | undefined;
}

export interface NewCustomer extends CustomerFiscal {
  id: string;
  razonSocial: string;
  /** Must be a contact of the tenant (else the batch fails on CUSTOMER_CONTACT_FK). */
  contactId?: string | null | undefined;
  phone?: string | null | undefined;
  address?: Record<string, unknown> | null | undefined;
}

export function insertCustomer(actor: Actor, customer: NewCustomer): Statement<CustomerRow[]> {
  return query((db) =>
    db
      .insert(customers)
      .values({
        id: customer.id,
        tenantId: actor.tenantId,
        contactId: customer.contactId ? tenantReference(contacts, customer.contactId, actor.tenantId) : null,
        rfc: customer.rfc ?? null,
        razonSocial: customer.razonSocial,
        regimenFiscal: customer.regimenFiscal ?? null,
        codigoPostal: customer.codigoPostal ?? null,
        usoCfdi: customer.usoCfdi,
        email: customer.email ?? null,
        phone: customer.phone ?? null,
        whatsappPhone: customer.whatsappPhone ?? null,
        address: customer.address ?? null,
      })
      .returning(),
  );
}

function customerEventSpec(actor: Actor, type: EventType, id: string): Omit<OutboxEventSpec, "table"> {
  return {
    type,
    context: "customers",
    rowId: id,
    tenantId: actor.tenantId,
    userId: actor.userId,
    correlationId: actor.correlationId,
  };
}

/** The event about one customer, its payload the row as this batch left it (nothing if the row is absent). */
export function customerEvent(actor: Actor, type: EventType, id: string): Statement<CloudEvent[]> {
  return outboxEvents({ ...customerEventSpec(actor, type, id), table: customers });
}

export interface CustomerFromLead extends Partial<CustomerFiscal> {
  id: string;
  usoCfdi: string;
  razonSocial?: string | null | undefined;
}

/**
 * Converting a lead: the customer is built from the lead and its contact (razón social defaults to
 * the company name, then the contact's name, then the lead's title; email to the contact's) and
 * inserted only if this batch's move set the lead's `converted_customer_id` to this fresh id, which
 * nothing else can have set. With its `Customer.Created` event in the same statement.
 */
export function insertCustomerFromLead(
  actor: Actor,
  leadId: string,
  customer: CustomerFromLead,
): Statement<CloudEvent[]> {
  const insert = sql`insert into ${customers}
        (id, tenant_id, lead_id, contact_id, rfc, razon_social, regimen_fiscal, codigo_postal, uso_cfdi, email, phone, whatsapp_phone)
      select ${customer.id}::uuid, l.tenant_id, l.id, l.contact_id, ${customer.rfc ?? null},
             coalesce(${customer.razonSocial ?? null}, l.company_name, nullif(trim(ct.first_name || ' ' || coalesce(ct.last_name, '')), ''), l.title),
             ${customer.regimenFiscal ?? null}, ${customer.codigoPostal ?? null}, ${customer.usoCfdi},
             coalesce(${customer.email ?? null}, ct.email), ct.phone, ${customer.whatsappPhone ?? null}
      from ${leads} l left join ${contacts} ct on ct.id = l.contact_id
      where l.id = ${leadId}::uuid and l.tenant_id = ${actor.tenantId}::uuid and l.converted_customer_id = ${customer.id}::uuid
      returning *`;
  return writeWithEventStatement(insert, customerEventSpec(actor, "Customer.Created", customer.id));
}

export function getCustomer(tenantId: string, id: string): Statement<CustomerRow[]> {
  return query((db) =>
    db
      .select()
      .from(customers)
      .where(and(eq(customers.tenantId, tenantId), eq(customers.id, id))),
  );
}

export type CustomerChanges = Partial<Omit<NewCustomer, "id">>;

/**
 * A guarded update with its `Customer.Updated` event in the same statement: with `version`, only
 * that version is written. The events it wrote: none when the customer is absent or the version
 * is no longer current.
 */
export function updateCustomer(
  actor: Actor,
  id: string,
  changes: CustomerChanges,
  version: number | undefined,
): Statement<CloudEvent[]> {
  const { contactId, ...fields } = changes;
  const set: PgUpdateSetSource<typeof customers> = {
    ...fields,
    version: sql`${customers.version} + 1`,
    updatedAt: sql`now()`,
  };
  if (contactId !== undefined)
    set.contactId = contactId === null ? null : tenantReference(contacts, contactId, actor.tenantId);
  const mine = and(eq(customers.tenantId, actor.tenantId), eq(customers.id, id));
  const where = version === undefined ? mine : and(mine, eq(customers.version, version));
  return builtWith((db) =>
    writeWithEventStatement(
      db.update(customers).set(set).where(where).returning(),
      customerEventSpec(actor, "Customer.Updated", id),
    ),
  );
}

export function deleteCustomer(tenantId: string, id: string): Statement<{ id: string }[]> {
  return query((db) =>
    db
      .delete(customers)
      .where(and(eq(customers.tenantId, tenantId), eq(customers.id, id)))
      .returning({ id: customers.id }),
  );
}

export interface CustomerListFilter {
  /** A LIKE pattern over razón social, RFC and email. */
  q?: string | undefined;
  createdFrom?: string | undefined;
  createdTo?: string | undefined;
}

export const customerSortColumns = { created: customers.createdAt, updated: customers.updatedAt } as const;

/** One page: `after` and `orderBy` come from the keyset cursor (workers/http/pagination.ts). */
export function listCustomers(
  tenantId: string,
  filter: CustomerListFilter,
  page: { after: SQL | undefined; orderBy: SQL[]; limit: number },
): Statement<CustomerRow[]> {
  const where: (SQL | undefined)[] = [eq(customers.tenantId, tenantId), page.after];
  if (filter.q)
    where.push(
      or(ilike(customers.razonSocial, filter.q), ilike(customers.rfc, filter.q), ilike(customers.email, filter.q)),
    );
  if (filter.createdFrom) where.push(gte(customers.createdAt, filter.createdFrom));
  if (filter.createdTo) where.push(lt(customers.createdAt, filter.createdTo));
  return query((db) =>
    db
      .select()
      .from(customers)
      .where(and(...where))
      .orderBy(...page.orderBy)
      .limit(page.limit),
  );
}
