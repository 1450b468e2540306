import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { LEAD_STATUSES } from "../../core/leads/lead-status.ts";
import { PROPOSAL_STATUSES } from "../../core/proposals/proposal-status.ts";
import { createdAt, id, tenantId, tstz, updatedAt } from "./columns.ts";
import { tenants, users } from "./tenants.ts";

// The seed's email CHECK used `[A-Z|a-z]`, which accepts `|`; one case-insensitive class instead.
const EMAIL_RE = "'^[A-Z0-9._%+-]+@[A-Z0-9.-]+\\.[A-Z]{2,}$'";
const E164_RE = "'^\\+[1-9][0-9]{7,14}$'";
// SAT RFC: 3 letters (moral) or 4 (física), YYMMDD, 3-char homoclave.
const RFC_RE = "'^[A-ZÑ&]{3,4}[0-9]{6}[A-Z0-9]{3}$'";

const tenantRef = () => tenantId().references(() => tenants.id, { onDelete: "cascade" });

export const contacts = pgTable(
  "contacts",
  {
    id: id(),
    tenantId: tenantRef(),
    firstName: text("first_name").notNull(),
    lastName: text("last_name"),
    email: text("email"),
    phone: text("phone"),
    companyName: text("company_name"),
    jobTitle: text("job_title"),
    notes: text("notes"),
    customFields: jsonb("custom_fields").$type<Record<string, unknown>>().notNull().default({}),
    createdBy: uuid("created_by"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check("contacts_email_format", sql`${t.email} IS NULL OR ${t.email} ~* ${sql.raw(EMAIL_RE)}`),
    check("contacts_phone_e164", sql`${t.phone} IS NULL OR ${t.phone} ~ ${sql.raw(E164_RE)}`),
    uniqueIndex("contacts_tenant_email_key")
      .on(t.tenantId, sql`lower(${t.email})`)
      .where(sql`${t.email} IS NOT NULL`),
    uniqueIndex("contacts_tenant_phone_key")
      .on(t.tenantId, t.phone)
      .where(sql`${t.phone} IS NOT NULL`),
    index("contacts_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
  ],
);

export const leadSources = pgTable(
  "lead_sources",
  {
    id: id(),
    tenantId: tenantRef(),
    name: text("name").notNull(),
    description: text("description"),
    isActive: boolean("is_active").notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("lead_sources_tenant_name_key").on(t.tenantId, sql`lower(${t.name})`)],
);

export const leads = pgTable(
  "leads",
  {
    id: id(),
    tenantId: tenantRef(),
    contactId: uuid("contact_id").references(() => contacts.id, { onDelete: "set null" }),
    sourceId: uuid("source_id").references(() => leadSources.id, { onDelete: "set null" }),
    ownerId: uuid("owner_id").references(() => users.id, { onDelete: "set null" }),
    title: text("title").notNull(),
    companyName: text("company_name"),
    companyRfc: text("company_rfc"),
    industry: text("industry"),
    // Money as numeric (exact decimal), never float.
    estimatedValue: numeric("estimated_value", { precision: 14, scale: 2 }),
    currency: text("currency").notNull().default("MXN"),
    status: text("status", { enum: LEAD_STATUSES }).notNull().default("new"),
    lostReason: text("lost_reason"),
    score: integer("score"),
    scoreUpdatedAt: tstz("score_updated_at"),
    nextFollowUpAt: tstz("next_follow_up_at"),
    customFields: jsonb("custom_fields").$type<Record<string, unknown>>().notNull().default({}),
    convertedCustomerId: uuid("converted_customer_id"),
    convertedAt: tstz("converted_at"),
    version: integer("version").notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check("leads_score_range", sql`${t.score} IS NULL OR ${t.score} BETWEEN 0 AND 100`),
    check("leads_lost_reason", sql`${t.status} <> 'lost' OR ${t.lostReason} IS NOT NULL`),
    index("leads_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
    index("leads_tenant_status_idx").on(t.tenantId, t.status),
  ],
);

// Referenced by proposals, CFDI, MSI and WhatsApp but never defined in the seed.
export const customers = pgTable(
  "customers",
  {
    id: id(),
    tenantId: tenantRef(),
    leadId: uuid("lead_id").references(() => leads.id, { onDelete: "set null" }),
    contactId: uuid("contact_id").references(() => contacts.id, { onDelete: "set null" }),
    rfc: text("rfc"),
    razonSocial: text("razon_social").notNull(),
    regimenFiscal: text("regimen_fiscal"),
    codigoPostal: text("codigo_postal"),
    usoCfdi: text("uso_cfdi").notNull().default("G03"),
    email: text("email"),
    phone: text("phone"),
    whatsappPhone: text("whatsapp_phone"),
    address: jsonb("address").$type<Record<string, unknown>>(),
    version: integer("version").notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check("customers_rfc_format", sql`${t.rfc} IS NULL OR ${t.rfc} ~ ${sql.raw(RFC_RE)}`),
    check("customers_codigo_postal_format", sql`${t.codigoPostal} IS NULL OR ${t.codigoPostal} ~ '^[0-9]{5}$'`),
    check("customers_email_format", sql`${t.email} IS NULL OR ${t.email} ~* ${sql.raw(EMAIL_RE)}`),
    check("customers_whatsapp_e164", sql`${t.whatsappPhone} IS NULL OR ${t.whatsappPhone} ~ ${sql.raw(E164_RE)}`),
    index("customers_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
  ],
);

export const proposals = pgTable(
  "proposals",
  {
    id: id(),
    tenantId: tenantRef(),
    // Unique per tenant (the seed made it globally unique), gap-free per tenant and year.
    proposalNumber: text("proposal_number").notNull(),
    numberYear: integer("number_year").notNull(),
    numberSeq: integer("number_seq").notNull(),
    title: text("title").notNull(),
    leadId: uuid("lead_id").references(() => leads.id, { onDelete: "set null" }),
    customerId: uuid("customer_id").references(() => customers.id, { onDelete: "set null" }),
    currency: text("currency").notNull().default("MXN"),
    exchangeRate: numeric("exchange_rate", { precision: 18, scale: 6 }).notNull().default("1"),
    validUntil: date("valid_until", { mode: "string" }),
    notes: text("notes"),
    terms: text("terms"),
    status: text("status", { enum: PROPOSAL_STATUSES }).notNull().default("draft"),
    subtotal: numeric("subtotal", { precision: 14, scale: 2 }).notNull().default("0"),
    discountTotal: numeric("discount_total", { precision: 14, scale: 2 }).notNull().default("0"),
    taxTotal: numeric("tax_total", { precision: 14, scale: 2 }).notNull().default("0"),
    total: numeric("total", { precision: 14, scale: 2 }).notNull().default("0"),
    sentAt: tstz("sent_at"),
    viewedAt: tstz("viewed_at"),
    acceptedAt: tstz("accepted_at"),
    rejectedAt: tstz("rejected_at"),
    expiredAt: tstz("expired_at"),
    acceptedByName: text("accepted_by_name"),
    acceptedByRfc: text("accepted_by_rfc"),
    acceptedByEmail: text("accepted_by_email"),
    decisionIp: text("decision_ip"),
    decisionUserAgent: text("decision_user_agent"),
    rejectionReason: text("rejection_reason"),
    // Public link: only a SHA-256 of the token is stored.
    publicTokenHash: text("public_token_hash"),
    publicTokenCreatedAt: tstz("public_token_created_at"),
    publicTokenRevokedAt: tstz("public_token_revoked_at"),
    createdBy: uuid("created_by"),
    version: integer("version").notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("proposals_tenant_number_key").on(t.tenantId, t.proposalNumber),
    uniqueIndex("proposals_tenant_year_seq_key").on(t.tenantId, t.numberYear, t.numberSeq),
    uniqueIndex("proposals_public_token_hash_key").on(t.publicTokenHash),
    check("proposals_currency_format", sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check("proposals_exchange_rate_positive", sql`${t.exchangeRate} > 0`),
    index("proposals_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
  ],
);

export const proposalNumberSequences = pgTable(
  "proposal_number_sequences",
  {
    tenantId: tenantRef(),
    year: integer("year").notNull(),
    lastValue: integer("last_value").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.year] })],
);

export const proposalLineItems = pgTable(
  "proposal_line_items",
  {
    id: id(),
    tenantId: tenantRef(),
    proposalId: uuid("proposal_id")
      .notNull()
      .references(() => proposals.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    name: text("name").notNull(),
    description: text("description"),
    quantity: numeric("quantity", { precision: 14, scale: 4 }).notNull(),
    unitPrice: numeric("unit_price", { precision: 16, scale: 4 }).notNull(),
    discountPercent: numeric("discount_percent", { precision: 5, scale: 2 }).notNull().default("0"),
    // null = exento (tax-exempt); otherwise e.g. 0.160000.
    taxRate: numeric("tax_rate", { precision: 7, scale: 6 }),
    satProductKey: text("sat_product_key"),
    satUnitKey: text("sat_unit_key"),
    subtotal: numeric("subtotal", { precision: 14, scale: 2 }).notNull(),
    discount: numeric("discount", { precision: 14, scale: 2 }).notNull(),
    taxableBase: numeric("taxable_base", { precision: 14, scale: 2 }).notNull(),
    tax: numeric("tax", { precision: 14, scale: 2 }).notNull(),
    total: numeric("total", { precision: 14, scale: 2 }).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check("proposal_line_items_quantity_positive", sql`${t.quantity} > 0`),
    check("proposal_line_items_unit_price_nonneg", sql`${t.unitPrice} >= 0`),
    check("proposal_line_items_discount_range", sql`${t.discountPercent} BETWEEN 0 AND 100`),
    check("proposal_line_items_tax_rate_range", sql`${t.taxRate} IS NULL OR ${t.taxRate} BETWEEN 0 AND 1`),
    index("proposal_line_items_proposal_idx").on(t.proposalId, t.position),
  ],
);

export const ACTIVITY_TYPES = ["call", "note", "meeting", "email", "task", "whatsapp", "status_change"] as const;

export const activities = pgTable(
  "activities",
  {
    id: id(),
    tenantId: tenantRef(),
    type: text("type", { enum: ACTIVITY_TYPES }).notNull(),
    leadId: uuid("lead_id").references(() => leads.id, { onDelete: "cascade" }),
    customerId: uuid("customer_id").references(() => customers.id, { onDelete: "cascade" }),
    proposalId: uuid("proposal_id").references(() => proposals.id, { onDelete: "cascade" }),
    userId: uuid("user_id"),
    subject: text("subject"),
    body: text("body"),
    occurredAt: tstz("occurred_at")
      .notNull()
      .default(sql`now()`),
    dueAt: tstz("due_at"),
    completedAt: tstz("completed_at"),
    pinned: boolean("pinned").notNull().default(false),
    // 90-day retention unless pinned (the seed's activity_logs TTL).
    expiresAt: tstz("expires_at").default(sql`now() + interval '90 days'`),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [
    index("activities_tenant_occurred_idx").on(t.tenantId, t.occurredAt, t.id),
    index("activities_expires_idx")
      .on(t.expiresAt)
      .where(sql`${t.pinned} = false`),
  ],
);
