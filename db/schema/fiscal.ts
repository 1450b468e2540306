import { sql } from "drizzle-orm";
import { bigint, boolean, check, integer, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, tstz, updatedAt } from "./columns.ts";
import { tenants } from "./tenants.ts";
import { PAC_ENVIRONMENTS, PAC_PROVIDERS } from "../../core/fiscal/fiscal-profile.ts";

const RFC_RE = "'^[A-ZÑ&]{3,4}[0-9]{6}[A-Z0-9]{3}$'";

/**
 * The tenant as CFDI issuer (emisor): one row per tenant. The CSD's private key is kept only
 * inside an AES-256-GCM envelope (core/cfdi/key-envelope.ts) and its password never; the PAC's
 * credentials likewise (core/encoding/secret-envelope.ts). `version` guards concurrent edits.
 */
export const fiscalProfiles = pgTable(
  "fiscal_profiles",
  {
    tenantId: uuid("tenant_id")
      .primaryKey()
      .references(() => tenants.id, { onDelete: "cascade" }),
    rfc: text("rfc").notNull(),
    razonSocial: text("razon_social").notNull(),
    regimenFiscal: text("regimen_fiscal").notNull(),
    lugarExpedicion: text("lugar_expedicion").notNull(),
    serie: text("serie"),
    nextFolio: bigint("next_folio", { mode: "number" }).notNull().default(1),
    /** The certificate (.cer) as base64 DER: public, needed in every CFDI's Certificado. */
    csdCertificate: text("csd_certificate"),
    csdNoCertificado: text("csd_no_certificado"),
    csdValidFrom: tstz("csd_valid_from"),
    csdValidTo: tstz("csd_valid_to"),
    csdKeyEnvelope: text("csd_key_envelope"),
    pacProvider: text("pac_provider", { enum: PAC_PROVIDERS }),
    pacEnvironment: text("pac_environment", { enum: PAC_ENVIRONMENTS }),
    pacCredentialsEnvelope: text("pac_credentials_envelope"),
    /** Proposal.Accepted → an invoice created and stamped by the stamping queue (issue 13). */
    autoInvoiceOnAccept: boolean("auto_invoice_on_accept").notNull().default(false),
    version: integer("version").notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check("fiscal_profiles_rfc_format", sql`${t.rfc} ~ ${sql.raw(RFC_RE)}`),
    check("fiscal_profiles_regimen_format", sql`${t.regimenFiscal} ~ '^[0-9]{3}$'`),
    check("fiscal_profiles_lugar_expedicion_format", sql`${t.lugarExpedicion} ~ '^[0-9]{5}$'`),
    check(
      "fiscal_profiles_serie_format",
      sql`${t.serie} IS NULL OR (length(${t.serie}) BETWEEN 1 AND 25 AND ${t.serie} !~ '[|]')`,
    ),
    check("fiscal_profiles_next_folio_positive", sql`${t.nextFolio} >= 1`),
    check(
      "fiscal_profiles_csd_complete",
      sql`(${t.csdCertificate} IS NULL) = (${t.csdKeyEnvelope} IS NULL) AND (${t.csdCertificate} IS NULL) = (${t.csdNoCertificado} IS NULL)`,
    ),
    check(
      "fiscal_profiles_pac_provider_check",
      sql`${t.pacProvider} IS NULL OR ${t.pacProvider} IN ('sandbox', 'finkok', 'sw')`,
    ),
    check(
      "fiscal_profiles_pac_environment_check",
      sql`(${t.pacProvider} IS NULL) = (${t.pacEnvironment} IS NULL) AND (${t.pacEnvironment} IS NULL OR ${t.pacEnvironment} IN ('test', 'production'))`,
    ),
  ],
);
