import type { Context } from "hono";
import { attachmentDisposition } from "../../core/documents/download-link.ts";
import { renderProposalPdf } from "../../core/proposals/proposal-pdf.ts";
import { buildProposalView, type ProposalViewInput } from "../../core/proposals/proposal-view.ts";
import {
  proposalDocument as proposalDocumentRow,
  proposalDocumentItems,
  type LinkedLineItemRow,
  type LinkedProposalRow,
} from "../../db/proposals/public-link-store.ts";
import type { HonoEnv } from "../context.ts";
import { readRun } from "../services.ts";

// A proposal's PDF, wherever it is asked for (the public link's /p/{token}/pdf, the app's
// /v1/proposals/{id}/pdf, a WhatsApp document send): rendered once per proposal version from the
// same row the public page reads, and kept in R2 under the version, so every copy of one version
// is the same bytes.

export interface ProposalDocument {
  id: string;
  tenantId: string;
  version: number;
  view: ProposalViewInput;
}

/** R2 key: tenant-scoped, one object per proposal version (any change bumps the version). */
export function proposalPdfKey(p: Pick<ProposalDocument, "tenantId" | "id" | "version">): string {
  return `tenants/${p.tenantId}/proposals/${p.id}/v${p.version}.pdf`;
}

export function proposalPdfFilename(p: ProposalDocument): string {
  return `${p.view.number}.pdf`;
}

/** A sent or viewed proposal past its validity reads as expired, as the public page shows it. */
export function pastValidity(row: LinkedProposalRow): boolean {
  return row.status === "expired" || (row.pastValidity && (row.status === "sent" || row.status === "viewed"));
}

export function proposalDocument(row: LinkedProposalRow, items: LinkedLineItemRow[]): ProposalDocument {
  return {
    id: row.id,
    tenantId: row.tenantId,
    version: row.version,
    view: {
      tenantName: row.tenantName,
      number: row.proposalNumber,
      title: row.title,
      status: pastValidity(row) ? "expired" : row.status,
      clientName: row.clientName,
      currency: row.currency,
      sentAt: row.sentAt,
      validUntil: row.validUntil,
      decidedAt: row.acceptedAt ?? row.rejectedAt,
      acceptedByName: row.acceptedByName,
      rejectionReason: row.rejectionReason,
      notes: row.notes,
      terms: row.terms,
      timezone: row.timezone,
      items: items.map((i) => ({
        name: i.name,
        description: i.description,
        quantity: i.quantity,
        unitPrice: i.unitPrice,
        discountPercent: i.discountPercent,
        taxRate: i.taxRate,
        total: i.total,
      })),
      totals: { subtotal: row.subtotal, discountTotal: row.discountTotal, taxTotal: row.taxTotal, total: row.total },
    },
  };
}

/** The caller's tenant's proposal `id` as its PDF shows it (one round trip), or null. */
export async function loadProposalDocument(c: Context<HonoEnv>, id: string): Promise<ProposalDocument | null> {
  const tenantId = c.get("auth").tenantId;
  const [rows, items] = await readRun(c, [proposalDocumentRow(tenantId, id), proposalDocumentItems(tenantId, id)]);
  const row = rows[0];
  return row ? proposalDocument(row, items) : null;
}

function putPdf(bucket: R2Bucket, p: ProposalDocument, bytes: Uint8Array): Promise<R2Object> {
  return bucket.put(proposalPdfKey(p), bytes, {
    httpMetadata: { contentType: "application/pdf" },
    customMetadata: { tenantId: p.tenantId, proposalId: p.id, version: String(p.version) },
  });
}

/**
 * The PDF's bytes: from R2 when this version is stored, else rendered and stored after the
 * answer (a reader need not wait for the write). `source` says which, for the log.
 */
export async function proposalPdfBody(
  c: Context<HonoEnv>,
  p: ProposalDocument,
): Promise<{ body: ReadableStream | Uint8Array<ArrayBuffer>; source: "r2" | "rendered" }> {
  const bucket = c.env.DOCUMENTS;
  const stored = await bucket?.get(proposalPdfKey(p));
  if (stored) return { body: stored.body, source: "r2" };
  const bytes = (await renderProposalPdf(buildProposalView(p.view))) as Uint8Array<ArrayBuffer>;
  if (bucket) {
    c.executionCtx.waitUntil(
      putPdf(bucket, p, bytes).catch((err: unknown) =>
        c.get("logger").warn("storing proposal PDF in R2 failed", { key: proposalPdfKey(p) }, err),
      ),
    );
  }
  return { body: bytes, source: "rendered" };
}

/**
 * Makes sure this version's PDF is in R2 before a link to it goes out (a provider downloads it
 * within seconds). Returns its key; throws when there is no bucket or the write fails.
 */
export async function storedProposalPdf(c: Context<HonoEnv>, p: ProposalDocument): Promise<string> {
  const bucket = c.env.DOCUMENTS;
  if (!bucket) throw new Error("the DOCUMENTS R2 bucket is not bound");
  const key = proposalPdfKey(p);
  if (await bucket.head(key)) return key;
  await putPdf(bucket, p, await renderProposalPdf(buildProposalView(p.view)));
  return key;
}

/**
 * The PDF as a download: ETag = the version, so a client holding this version gets a 304 and
 * nothing is read or rendered.
 */
export async function proposalPdfResponse(c: Context<HonoEnv>, p: ProposalDocument): Promise<Response> {
  const etag = `"pdf-v${p.version}"`;
  const headers = {
    etag,
    "cache-control": "private, no-cache",
    "content-type": "application/pdf",
    "content-disposition": attachmentDisposition(proposalPdfFilename(p)),
  };
  if (c.req.header("if-none-match") === etag) return c.body(null, 304, headers);
  const { body, source } = await proposalPdfBody(c, p);
  c.set("logFields", { ...c.get("logFields"), pdf: source });
  return c.body(body, 200, headers);
}
