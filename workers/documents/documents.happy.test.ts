import { describe, expect, it } from "vitest";
import { api, tokenFor } from "../../test/support/harness.ts";
import { createProposal, proposalIn, THREE_ITEMS, seedCustomer } from "../../test/support/proposal-fixtures.ts";
import { conversation } from "../../test/support/whatsapp-deliveries.ts";
import { LUPITA, fakeRequests, openConversation, send } from "../../test/support/whatsapp-send.ts";
import type { SentMessage } from "../whatsapp/conversations/send-message.ts";

// Proposal PDFs as documents: the app's own download (GET /v1/proposals/{id}/pdf), and a WhatsApp
// document send that hands the provider a 15-minute signed link (GET /documents/{token}) to the
// very bytes stored in R2 for the proposal's version.

async function bytesOf(res: Response): Promise<Uint8Array> {
  return new Uint8Array(await res.arrayBuffer());
}

describe("GET /v1/proposals/{id}/pdf", () => {
  it("any status, one render per version, 304 while unchanged", async () => {
    const conv = await openConversation("meta");
    const manager = await tokenFor(conv.tenant, { role: "manager" });
    const customerId = await seedCustomer(conv.tenant.id);
    const draft = await createProposal(manager, { title: "Borrador", customerId, items: THREE_ITEMS });

    const first = await api(`/v1/proposals/${draft.id}/pdf`, { token: conv.token });
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("application/pdf");
    expect(first.headers.get("content-disposition")).toBe(
      `attachment; filename="${draft.proposalNumber}.pdf"; filename*=UTF-8''${draft.proposalNumber}.pdf`,
    );
    const etag = first.headers.get("etag")!;
    const pdf = await bytesOf(first);
    expect(new TextDecoder().decode(pdf.slice(0, 5))).toBe("%PDF-");

    const again = await api(`/v1/proposals/${draft.id}/pdf`, { token: conv.token, headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
  });
});

describe("WhatsApp: a proposal's PDF as a document", () => {
  it.each(["meta", "twilio"] as const)(
    "%s: the provider gets a signed link to the stored PDF; the conversation keeps the app's URL",
    async (provider) => {
      const conv = await openConversation(provider);
      const proposal = await proposalIn(conv.tenant);

      const res = await send(conv, {
        type: "document",
        document: { proposalId: proposal.id, caption: "Tu cotización" },
      });
      expect(res.status, await res.clone().text()).toBe(201);
      const sent = (await res.json()) as SentMessage;
      const filename = `${proposal.proposalNumber}.pdf`;
      expect(sent.content).toEqual({
        text: "Tu cotización",
        media: {
          url: expect.stringMatching(new RegExp(`^https?://[^/]+/v1/proposals/${proposal.id}/pdf$`)),
          filename,
          mimeType: "application/pdf",
        },
      });

      const [request] = await fakeRequests(provider, conv.fakeKey);
      let link: string;
      if (provider === "meta") {
        const body = request!.body as { document: { link: string; filename: string; caption: string } };
        expect(body.document).toMatchObject({ filename, caption: "Tu cotización" });
        link = body.document.link;
      } else {
        const form = request!.body as Record<string, string>;
        expect(form.Body).toBe("Tu cotización");
        link = form.MediaUrl!;
      }
      expect(link).toMatch(/^https?:\/\/[^/]+\/documents\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
      expect(new URL(link).origin).toBe(new URL(sent.content!.media!.url!).origin);

      // What the provider downloads (no credentials but the link) is the app's own PDF, byte for byte.
      const download = await api(new URL(link).pathname);
      expect(download.status).toBe(200);
      expect(download.headers.get("content-type")).toBe("application/pdf");
      expect(download.headers.get("content-disposition")).toContain(`filename="${filename}"`);
      const maxAge = Number(/max-age=(\d+)/.exec(download.headers.get("cache-control") ?? "")?.[1]);
      expect(maxAge).toBeGreaterThan(14 * 60);
      expect(maxAge).toBeLessThanOrEqual(15 * 60);
      const viaLink = await bytesOf(download);
      const viaApi = await bytesOf(await api(`/v1/proposals/${proposal.id}/pdf`, { token: conv.token }));
      expect(viaLink).toEqual(viaApi);

      const stored = await conversation(conv.channel.id, LUPITA).getMessage(sent.providerMessageId);
      expect(stored && "message" in stored ? stored.message.content : null).toEqual(sent.content);
    },
  );

  it("a file name of the caller's choosing travels in the link and the message", async () => {
    const conv = await openConversation("360dialog");
    const proposal = await proposalIn(conv.tenant);
    const res = await send(conv, {
      type: "document",
      document: { proposalId: proposal.id, filename: "Cotización Peña.pdf" },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const [request] = await fakeRequests("360dialog", conv.fakeKey);
    const body = request!.body as { document: { link: string; filename: string; caption?: string } };
    expect(body.document.filename).toBe("Cotización Peña.pdf");
    expect(body.document.caption).toBeUndefined();
    const download = await api(new URL(body.document.link).pathname);
    expect(download.headers.get("content-disposition")).toBe(
      `attachment; filename="Cotizacion Pena.pdf"; filename*=UTF-8''Cotizaci%C3%B3n%20Pe%C3%B1a.pdf`,
    );
    await download.arrayBuffer();
  });
});
