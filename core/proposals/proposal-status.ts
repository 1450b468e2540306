/**
 * Proposal status machine (CRM core issue): `draft → sent → viewed → accepted | rejected | expired`.
 *
 * - draft → sent: `POST /v1/proposals/{id}/send` creates the public link.
 * - sent → viewed: the first opening of the public link (records viewed_at). A client may also
 *   answer without the view being recorded (e.g. accepted by phone and marked by staff), so sent
 *   can go straight to accepted, rejected or expired.
 * - viewed → accepted | rejected | expired.
 * - accepted, rejected, expired are terminal. A draft does not expire: it was never offered (the
 *   daily cron only expires sent and viewed proposals past valid_until); it is edited or deleted.
 * - Only drafts are editable (title, items, valid_until…); anything sent is a document the client
 *   has seen, so changes mean a new proposal.
 *
 * The one list of statuses: db/schema/crm.ts types `proposals.status` with it, and the CHECK
 * constraint of migration 0001 lists the same values (db/closed-sets.test.ts).
 */

export const PROPOSAL_STATUSES = ["draft", "sent", "viewed", "accepted", "rejected", "expired"] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

const TRANSITIONS: Readonly<Record<ProposalStatus, readonly ProposalStatus[]>> = {
  draft: ["sent"],
  sent: ["viewed", "accepted", "rejected", "expired"],
  viewed: ["accepted", "rejected", "expired"],
  accepted: [],
  rejected: [],
  expired: [],
};

export function isProposalStatus(value: unknown): value is ProposalStatus {
  return typeof value === "string" && (PROPOSAL_STATUSES as readonly string[]).includes(value);
}

/** The statuses `from` may move to (for 409 responses listing the allowed ones). */
export function allowedProposalTransitions(from: ProposalStatus): ProposalStatus[] {
  return isProposalStatus(from) ? [...TRANSITIONS[from]] : [];
}

export function canTransitionProposal(from: ProposalStatus, to: ProposalStatus): boolean {
  return isProposalStatus(from) && TRANSITIONS[from].includes(to);
}

export function isProposalEditable(status: ProposalStatus): boolean {
  return status === "draft";
}

/** Terminal: accepted, rejected, expired. */
export function isProposalClosed(status: ProposalStatus): boolean {
  return isProposalStatus(status) && TRANSITIONS[status].length === 0;
}

/** Statuses the daily expiry cron may move to `expired` when valid_until has passed. */
export const EXPIRABLE_PROPOSAL_STATUSES: readonly ProposalStatus[] = PROPOSAL_STATUSES.filter((s) =>
  canTransitionProposal(s, "expired"),
);
