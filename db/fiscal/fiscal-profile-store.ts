import { and, eq, isNull, or, sql } from "drizzle-orm";
import type { PacEnvironment, PacProvider } from "../../core/fiscal/fiscal-profile.ts";
import { fiscalProfiles } from "../schema/fiscal.ts";
import { query, type Statement } from "../statement.ts";

// The tenant's issuer profile (db/schema/fiscal.ts): one row per tenant, under RLS.

export type FiscalProfileRow = typeof fiscalProfiles.$inferSelect;

export interface FiscalProfileFields {
  rfc: string;
  razonSocial: string;
  regimenFiscal: string;
  lugarExpedicion: string;
  /** Undefined: kept as it is (none for a new profile). */
  serie?: string | null;
  /** Undefined: the counter is kept (1 for a new profile); it only moves by issuing or on purpose. */
  nextFolio?: number;
}

export interface CsdFields {
  certificate: string;
  noCertificado: string;
  validFrom: string;
  validTo: string;
  keyEnvelope: string;
}

export function getFiscalProfile(tenantId: string): Statement<FiscalProfileRow[]> {
  return query((db) => db.select().from(fiscalProfiles).where(eq(fiscalProfiles.tenantId, tenantId)));
}

/**
 * Creates or replaces the profile's own fields. Refused (no row back) when a CSD is loaded and the
 * RFC would change: the certificate belongs to one RFC, and every CFDI must carry both the same.
 * With `ifVersion`, only that version is replaced.
 */
export function putFiscalProfile(
  tenantId: string,
  f: FiscalProfileFields,
  ifVersion: number | null,
): Statement<FiscalProfileRow[]> {
  return query((db) =>
    db
      .insert(fiscalProfiles)
      .values({
        tenantId,
        rfc: f.rfc,
        razonSocial: f.razonSocial,
        regimenFiscal: f.regimenFiscal,
        lugarExpedicion: f.lugarExpedicion,
        serie: f.serie ?? null,
        ...(f.nextFolio === undefined ? {} : { nextFolio: f.nextFolio }),
      })
      .onConflictDoUpdate({
        target: fiscalProfiles.tenantId,
        set: {
          rfc: f.rfc,
          razonSocial: f.razonSocial,
          regimenFiscal: f.regimenFiscal,
          lugarExpedicion: f.lugarExpedicion,
          ...(f.serie === undefined ? {} : { serie: f.serie }),
          ...(f.nextFolio === undefined ? {} : { nextFolio: f.nextFolio }),
          version: sql`${fiscalProfiles.version} + 1`,
          updatedAt: sql`now()`,
        },
        setWhere: and(
          or(isNull(fiscalProfiles.csdCertificate), eq(fiscalProfiles.rfc, f.rfc)),
          ifVersion === null ? undefined : eq(fiscalProfiles.version, ifVersion),
        ),
      })
      .returning(),
  );
}

/** Stores a CSD checked against the profile's RFC; no row back when the profile is gone or its RFC moved meanwhile. */
export function setCsd(tenantId: string, rfc: string, csd: CsdFields): Statement<FiscalProfileRow[]> {
  return query((db) =>
    db
      .update(fiscalProfiles)
      .set({
        csdCertificate: csd.certificate,
        csdNoCertificado: csd.noCertificado,
        csdValidFrom: csd.validFrom,
        csdValidTo: csd.validTo,
        csdKeyEnvelope: csd.keyEnvelope,
        version: sql`${fiscalProfiles.version} + 1`,
        updatedAt: sql`now()`,
      })
      .where(and(eq(fiscalProfiles.tenantId, tenantId), eq(fiscalProfiles.rfc, rfc)))
      .returning(),
  );
}

export function setPac(
  tenantId: string,
  pac: { provider: PacProvider; environment: PacEnvironment; credentialsEnvelope: string | null },
): Statement<FiscalProfileRow[]> {
  return query((db) =>
    db
      .update(fiscalProfiles)
      .set({
        pacProvider: pac.provider,
        pacEnvironment: pac.environment,
        pacCredentialsEnvelope: pac.credentialsEnvelope,
        version: sql`${fiscalProfiles.version} + 1`,
        updatedAt: sql`now()`,
      })
      .where(eq(fiscalProfiles.tenantId, tenantId))
      .returning(),
  );
}
