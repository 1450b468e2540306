import { describe, expect, it } from "vitest";
import { ROLES } from "../core/auth/roles.ts";
import { CHANNEL_PROVIDERS } from "../core/channels/whatsapp-channel.ts";
import { MSI_INSTALLMENT_STATUSES, MSI_PLAN_STATUSES, MSI_REMINDER_KINDS } from "../core/msi/msi-status.ts";
import { CANCEL_MOTIVOS, INVOICE_STATUSES } from "../core/invoicing/invoice-status.ts";
import { PAC_ENVIRONMENTS, PAC_PROVIDERS } from "../core/fiscal/fiscal-profile.ts";
import { LEAD_STATUSES } from "../core/leads/lead-status.ts";
import { PROPOSAL_STATUSES } from "../core/proposals/proposal-status.ts";
import { PLANS } from "../core/ratelimit/policies.ts";
import { CONVERSATION_STATUSES, DIRECTIONS } from "../core/whatsapp/conversation-rules.ts";
import { DELIVERY_STATUSES } from "../core/whatsapp/events.ts";
import { ownerSql } from "../test/support/harness.ts";

// The closed sets live once, in core/, and type the schema's columns; the database enforces them
// with CHECK constraints written in migration 0001. This reads the constraints the migrated
// database actually has, so a value added in core without a migration (or the reverse) fails here.
const CLOSED_SETS: [constraint: string, values: readonly string[]][] = [
  ["users_role_check", ROLES],
  ["tenants_plan_check", PLANS],
  ["leads_status_check", LEAD_STATUSES],
  ["proposals_status_check", PROPOSAL_STATUSES],
  ["whatsapp_channels_provider_check", CHANNEL_PROVIDERS],
  ["whatsapp_conversations_provider_check", CHANNEL_PROVIDERS],
  ["whatsapp_conversations_status_check", CONVERSATION_STATUSES],
  ["whatsapp_messages_direction_check", DIRECTIONS],
  ["whatsapp_messages_status_check", DELIVERY_STATUSES],
  ["fiscal_profiles_pac_provider_check", PAC_PROVIDERS],
  ["cfdi_invoices_status_check", INVOICE_STATUSES],
  ["cfdi_invoices_cancel_motivo_check", CANCEL_MOTIVOS],
  ["msi_payment_plans_status_check", MSI_PLAN_STATUSES],
  ["msi_installments_status_check", MSI_INSTALLMENT_STATUSES],
  ["msi_reminders_kind_check", MSI_REMINDER_KINDS],
  ["fiscal_profiles_pac_environment_check", PAC_ENVIRONMENTS],
];

describe("closed sets: core lists = database CHECK constraints", () => {
  it.each(CLOSED_SETS)("%s allows exactly the core list", async (constraint, values) => {
    const rows =
      (await ownerSql`select pg_get_constraintdef(oid) as def from pg_constraint where conname = ${constraint}`) as {
        def: string;
      }[];
    expect(rows).toHaveLength(1);
    // e.g. CHECK ((role = ANY (ARRAY['admin'::text, 'manager'::text, 'user'::text])))
    const allowed = [...(rows[0]?.def ?? "").matchAll(/'([^']*)'/g)].map((m) => m[1]);
    expect(allowed).toEqual([...values]);
  });
});
