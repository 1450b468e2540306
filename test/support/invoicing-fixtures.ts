// Invoicing test data: the issuer profile of SAT's test CSD, its upload form, a tenant ready to
// invoice (profile + a customer with fiscal data) and an accepted proposal with SAT keys.
import { expect } from "vitest";
import { base64ToBytes } from "../../core/encoding/base64.ts";
import { api, createTenant, ownerSql, tokenFor, type TestTenant } from "./harness.ts";
import { createProposal, type ProposalBody } from "./proposal-fixtures.ts";
import { SAT_TEST_CSD } from "./sat-test-csd.ts";

export const EKU_PROFILE = {
  rfc: "EKU9003173C9",
  razonSocial: "ESCUELA KEMPER URGATE",
  regimenFiscal: "601",
  lugarExpedicion: "86000",
  serie: "A",
};

export function csdForm(
  over: { cer?: Uint8Array<ArrayBuffer>; key?: Uint8Array<ArrayBuffer>; password?: string } = {},
): FormData {
  const form = new FormData();
  form.set("cer", new File([over.cer ?? base64ToBytes(SAT_TEST_CSD.cer)], "EKU9003173C9.cer"));
  form.set("key", new File([over.key ?? base64ToBytes(SAT_TEST_CSD.key)], "EKU9003173C9.key"));
  form.set("password", over.password ?? SAT_TEST_CSD.password);
  return form;
}

export const KEYED_ITEMS = [
  {
    name: "Licencia anual CRM",
    quantity: "3",
    unitPrice: "1499.99",
    discountPercent: "10",
    taxRate: "0.16",
    satProductKey: "43231500",
    satUnitKey: "E48",
  },
  {
    name: "Consulta médica",
    quantity: "1",
    unitPrice: "850.00",
    taxRate: null,
    satProductKey: "85121800",
    satUnitKey: "E48",
  },
  { name: "Cortesía", quantity: "1", unitPrice: "0", taxRate: "0.16" },
];

export async function invoicingTenant(): Promise<{
  tenant: TestTenant;
  admin: string;
  user: string;
  customerId: string;
}> {
  const tenant = await createTenant({ plan: "pro" });
  const admin = await tokenFor(tenant, { role: "admin" });
  const user = await tokenFor(tenant, { role: "user" });
  const profile = await api("/v1/fiscal-profile", { method: "PUT", token: admin, json: EKU_PROFILE });
  expect(profile.status, await profile.clone().text()).toBe(200);
  const customer = await api("/v1/customers", {
    method: "POST",
    token: admin,
    json: {
      razonSocial: "MUNICIPIO",
      rfc: "MCI7306249Y1",
      regimenFiscal: "603",
      codigoPostal: "54700",
      usoCfdi: "G03",
    },
  });
  expect(customer.status, await customer.clone().text()).toBe(201);
  return { tenant, admin, user, customerId: ((await customer.json()) as { id: string }).id };
}

/** A proposal the customer accepted (the public accept flow is the public pages' suites' business). */
export async function acceptedProposal(
  t: { tenant: TestTenant; admin: string; customerId: string },
  items: unknown[] = KEYED_ITEMS,
): Promise<ProposalBody> {
  const proposal = await createProposal(t.admin, { title: "Licencias", customerId: t.customerId, items });
  await ownerSql.transaction([
    ownerSql`select set_config('app.tenant_id', ${t.tenant.id}, true)`,
    ownerSql`update proposals set status = 'accepted', accepted_at = now(), sent_at = now() where id = ${proposal.id}`,
  ]);
  return proposal;
}

export const PAC_TEST_CREDENTIALS = {
  finkok: { username: "u@example.mx", password: "p" },
  sw: { user: "u@example.mx", password: "p" },
} as const;

/** invoicingTenant with SAT's test CSD loaded and a PAC chosen (Finkok and SW: the local fakes). */
export async function stampingTenant(
  provider: "sandbox" | "finkok" | "sw" = "sandbox",
  credentials: Record<string, string> = provider === "sandbox" ? {} : PAC_TEST_CREDENTIALS[provider],
) {
  const t = await invoicingTenant();
  const csd = await api("/v1/fiscal-profile/csd", { method: "POST", token: t.admin, body: csdForm() });
  expect(csd.status, await csd.clone().text()).toBe(200);
  const pac = await api("/v1/fiscal-profile/pac", {
    method: "PUT",
    token: t.admin,
    json: provider === "sandbox" ? { provider, environment: "test" } : { provider, environment: "test", credentials },
  });
  expect(pac.status, await pac.clone().text()).toBe(200);
  return t;
}
