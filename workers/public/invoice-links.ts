import type { Context } from "hono";
import { ensureCfdiPdf } from "../../r2/cfdi-archive.ts";
import type { HonoEnv } from "../context.ts";
import { issueDocumentLink } from "../documents/document-links.ts";
import type { PublicProposal } from "./public-proposal.ts";

export interface InvoiceLinks {
  xml: string;
  pdf: string;
  /** "A-12" or the UUID when the invoice has no serie/folio. */
  label: string;
}

/**
 * The customer's links to an accepted proposal's stamped invoice: signed, 15-minute
 * `/documents/{token}` URLs to the XML and PDF in R2 (the PDF is rendered the first time). The page
 * still renders without them (no ENCRYPTION_SECRET, R2 trouble): the invoice is the seller's to
 * send then, and the failure is logged.
 */
export async function invoiceLinks(c: Context<HonoEnv>, p: PublicProposal): Promise<InvoiceLinks | null> {
  const invoice = p.invoice;
  const bucket = c.env.DOCUMENTS;
  if (!invoice || !bucket) return null;
  const base = `${invoice.serie ?? ""}${invoice.folio ?? ""}-${invoice.uuid}`;
  try {
    const pdf = await ensureCfdiPdf(
      bucket,
      { tenantId: p.tenantId, uuid: invoice.uuid, fechaTimbrado: invoice.fechaTimbrado },
      invoice.xmlR2Key,
    );
    const [xmlLink, pdfLink] = await Promise.all([
      issueDocumentLink(c, { key: invoice.xmlR2Key, filename: `${base}.xml`, contentType: "application/xml" }),
      issueDocumentLink(c, { key: pdf.key, filename: `${base}.pdf`, contentType: "application/pdf" }),
    ]);
    const label =
      invoice.serie || invoice.folio
        ? `${invoice.serie ?? ""}${invoice.serie && invoice.folio ? "-" : ""}${invoice.folio ?? ""}`
        : invoice.uuid;
    return { xml: xmlLink.url, pdf: pdfLink.url, label };
  } catch (err) {
    c.get("logger").warn("invoice links for the public page failed", { proposalId: p.id }, err);
    return null;
  }
}
