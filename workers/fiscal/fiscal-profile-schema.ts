import { z } from "@hono/zod-openapi";
import { PAC_ENVIRONMENTS, PAC_PROVIDERS } from "../../core/fiscal/fiscal-profile.ts";
import { CSD_WARNING_DAYS, type FiscalProfileRow } from "../../db/fiscal/fiscal-profile-store.ts";

const DAY_MS = 86_400_000;

export const CsdSchema = z
  .object({
    noCertificado: z.string().openapi({ example: "30001000000500003416" }),
    rfc: z.string().openapi({ example: "EKU9003173C9" }),
    validFrom: z.string().openapi({ example: "2023-05-18T11:43:51.000Z" }),
    validTo: z.string().openapi({ example: "2027-05-18T11:43:51.000Z" }),
    daysLeft: z.number().int().openapi({ description: "Whole days until validTo (negative once expired)" }),
    status: z.enum(["valid", "expiring", "expired"]).openapi({
      description: `expiring within ${CSD_WARNING_DAYS[0]} days; an expired CSD cannot seal`,
    }),
  })
  .openapi("Csd");
export type CsdBody = z.infer<typeof CsdSchema>;

export const FiscalProfileSchema = z
  .object({
    rfc: z.string().openapi({ example: "EKU9003173C9" }),
    razonSocial: z.string().openapi({ example: "ESCUELA KEMPER URGATE" }),
    regimenFiscal: z.string().openapi({ example: "601" }),
    lugarExpedicion: z.string().openapi({ example: "86000", description: "Código postal of the place of issue" }),
    serie: z.string().nullable().openapi({ example: "A" }),
    nextFolio: z.number().int().openapi({ example: 1 }),
    autoInvoiceOnAccept: z.boolean().openapi({
      description: "An accepted proposal is invoiced and stamped automatically; a failure becomes a task for its owner",
    }),
    csd: CsdSchema.nullable(),
    pac: z
      .object({
        provider: z.enum(PAC_PROVIDERS),
        environment: z.enum(PAC_ENVIRONMENTS),
        credentialsSet: z.boolean(),
      })
      .nullable(),
    version: z.number().int(),
    updatedAt: z.string(),
  })
  .openapi("FiscalProfile");
export type FiscalProfileBody = z.infer<typeof FiscalProfileSchema>;

export function toCsd(row: FiscalProfileRow, now = Date.now()): CsdBody | null {
  if (!row.csdNoCertificado || !row.csdValidFrom || !row.csdValidTo) return null;
  const left = new Date(row.csdValidTo).getTime() - now;
  const daysLeft = Math.floor(left / DAY_MS);
  return {
    noCertificado: row.csdNoCertificado,
    rfc: row.rfc,
    validFrom: row.csdValidFrom,
    validTo: row.csdValidTo,
    daysLeft,
    status: left <= 0 ? "expired" : daysLeft < CSD_WARNING_DAYS[0] ? "expiring" : "valid",
  };
}

export function toFiscalProfile(row: FiscalProfileRow): FiscalProfileBody {
  return {
    rfc: row.rfc,
    razonSocial: row.razonSocial,
    regimenFiscal: row.regimenFiscal,
    lugarExpedicion: row.lugarExpedicion,
    serie: row.serie,
    nextFolio: row.nextFolio,
    autoInvoiceOnAccept: row.autoInvoiceOnAccept,
    csd: toCsd(row),
    pac:
      row.pacProvider && row.pacEnvironment
        ? {
            provider: row.pacProvider,
            environment: row.pacEnvironment,
            credentialsSet: row.pacCredentialsEnvelope !== null,
          }
        : null,
    version: row.version,
    updatedAt: row.updatedAt,
  };
}

export const PutFiscalProfileSchema = z
  .object({
    rfc: z
      .string()
      .min(12)
      .max(13)
      .transform((s) => s.trim().toUpperCase())
      .openapi({ example: "EKU9003173C9", description: "12 characters (persona moral) or 13 (física)" }),
    razonSocial: z.string().min(1).max(254).openapi({
      example: "ESCUELA KEMPER URGATE",
      description: "As in the Constancia de Situación Fiscal, without the régimen societario (SA de CV)",
    }),
    regimenFiscal: z
      .string()
      .regex(/^[0-9]{3}$/, "clave de 3 dígitos del catálogo c_RegimenFiscal")
      .openapi({ example: "601" }),
    lugarExpedicion: z
      .string()
      .regex(/^[0-9]{5}$/, "código postal de 5 dígitos")
      .openapi({ example: "86000" }),
    serie: z.string().min(1).max(25).nullable().optional().openapi({ example: "A" }),
    nextFolio: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional().openapi({ example: 1 }),
    autoInvoiceOnAccept: z.boolean().optional().openapi({
      description: "Invoice and stamp accepted proposals automatically (left out: kept; off for a new profile)",
    }),
  })
  .openapi("PutFiscalProfile");
