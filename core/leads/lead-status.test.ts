import { describe, expect, it } from "vitest";
import { LEAD_STATUSES, allowedLeadTransitions, canTransitionLead, isLeadOpen, isLeadStatus } from "./lead-status.ts";
import type { LeadStatus } from "./lead-status.ts";

// Every (from, to) pair, written out: the rules at a glance.
const MATRIX: Record<LeadStatus, Record<LeadStatus, boolean>> = {
  //          new    contacted qualified converted lost
  new: { new: false, contacted: true, qualified: true, converted: false, lost: true },
  contacted: { new: false, contacted: false, qualified: true, converted: false, lost: true },
  qualified: { new: false, contacted: false, qualified: false, converted: true, lost: true },
  converted: { new: false, contacted: false, qualified: false, converted: false, lost: false },
  lost: { new: false, contacted: false, qualified: false, converted: false, lost: false },
};

describe("lead status machine", () => {
  it.each(LEAD_STATUSES.flatMap((from) => LEAD_STATUSES.map((to) => [from, to] as const)))("%s → %s", (from, to) => {
    expect(canTransitionLead(from, to)).toBe(MATRIX[from][to]);
    expect(allowedLeadTransitions(from).includes(to)).toBe(MATRIX[from][to]);
  });

  it("lists allowed transitions in chain order (for 409 bodies)", () => {
    expect(allowedLeadTransitions("new")).toEqual(["contacted", "qualified", "lost"]);
    expect(allowedLeadTransitions("qualified")).toEqual(["converted", "lost"]);
    expect(allowedLeadTransitions("lost")).toEqual([]);
  });

  it("never moves backwards, never to itself", () => {
    const rank = (s: LeadStatus) => LEAD_STATUSES.indexOf(s);
    for (const from of LEAD_STATUSES)
      for (const to of allowedLeadTransitions(from)) {
        expect(to === "lost" || rank(to) > rank(from)).toBe(true);
        expect(to).not.toBe(from);
      }
  });

  it("converting requires qualified; lost from every open state; terminal states are closed", () => {
    expect(LEAD_STATUSES.filter((s) => canTransitionLead(s, "converted"))).toEqual(["qualified"]);
    expect(LEAD_STATUSES.filter((s) => canTransitionLead(s, "lost"))).toEqual(["new", "contacted", "qualified"]);
    expect(LEAD_STATUSES.filter(isLeadOpen)).toEqual(["new", "contacted", "qualified"]);
  });

  it("every status is reachable from new", () => {
    const seen = new Set<LeadStatus>(["new"]);
    const queue: LeadStatus[] = ["new"];
    while (queue.length) {
      for (const next of allowedLeadTransitions(queue.shift()!)) {
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
    expect([...seen].sort()).toEqual([...LEAD_STATUSES].sort());
  });

  it("returns a copy and is safe with values from outside", () => {
    allowedLeadTransitions("new").push("converted");
    expect(canTransitionLead("new", "converted")).toBe(false);
    const bogus = "__proto__" as LeadStatus;
    expect(allowedLeadTransitions(bogus)).toEqual([]);
    expect(canTransitionLead(bogus, "lost")).toBe(false);
    expect(canTransitionLead("new", bogus)).toBe(false);
    expect(isLeadOpen(bogus)).toBe(false);
    expect(isLeadStatus("qualified")).toBe(true);
    expect(isLeadStatus("Qualified")).toBe(false);
    expect(isLeadStatus(1)).toBe(false);
  });
});
