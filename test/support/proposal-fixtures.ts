import { expect } from "vitest";
import { api, ownerSql, tokenFor, type TestTenant } from "./harness.ts";

// Test data for the proposal and activity suites. Leads and customers are inserted directly (their
// routes belong to another context); everything under test goes through HTTP.

export async function seedLead(tenantId: string, title = "Equipamiento consultorio"): Promise<string> {
  const id = crypto.randomUUID();
  await ownerSql.transaction([
    ownerSql`select set_config('app.tenant_id', ${tenantId}, true)`,
    ownerSql`insert into leads (id, tenant_id, title) values (${id}, ${tenantId}, ${title})`,
  ]);
  return id;
}

export async function seedCustomer(tenantId: string, razonSocial = "Clínica San Rafael SA de CV"): Promise<string> {
  const id = crypto.randomUUID();
  await ownerSql.transaction([
    ownerSql`select set_config('app.tenant_id', ${tenantId}, true)`,
    ownerSql`insert into customers (id, tenant_id, razon_social) values (${id}, ${tenantId}, ${razonSocial})`,
  ]);
  return id;
}

/** Three lines: one discounted, one exento, one plain — totals computed by hand in the tests. */
export const THREE_ITEMS = [
  {
    name: "Licencia anual CRM",
    quantity: "3",
    unitPrice: "1499.99",
    discountPercent: "10",
    taxRate: "0.16",
    satProductKey: "43231500",
    satUnitKey: "E48",
  },
  { name: "Consulta médica (exenta)", quantity: "1", unitPrice: "850.00", taxRate: null },
  { name: "Capacitación", description: "Dos sesiones", quantity: "2.5", unitPrice: "333.33", taxRate: "0.16" },
];

export interface ItemBody {
  id: string;
  position: number;
  name: string;
  quantity: string;
  unitPrice: string;
  discountPercent: string;
  taxRate: string | null;
  subtotal: string;
  discount: string;
  taxableBase: string;
  tax: string;
  total: string;
}

export interface ProposalBody {
  id: string;
  proposalNumber: string;
  title: string;
  status: string;
  leadId: string | null;
  customerId: string | null;
  currency: string;
  exchangeRate: string;
  subtotal: string;
  discountTotal: string;
  taxTotal: string;
  total: string;
  version: number;
  linkCreatedAt: string | null;
  linkRevokedAt: string | null;
  items: ItemBody[];
}

export async function createProposal(token: string, json: Record<string, unknown>): Promise<ProposalBody> {
  const res = await api("/v1/proposals", { method: "POST", token, json: { title: "Propuesta", ...json } });
  if (res.status !== 201) throw new Error(`create proposal: ${res.status} ${await res.text()}`);
  return (await res.json()) as ProposalBody;
}

/** A proposal of `tenant` (THREE_ITEMS, for a seeded customer), created by a manager; sent (its public link made) unless `draft`. */
export async function proposalIn(
  tenant: TestTenant,
  opts: { draft?: boolean; title?: string } = {},
): Promise<ProposalBody> {
  const manager = await tokenFor(tenant, { role: "manager" });
  const proposal = await createProposal(manager, {
    title: opts.title ?? "Equipamiento de consultorio",
    customerId: await seedCustomer(tenant.id),
    items: THREE_ITEMS,
  });
  if (!opts.draft) {
    const res = await api(`/v1/proposals/${proposal.id}/send`, { method: "POST", token: manager });
    expect(res.status, await res.clone().text()).toBe(200);
  }
  return proposal;
}
