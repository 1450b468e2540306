import { cfdiToPdf } from "../core/cfdi/pdf.ts";

// The CFDI archive in R2 (issue 13): stamped XML (and, next, its PDF) kept for the five years SAT
// requires (CFF art. 30). R2 is the system of record for the bytes; Postgres keeps the index
// (cfdi_invoices.xml_r2_key). Nothing here deletes: the production bucket adds a bucket-lock rule
// with the same retention (README "Deploy"), so not even a mistaken script can.

/** CFF art. 30: accounting records, CFDI included, are kept five years. */
export const RETENTION_YEARS = 5;

export interface ArchivedCfdi {
  tenantId: string;
  uuid: string;
  /** FechaTimbrado as the PAC wrote it ("YYYY-MM-DDTHH:mm:ss", Mexico City time): the key's year and month. */
  fechaTimbrado: string;
  emisorRfc: string;
  receptorRfc: string;
  total: string;
  moneda: string;
}

/** `tenants/{tenantId}/cfdi/{yyyy}/{mm}/{uuid}.{ext}`: by the stamp's month, one object per UUID. */
export function cfdiKey(a: Pick<ArchivedCfdi, "tenantId" | "uuid" | "fechaTimbrado">, ext: "xml" | "pdf"): string {
  const m = /^(\d{4})-(\d{2})-/.exec(a.fechaTimbrado);
  if (!m) throw new TypeError(`FechaTimbrado ${a.fechaTimbrado} is not a date`);
  return `tenants/${a.tenantId}/cfdi/${m[1]}/${m[2]}/${a.uuid.toLowerCase()}.${ext}`;
}

/** Two different stamped XMLs for one UUID: never written over, always an error to look at. */
export class ArchiveConflict extends Error {
  override readonly name = "ArchiveConflict";
}

/** The date before which the object must not be deleted: the stamp's date plus five years. */
export function retainUntil(stampedAt: Date): string {
  const d = new Date(stampedAt);
  d.setUTCFullYear(d.getUTCFullYear() + RETENTION_YEARS);
  return d.toISOString();
}

/**
 * Stores the stamped XML byte for byte, with its index data as metadata. Retried a few times: the
 * stamp has already happened at the PAC, so giving up early would lose it.
 */
export async function archiveStampedXml(
  bucket: R2Bucket,
  a: ArchivedCfdi,
  xml: string,
  stampedAt = new Date(),
): Promise<string> {
  const key = cfdiKey(a, "xml");
  const metadata = {
    emisorRfc: a.emisorRfc,
    receptorRfc: a.receptorRfc,
    total: a.total,
    moneda: a.moneda,
    uuid: a.uuid,
    retainUntil: retainUntil(stampedAt),
  };
  let last: unknown;
  for (const wait of [0, 200, 1_000]) {
    if (wait) await new Promise((r) => setTimeout(r, wait));
    try {
      // A retry that recovered the PAC's earlier stamp finds it archived already: the bucket lock
      // forbids overwriting, and the bytes must be the same ones.
      const existing = await bucket.get(key);
      if (existing) {
        if ((await existing.text()) === xml) return key;
        throw new ArchiveConflict(`R2 already holds a different XML for CFDI ${a.uuid}`);
      }
      await bucket.put(key, xml, {
        httpMetadata: { contentType: "application/xml; charset=utf-8" },
        customMetadata: metadata,
      });
      return key;
    } catch (err) {
      if (err instanceof ArchiveConflict) throw err;
      last = err;
    }
  }
  throw new Error(`archiving CFDI ${a.uuid} in R2 failed`, { cause: last });
}

/**
 * The stamped CFDI's PDF (the engine's, with the SAT QR), rendered from the archived XML the first
 * time it is asked for and kept beside it: a stamped CFDI never changes. `rendered` holds the bytes
 * when this call made them (so the caller need not read them back).
 */
export async function ensureCfdiPdf(
  bucket: R2Bucket,
  a: Pick<ArchivedCfdi, "tenantId" | "uuid" | "fechaTimbrado">,
  xmlKey: string,
): Promise<{ key: string; rendered?: Uint8Array<ArrayBuffer> }> {
  const key = cfdiKey(a, "pdf");
  if (await bucket.head(key)) return { key };
  const xml = await bucket.get(xmlKey);
  if (!xml) throw new Error(`stamped CFDI ${a.uuid} missing from R2 (${xmlKey})`);
  const rendered = (await cfdiToPdf(await xml.text())) as Uint8Array<ArrayBuffer>;
  await bucket.put(key, rendered, {
    httpMetadata: { contentType: "application/pdf" },
    customMetadata: { uuid: a.uuid },
  });
  return { key, rendered };
}
