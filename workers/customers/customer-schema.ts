import { z } from "@hono/zod-openapi";
import { checkFiscalData, isGenericRfc, normalizeRfc, type FiscalInput } from "../../core/customers/fiscal.ts";
import { CUSTOMER_CONTACT_FK, type CustomerRow } from "../../db/customers/customer-store.ts";
import { CustomFieldsSchema, EmailSchema, PhoneInputSchema } from "../contacts/contact-schema.ts";
import { findPgError } from "../http/error-handler.ts";
import { AppError } from "../http/problem.ts";

export const CustomerSchema = z
  .object({
    id: z.uuid(),
    leadId: z.uuid().nullable().openapi({ description: "The lead this customer was converted from" }),
    contactId: z.uuid().nullable(),
    rfc: z.string().nullable().openapi({ example: "CSR920315AB1" }),
    razonSocial: z.string().openapi({ example: "CLINICA SAN RAFAEL" }),
    regimenFiscal: z.string().nullable().openapi({ example: "601", description: "c_RegimenFiscal" }),
    codigoPostal: z.string().nullable().openapi({ example: "44100" }),
    usoCfdi: z.string().openapi({ example: "G03", description: "c_UsoCFDI" }),
    email: z.string().nullable(),
    phone: z.string().nullable().openapi({ description: "E.164" }),
    whatsappPhone: z.string().nullable().openapi({ description: "E.164" }),
    address: z.record(z.string(), z.unknown()).nullable(),
    version: z.number().int().openapi({ description: 'Also the ETag (`"v{version}"`)' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Customer");

export type Customer = z.infer<typeof CustomerSchema>;

export function toCustomer(row: CustomerRow): Customer {
  return {
    id: row.id,
    leadId: row.leadId,
    contactId: row.contactId,
    rfc: row.rfc,
    razonSocial: row.razonSocial,
    regimenFiscal: row.regimenFiscal,
    codigoPostal: row.codigoPostal,
    usoCfdi: row.usoCfdi,
    email: row.email,
    phone: row.phone,
    whatsappPhone: row.whatsappPhone,
    address: row.address,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export const RfcInputSchema = z.string().max(20).transform(normalizeRfc).openapi({
  type: "string",
  example: "csr920315ab1",
  description: "Stored upper-case; format and embedded date are checked (XAXX010101000 / XEXX010101000 allowed)",
});

/** Fiscal data as sent; catalog and combination rules are checked by `fiscalProblem`. */
export const FiscalInputSchema = z.object({
  rfc: RfcInputSchema.nullish(),
  razonSocial: z.string().trim().min(1).max(300).openapi({ example: "Clínica San Rafael" }),
  regimenFiscal: z.string().trim().max(3).nullish().openapi({ example: "601" }),
  codigoPostal: z.string().trim().max(10).nullish().openapi({ example: "44100" }),
  usoCfdi: z
    .string()
    .trim()
    .max(4)
    .optional()
    .openapi({ example: "G03", description: "Default G03 (S01 with a generic RFC)" }),
  email: EmailSchema.nullish(),
  whatsappPhone: PhoneInputSchema.nullish(),
});

export const CustomerInputSchema = FiscalInputSchema.extend({
  phone: PhoneInputSchema.nullish(),
  contactId: z.uuid().nullish(),
  address: CustomFieldsSchema.nullish().openapi({
    description: "Free-form postal address (calle, colonia, municipio, estado…)",
  }),
});

/** SAT: with a generic RFC the uso must be S01; otherwise "Gastos en general" is the usual default. */
export function defaultUsoCfdi(rfc: string | null | undefined): string {
  return rfc && isGenericRfc(rfc) ? "S01" : "G03";
}

/** 422 with one Spanish field error per issue (the CFDI receptor rules), or undefined when usable. */
export function fiscalProblem(input: FiscalInput, pathPrefix = "body"): AppError | undefined {
  const issues = checkFiscalData(input);
  if (issues.length === 0) return undefined;
  return new AppError("UNPROCESSABLE", "los datos fiscales no son válidos para emitir un CFDI", {
    errors: issues.map((i) => ({ path: `${pathPrefix}.${i.field}`, message: i.message, code: i.code })),
  });
}

/** A 23503 from the customer's contact reference: the contact does not exist in this tenant. */
export function missingContact(err: unknown): AppError | undefined {
  const pg = findPgError(err);
  if (pg?.code !== "23503" || pg.constraint !== CUSTOMER_CONTACT_FK) return undefined;
  return new AppError("UNPROCESSABLE", "contact not found", {
    errors: [{ path: "body.contactId", message: "not found", code: "not_found" }],
  });
}
