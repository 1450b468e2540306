import type { Context } from "hono";
import { validDocumentFilename } from "../../core/documents/download-link.ts";
import type { DocumentSend } from "../../core/whatsapp/send-message.ts";
import type { OutboundMessageInput } from "../../durable-objects/conversation.ts";
import type { HonoEnv } from "../context.ts";
import { issueDocumentLink } from "../documents/document-links.ts";
import { loadProposalDocument, proposalPdfFilename, storedProposalPdf } from "../documents/proposal-pdf.ts";
import { AppError } from "../http/problem.ts";
import { publicOrigin } from "../http/public-origin.ts";

// The document of a WhatsApp send (issue 12): a URL as given, or a proposal's PDF from R2 through
// a short-lived signed link.

export type KeptMedia = NonNullable<OutboundMessageInput["media"]>;

/** A document send once its source is a link the provider can download, and what the conversation keeps of it. */
export interface DocumentToSend {
  send: DocumentSend;
  kept: KeptMedia;
}

/**
 * A URL goes as given. A proposal goes as its PDF, stored in R2 for its version and sent through a
 * 15-minute signed link (core/documents/download-link.ts); the conversation keeps the app's own
 * stable URL of the PDF instead, since the signed link dies and is a credential while it lives.
 */
export async function documentToSend(
  c: Context<HonoEnv>,
  d: {
    url?: string | undefined;
    proposalId?: string | undefined;
    filename?: string | undefined;
    caption?: string | undefined;
  },
): Promise<DocumentToSend> {
  const named = d.filename === undefined ? {} : { filename: d.filename };
  const captioned = d.caption === undefined ? {} : { caption: d.caption };
  if (d.url !== undefined) return { send: { url: d.url, ...named, ...captioned }, kept: { url: d.url, ...named } };
  const proposalId = d.proposalId!;
  const proposal = await loadProposalDocument(c, proposalId);
  if (!proposal) {
    throw new AppError("UNPROCESSABLE", "la cotización no existe", {
      errors: [{ path: "body.document.proposalId", message: "no hay una cotización con este id", code: "not_found" }],
    });
  }
  if (proposal.view.status === "draft") {
    throw new AppError(
      "CONFLICT",
      `La cotización ${proposal.view.number} está en borrador: envíala (POST /v1/proposals/${proposalId}/send) antes de compartir su PDF.`,
    );
  }
  const key = await storedProposalPdf(c, proposal).catch((err: unknown) => {
    throw new AppError("SERVICE_UNAVAILABLE", "no se pudo preparar el PDF de la cotización; intenta de nuevo", {
      cause: err,
    });
  });
  const filename = d.filename ?? proposalPdfFilename(proposal);
  if (!validDocumentFilename(filename)) {
    throw new AppError("UNPROCESSABLE", "el nombre del archivo no es válido", {
      errors: [
        {
          path: "body.document.filename",
          message: "sin comillas, diagonales ni caracteres de control",
          code: "invalid_filename",
        },
      ],
    });
  }
  const link = await issueDocumentLink(c, { key, filename, contentType: "application/pdf" });
  const stable = `${publicOrigin(c.get("config").PUBLIC_BASE_URL, c.req.url)}/v1/proposals/${proposalId}/pdf`;
  return {
    send: { url: link.url, filename, ...captioned },
    kept: { url: stable, filename, mimeType: "application/pdf" },
  };
}
