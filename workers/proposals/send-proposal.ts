import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import {
  getProposal,
  listLineItems,
  proposalChangedEvent,
  ROTATABLE_STATUSES,
  rotateProposalLink,
  sendProposal,
} from "../../db/proposals/proposal-store.ts";
import type { HonoEnv } from "../context.ts";
import { etagOf, ifMatchVersion } from "../http/etag.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { actorOf, readRun } from "../services.ts";
import { IdParamSchema } from "../http/params.ts";
import { ProposalWithItemsSchema, toProposalWithItems } from "./proposal-schema.ts";
import { newPublicToken, publicLinkUrl } from "./public-link.ts";
import { notUpdated } from "./proposal-errors.ts";
import { assertRole } from "../middleware/require-role.ts";
import { publish } from "../events/publish.ts";

const SentSchema = z
  .object({
    url: z.url().openapi({ example: "https://crm.zuclubit.mx/p/3q2-7wZ…" }),
    token: z.string().openapi({ description: "Shown once: only its SHA-256 is stored, it cannot be retrieved later" }),
    proposal: ProposalWithItemsSchema,
  })
  .openapi("ProposalSent");

const BodySchema = z
  .object({
    rotate: z.boolean().optional().openapi({
      description:
        "On a sent or viewed proposal: issue a new link and revoke the old one (manager or admin), e.g. when the first link's response was lost",
    }),
  })
  .strict()
  .openapi("SendProposalOptions");

const route = createRoute({
  method: "post",
  path: "/v1/proposals/{id}/send",
  tags: ["Proposals"],
  summary: "Send a draft: issue its public link (or rotate the link of a sent proposal)",
  description:
    "draft → sent. Returns the public link (`/p/{token}`) ONCE: only a hash of the token is stored, so it cannot be shown again. " +
    "Sending again is 409. A proposal without line items cannot be sent (422). `If-Match` is honoured. " +
    '`{"rotate": true}` on a sent or viewed proposal (manager or admin) issues a new link, revokes the old one (it stops working) and writes `Proposal.LinkRotated`; the status does not change. ' +
    "`Idempotency-Key` is not stored for this route (the response holds a secret); a repeated send is a 409.",
  security: [{ bearerAuth: [] }],
  request: {
    params: IdParamSchema,
    headers: z.object({ "if-match": z.string().optional() }),
    body: { required: false, content: { "application/json": { schema: BodySchema } } },
  },
  responses: {
    200: { description: "Sent", content: { "application/json": { schema: SentSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404, 409, 412, 422),
  },
});

export function registerSendProposal(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const rotate = (c.req.valid("json") as z.infer<typeof BodySchema> | undefined)?.rotate === true;
    if (rotate) assertRole(c.get("auth").role, "manager");
    const expected = ifMatchVersion(c.req.header("if-match"));
    const actor = actorOf(c);
    const { token, hash } = await newPublicToken();

    // Not writeRun: an idempotency record would keep the response body, i.e. the raw token.
    const [updated, events, rows, items] = await readRun(c, [
      rotate
        ? rotateProposalLink(actor.tenantId, id, hash, expected)
        : sendProposal(actor.tenantId, id, hash, expected),
      proposalChangedEvent(actor, rotate ? "Proposal.LinkRotated" : "Proposal.Sent", id),
      getProposal(actor.tenantId, id),
      listLineItems(actor.tenantId, id),
    ]);
    const row = rows[0];
    if (!row) throw new AppError("NOT_FOUND", "proposal not found");
    if (updated.length === 0)
      throw rotate
        ? notRotated(row.status, row.version, expected)
        : notSent(row.status, row.version, expected, items.length);
    publish(c, events);
    const url = publicLinkUrl(c.get("config").PUBLIC_BASE_URL, c.req.url, token);
    return c.json({ url, token, proposal: toProposalWithItems(row, items) }, 200, {
      etag: etagOf(row.version),
      "cache-control": "no-store",
    });
  });
}

function notSent(status: string, version: number, expected: number | undefined, itemCount: number): AppError {
  if (status === "draft" && itemCount === 0)
    return new AppError("UNPROCESSABLE", "add at least one line item before sending", {
      errors: [{ path: "items", message: "sin partidas" }],
    });
  if ((ROTATABLE_STATUSES as readonly string[]).includes(status)) {
    return new AppError(
      "CONFLICT",
      `the proposal is already ${status}; send {"rotate": true} to issue a new link (the old one stops working)`,
      { extensions: { currentStatus: status } },
    );
  }
  return notUpdated(status, version, expected);
}

function notRotated(status: string, version: number, expected: number | undefined): AppError {
  if (expected !== undefined && version !== expected) return notUpdated("draft", version, expected);
  if (status === "draft")
    return new AppError("CONFLICT", "the proposal has not been sent yet: send it without rotate", {
      extensions: { currentStatus: status },
    });
  return new AppError("CONFLICT", `a ${status} proposal's link cannot be rotated (only sent or viewed ones)`, {
    extensions: { currentStatus: status },
  });
}
