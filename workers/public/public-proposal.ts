import type { Context } from "hono";
import {
  countLinkView,
  decideProposal,
  decisionEvent,
  linkedLineItems,
  linkedProposal,
  linkGone,
  markViewed,
  viewedEvent,
  type LinkedLineItemRow,
  type LinkedProposalRow,
  type StampedInvoiceRef,
  type ProposalDecision,
} from "../../db/proposals/public-link-store.ts";
import { type UnitOfWork } from "../../db/unit-of-work.ts";
import type { HonoEnv } from "../context.ts";
import { sha256Hex } from "../../core/encoding/digest.ts";
import { publish } from "../events/publish.ts";
import { publicLinkWork } from "../../platform/work.ts";
import { dbTimer } from "../http/server-timing.ts";
import { pastValidity, proposalDocument, type ProposalDocument } from "../documents/proposal-pdf.ts";

// The public proposal pages' work: every function is ONE batch (one round trip) of the link's
// unit of work: its scope (crm_public resolves the tenant from the token hash, then crm_app under
// RLS), the guarded writes, and the read that renders the page. The SQL is in
// db/proposals/public-link-store.ts.

/** Tokens are 32 random bytes in base64url (workers/proposals/public-link.ts). */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface PublicProposal extends ProposalDocument {
  tokenHash: string;
  /** Link withdrawn, proposal expired (by status or by date), seller's account suspended: a 410 page. */
  gone: "revoked" | "expired" | "suspended" | null;
  /** Sent or viewed, within validity, link active: the client may accept or reject. */
  decidable: boolean;
  /** Accepted and invoiced: the stamped invoice the page links (XML and PDF). */
  invoice: StampedInvoiceRef | null;
}

function uow(c: Context<HonoEnv>, tokenHash: string): UnitOfWork {
  const config = c.get("config");
  return publicLinkWork(config, tokenHash, (p) => c.executionCtx.waitUntil(p), dbTimer(c));
}

function toPublic(row: LinkedProposalRow, items: LinkedLineItemRow[], hash: string): PublicProposal {
  const gone = !row.tenantActive ? "suspended" : row.revoked ? "revoked" : pastValidity(row) ? "expired" : null;
  return {
    ...proposalDocument(row, items),
    tokenHash: hash,
    gone,
    decidable: gone === null && (row.status === "sent" || row.status === "viewed"),
    invoice: row.status === "accepted" ? row.invoice : null,
  };
}

export async function tokenHashOf(token: string): Promise<string> {
  return sha256Hex(token);
}

/**
 * Loads the proposal behind a link. `recordView`: a person (not a link previewer) opened it — the
 * first such view moves sent → viewed with one Proposal.Viewed event; every view bumps the view
 * counter activity. Returns null for an unknown link.
 */
export async function loadPublicProposal(
  c: Context<HonoEnv>,
  token: string,
  recordView: boolean,
): Promise<PublicProposal | null> {
  const hash = await tokenHashOf(token);
  const work = uow(c, hash);
  if (!recordView) {
    const [rows, items] = await work.run([linkedProposal(hash), linkedLineItems(hash)]);
    const row = rows[0];
    return row ? toPublic(row, items, hash) : null;
  }
  const [, events, , rows, items] = await work.run([
    markViewed(hash),
    viewedEvent(hash),
    countLinkView(hash),
    linkedProposal(hash),
    linkedLineItems(hash),
  ]);
  publish(c, events);
  const row = rows[0];
  return row ? toPublic(row, items, hash) : null;
}

export type DecisionOutcome = "accepted" | "rejected" | "unchanged" | "gone" | "not-found";

/**
 * Accept or reject (db/proposals/public-link-store.ts decideProposal: exactly one outcome however
 * many submits race), then whether a refused link is gone or just already decided.
 */
export async function decide(c: Context<HonoEnv>, token: string, decision: ProposalDecision): Promise<DecisionOutcome> {
  const hash = await tokenHashOf(token);
  const client = {
    ip: c.req.header("cf-connecting-ip") ?? null,
    userAgent: c.req.header("user-agent")?.slice(0, 500) ?? null,
  };
  const [updated, events, link] = await uow(c, hash).run([
    decideProposal(hash, decision, client),
    decisionEvent(hash, decision.kind),
    linkGone(hash),
  ]);
  publish(c, events);
  if (updated.length > 0) return decision.kind === "accept" ? "accepted" : "rejected";
  const row = link[0];
  if (!row) return "not-found";
  return row.gone ? "gone" : "unchanged";
}
