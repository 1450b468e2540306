import type { OpenAPIHono } from "@hono/zod-openapi";
import type { HonoEnv } from "../context.ts";
import { registerAddProposalItem } from "./add-proposal-item.ts";
import { registerCreateProposal } from "./create-proposal.ts";
import { registerDeleteProposalItem } from "./delete-proposal-item.ts";
import { registerDeleteProposal } from "./delete-proposal.ts";
import { registerGetProposal } from "./get-proposal.ts";
import { registerGetProposalPdf } from "./get-proposal-pdf.ts";
import { registerListProposals } from "./list-proposals.ts";
import { registerRevokeProposalLink } from "./revoke-proposal-link.ts";
import { registerSendProposal } from "./send-proposal.ts";
import { registerUpdateProposal } from "./update-proposal.ts";

export function registerProposalRoutes(app: OpenAPIHono<HonoEnv>): void {
  registerListProposals(app);
  registerCreateProposal(app);
  registerGetProposal(app);
  registerGetProposalPdf(app);
  registerUpdateProposal(app);
  registerDeleteProposal(app);
  registerAddProposalItem(app);
  registerDeleteProposalItem(app);
  registerSendProposal(app);
  registerRevokeProposalLink(app);
}
