import { z } from "@hono/zod-openapi";
import { checkFiscalData } from "../../core/customers/fiscal.ts";
import { LEAD_STATUSES } from "../../core/leads/lead-status.ts";
import { findPgError } from "../http/error-handler.ts";
import { AppError } from "../http/problem.ts";
import { ContactInputSchema, CustomFieldsSchema } from "../contacts/contact-schema.ts";
import { RfcInputSchema } from "../customers/customer-schema.ts";
import { leadReferenceField, type LeadRow } from "../../db/leads/lead-store.ts";

export const LeadSchema = z
  .object({
    id: z.uuid(),
    title: z.string().openapi({ example: "Equipamiento de consultorios, 3 sucursales" }),
    status: z.enum(LEAD_STATUSES),
    contactId: z.uuid().nullable(),
    sourceId: z.uuid().nullable(),
    ownerId: z.uuid().nullable(),
    companyName: z.string().nullable().openapi({ example: "Clínica San Rafael" }),
    companyRfc: z.string().nullable().openapi({ example: "CSR100825QW2" }),
    industry: z.string().nullable(),
    estimatedValue: z.string().nullable().openapi({ example: "185000.00", description: "Decimal string, 2 decimals" }),
    currency: z.string().openapi({ example: "MXN" }),
    lostReason: z.string().nullable(),
    score: z.number().int().nullable().openapi({ description: "0–100, set by the scoring job; read-only" }),
    scoreUpdatedAt: z.string().nullable(),
    nextFollowUpAt: z.string().nullable(),
    customFields: z.record(z.string(), z.unknown()),
    convertedCustomerId: z.uuid().nullable(),
    convertedAt: z.string().nullable(),
    version: z.number().int().openapi({ description: 'Also the ETag (`"v{version}"`)' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Lead");

export type Lead = z.infer<typeof LeadSchema>;

export function toLead(row: LeadRow): Lead {
  return {
    id: row.id,
    title: row.title,
    status: row.status,
    contactId: row.contactId,
    sourceId: row.sourceId,
    ownerId: row.ownerId,
    companyName: row.companyName,
    companyRfc: row.companyRfc,
    industry: row.industry,
    estimatedValue: row.estimatedValue,
    currency: row.currency,
    lostReason: row.lostReason,
    score: row.score,
    scoreUpdatedAt: row.scoreUpdatedAt,
    nextFollowUpAt: row.nextFollowUpAt,
    customFields: row.customFields,
    convertedCustomerId: row.convertedCustomerId,
    convertedAt: row.convertedAt,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** numeric(14,2): at most 12 integer digits and 2 decimals, non-negative, as a string (never a float). */
export const MoneySchema = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,11})(\.[0-9]{1,2})?$/, {
    error: 'a non-negative decimal string with up to 2 decimals, e.g. "185000.00"',
  })
  .openapi({ example: "185000.00" });

/** A field the API returns but never accepts: present in a body → 400 naming it (zod would silently strip it). */
const readOnly = (field: string, hint: string) =>
  z
    .unknown()
    .refine(() => false, { error: `${field} is read-only here; ${hint}` })
    .optional()
    .openapi({ description: `Read-only: sending it is a 400 (${hint})` });

/** Fields shared by create and PATCH. */
const LeadFields = {
  title: z.string().trim().min(1).max(200),
  sourceId: z.uuid().nullish(),
  ownerId: z.uuid().nullish().openapi({ description: "A user of this tenant; default: the caller" }),
  companyName: z.string().trim().max(200).nullish(),
  companyRfc: RfcInputSchema.nullish(),
  industry: z.string().trim().max(120).nullish(),
  estimatedValue: MoneySchema.nullish(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, { error: "ISO 4217 code, e.g. MXN" })
    .optional()
    .openapi({ example: "MXN", description: "Default MXN" }),
  customFields: CustomFieldsSchema.optional(),
  nextFollowUpAt: z.iso.datetime({ offset: true }).nullish(),
  status: readOnly("status", "use POST /v1/leads/{id}/contact, /qualify, /lose or /convert"),
  score: readOnly("score", "it is set by the scoring job"),
};

export const LeadInputSchema = z
  .object({
    ...LeadFields,
    contactId: z
      .uuid()
      .nullish()
      .openapi({ description: "An existing contact; or send `contact` to create one in the same request" }),
    contact: ContactInputSchema.optional().openapi({
      description: "A new contact created with the lead (409 with `existingId` if its email or phone exists)",
    }),
  })
  .refine((v) => !(v.contactId && v.contact), { message: "send contactId or contact, not both", path: ["contact"] });

export const LeadPatchSchema = z
  .object({ ...LeadFields, title: LeadFields.title.optional(), contactId: z.uuid().nullish() })
  .refine((v) => Object.keys(v).length > 0, { message: "send at least one field" });

/** The company RFC is not fiscal data for a CFDI yet, but it must be a possible RFC (422 otherwise). */
export function companyRfcProblem(rfc: string | null | undefined): AppError | undefined {
  if (!rfc) return undefined;
  const issues = checkFiscalData({ rfc });
  if (issues.length === 0) return undefined;
  return new AppError("UNPROCESSABLE", "companyRfc is not a valid RFC", {
    errors: issues.map((i) => ({ path: "body.companyRfc", message: i.message, code: i.code })),
  });
}

/** 23503 from a `tenantReference` on a lead column: the contact/source/owner is not in this tenant. */
export function missingReference(err: unknown): AppError | undefined {
  const pg = findPgError(err);
  const field = pg?.code === "23503" ? leadReferenceField(pg.constraint) : undefined;
  if (!field) return undefined;
  const what =
    field === "ownerId"
      ? "owner is not a user of this tenant"
      : `${field === "contactId" ? "contact" : "lead source"} not found`;
  return new AppError("UNPROCESSABLE", what, {
    errors: [{ path: `body.${field}`, message: "not found", code: "not_found" }],
  });
}
