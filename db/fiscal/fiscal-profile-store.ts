import { and, eq, isNull, or, sql } from "drizzle-orm";
import type { PacEnvironment, PacProvider } from "../../core/fiscal/fiscal-profile.ts";
import { fiscalProfiles } from "../schema/fiscal.ts";
import { query, rows, type Statement } from "../statement.ts";
import { buildEvent } from "../../core/events/cloudevents.ts";

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
  /** Undefined: kept as it is (off for a new profile). */
  autoInvoiceOnAccept?: boolean;
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
        ...(f.autoInvoiceOnAccept === undefined ? {} : { autoInvoiceOnAccept: f.autoInvoiceOnAccept }),
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
          ...(f.autoInvoiceOnAccept === undefined ? {} : { autoInvoiceOnAccept: f.autoInvoiceOnAccept }),
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

/** Days before a CSD's end when the account is warned (issue 13). */
export const CSD_WARNING_DAYS = [30, 7, 1] as const;

export interface CsdExpiryWarning {
  id: string;
  bytes: number;
  noCertificado: string;
  validTo: string;
  threshold: number;
}

/**
 * CFDI.CsdExpiring when the tenant's CSD has entered a warning window (30, 7 or 1 days before it
 * ends, the narrowest one it is in): one event per certificate and window, whatever the number of
 * runs — the event id is derived from (tenant, certificate, window). A new CSD starts over.
 */
export function csdExpiryWarning(tenantId: string, now: Date): Statement<CsdExpiryWarning[]> {
  const envelope = buildEvent({ type: "CFDI.CsdExpiring", tenantId, context: "invoicing", data: null });
  const at = sql`${now.toISOString()}::timestamptz`;
  return rows(
    sql`with due as (
      select f.tenant_id, f.csd_no_certificado as no_certificado, f.csd_valid_to as valid_to,
             (select min(d) from unnest(${sql.raw(`array[${CSD_WARNING_DAYS.join(",")}]`)}::int[]) d
               where f.csd_valid_to <= ${at} + make_interval(days => d)) as threshold
      from fiscal_profiles f
      where f.tenant_id = ${tenantId} and f.csd_no_certificado is not null and f.csd_valid_to > ${at}
    ), ids as (
      select *, md5(tenant_id::text || '/csd-expiring/' || no_certificado || '/' || threshold)::uuid as id
      from due where threshold is not null
    )
    insert into outbox (id, tenant_id, type, event)
    select ids.id, ids.tenant_id, 'CFDI.CsdExpiring',
           ${JSON.stringify(envelope)}::jsonb || jsonb_build_object('id', ids.id, 'subject', ids.no_certificado,
             'data', jsonb_build_object('noCertificado', ids.no_certificado,
               'validTo', to_char(ids.valid_to at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
               'warningDays', ids.threshold,
               'daysLeft', floor(extract(epoch from ids.valid_to - ${at}) / 86400)::int))
    from ids
    on conflict (id) do nothing
    returning id, octet_length(event::text) as bytes, event->'data'->>'noCertificado' as no_certificado,
              event->'data'->>'validTo' as valid_to, (event->'data'->>'warningDays')::int as threshold`,
    (row) => ({
      id: String(row.id),
      bytes: Number(row.bytes),
      noCertificado: String(row.no_certificado),
      validTo: String(row.valid_to),
      threshold: Number(row.threshold),
    }),
  );
}
