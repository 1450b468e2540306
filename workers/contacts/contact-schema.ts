import { z } from "@hono/zod-openapi";
import { normalizePhone } from "../../core/contacts/phone.ts";
import type { contacts } from "../../db/schema/crm.ts";

export const ContactSchema = z
  .object({
    id: z.uuid(),
    firstName: z.string().openapi({ example: "Lucía" }),
    lastName: z.string().nullable().openapi({ example: "Hernández Vega" }),
    email: z.string().nullable().openapi({ example: "lucia@clinicasanrafael.mx" }),
    phone: z.string().nullable().openapi({ example: "+523312345678", description: "E.164" }),
    companyName: z.string().nullable(),
    jobTitle: z.string().nullable(),
    notes: z.string().nullable(),
    customFields: z.record(z.string(), z.unknown()),
    createdBy: z.uuid().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Contact");

export type Contact = z.infer<typeof ContactSchema>;

export function toContact(row: typeof contacts.$inferSelect): Contact {
  return {
    id: row.id,
    firstName: row.firstName,
    lastName: row.lastName,
    email: row.email,
    phone: row.phone,
    companyName: row.companyName,
    jobTitle: row.jobTitle,
    notes: row.notes,
    customFields: row.customFields,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const MAX_CUSTOM_FIELDS_BYTES = 8 * 1024;

/** Free-form JSON object, bounded so one record cannot carry megabytes. */
export const CustomFieldsSchema = z
  .record(z.string().max(64), z.unknown())
  .refine((v) => new TextEncoder().encode(JSON.stringify(v)).length <= MAX_CUSTOM_FIELDS_BYTES, {
    message: `custom fields must serialise to at most ${MAX_CUSTOM_FIELDS_BYTES} bytes`,
  });

/** Accepts what people type ("55 1234 5678", "+52 1 55…") and yields E.164, or a field error. */
export const PhoneInputSchema = z
  .string()
  .max(32)
  .transform((value, ctx) => {
    const result = normalizePhone(value, "MX");
    if (!result.ok) {
      ctx.addIssue({ code: "custom", message: result.reason });
      return z.NEVER;
    }
    return result.e164;
  })
  .openapi({ type: "string", example: "55 1234 5678", description: "Normalised to E.164 (+52… for Mexican numbers)" });

export const EmailSchema = z
  .email({ error: "correo electrónico inválido" })
  .max(254)
  .transform((v) => v.trim().toLowerCase());

export const ContactInputSchema = z.object({
  firstName: z.string().trim().min(1).max(120),
  lastName: z.string().trim().max(120).nullish(),
  email: EmailSchema.nullish(),
  phone: PhoneInputSchema.nullish(),
  companyName: z.string().trim().max(200).nullish(),
  jobTitle: z.string().trim().max(120).nullish(),
  notes: z.string().max(10_000).nullish(),
  customFields: CustomFieldsSchema.optional(),
});
