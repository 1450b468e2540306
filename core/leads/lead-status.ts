/**
 * Lead status machine (CRM core issue): `new → contacted → qualified → converted`, plus `lost`
 * (with a reason) from any open state.
 *
 * Rules chosen here:
 * - Forward moves may skip steps (new → qualified: a lead that arrives already qualified, e.g. a
 *   referral, need not be marked "contacted" first). Moves backwards are never allowed; re-opening
 *   is done by creating a new lead.
 * - `converted` is reachable only from `qualified` (`POST /v1/leads/{id}/convert` creates the
 *   customer; a lead must have been qualified first, via `/qualify`).
 * - `lost` from new, contacted or qualified; the reason is required (leads_lost_reason CHECK).
 * - `converted` and `lost` are terminal. Moving to the current status is not a transition.
 *
 * The one list of statuses: db/schema/crm.ts types `leads.status` with it, and the CHECK constraint
 * of migration 0001 lists the same values (db/closed-sets.test.ts).
 */

export const LEAD_STATUSES = ["new", "contacted", "qualified", "converted", "lost"] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];

const TRANSITIONS: Readonly<Record<LeadStatus, readonly LeadStatus[]>> = {
  new: ["contacted", "qualified", "lost"],
  contacted: ["qualified", "lost"],
  qualified: ["converted", "lost"],
  converted: [],
  lost: [],
};

export function isLeadStatus(value: unknown): value is LeadStatus {
  return typeof value === "string" && (LEAD_STATUSES as readonly string[]).includes(value);
}

/** Open = still being worked: new, contacted, qualified. */
export function isLeadOpen(status: LeadStatus): boolean {
  return isLeadStatus(status) && TRANSITIONS[status].length > 0;
}

/** The statuses `from` may move to, in chain order (for 409 responses listing the allowed ones). */
export function allowedLeadTransitions(from: LeadStatus): LeadStatus[] {
  return isLeadStatus(from) ? [...TRANSITIONS[from]] : [];
}

export function canTransitionLead(from: LeadStatus, to: LeadStatus): boolean {
  return isLeadStatus(from) && TRANSITIONS[from].includes(to);
}
