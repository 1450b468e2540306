import { describe, expect, it } from "vitest";
import {
  EXPIRABLE_PROPOSAL_STATUSES,
  PROPOSAL_STATUSES,
  allowedProposalTransitions,
  canTransitionProposal,
  isProposalClosed,
  isProposalEditable,
  isProposalStatus,
} from "./proposal-status.ts";
import type { ProposalStatus } from "./proposal-status.ts";

const T = true;
const F = false;
// rows: from; columns: draft sent viewed accepted rejected expired
const MATRIX: Record<ProposalStatus, readonly boolean[]> = {
  draft: [F, T, F, F, F, F],
  sent: [F, F, T, T, T, T],
  viewed: [F, F, F, T, T, T],
  accepted: [F, F, F, F, F, F],
  rejected: [F, F, F, F, F, F],
  expired: [F, F, F, F, F, F],
};

describe("proposal status machine", () => {
  it.each(PROPOSAL_STATUSES.flatMap((from) => PROPOSAL_STATUSES.map((to, j) => [from, to, j] as const)))(
    "%s → %s",
    (from, to, j) => {
      expect(canTransitionProposal(from, to)).toBe(MATRIX[from][j]);
      expect(allowedProposalTransitions(from).includes(to)).toBe(MATRIX[from][j]);
    },
  );

  it("only drafts are editable", () => {
    expect(PROPOSAL_STATUSES.filter(isProposalEditable)).toEqual(["draft"]);
  });

  it("terminal states and the expiry cron's statuses", () => {
    expect(PROPOSAL_STATUSES.filter(isProposalClosed)).toEqual(["accepted", "rejected", "expired"]);
    expect(EXPIRABLE_PROPOSAL_STATUSES).toEqual(["sent", "viewed"]);
  });

  it("the happy path and the view-less answer are both possible", () => {
    const walk = (path: ProposalStatus[]) => path.every((s, i) => i === 0 || canTransitionProposal(path[i - 1]!, s));
    expect(walk(["draft", "sent", "viewed", "accepted"])).toBe(true);
    expect(walk(["draft", "sent", "accepted"])).toBe(true);
    expect(walk(["draft", "sent", "viewed", "sent"])).toBe(false);
    expect(walk(["draft", "accepted"])).toBe(false);
  });

  it("is safe with values from outside", () => {
    allowedProposalTransitions("draft").push("accepted");
    expect(canTransitionProposal("draft", "accepted")).toBe(false);
    const bogus = "constructor" as ProposalStatus;
    expect(allowedProposalTransitions(bogus)).toEqual([]);
    expect(canTransitionProposal(bogus, "sent")).toBe(false);
    expect(isProposalEditable(bogus)).toBe(false);
    expect(isProposalClosed(bogus)).toBe(false);
    expect(isProposalStatus("viewed")).toBe(true);
    expect(isProposalStatus("VIEWED")).toBe(false);
  });
});
