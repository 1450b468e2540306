import { api, createTenant, tokenFor } from "./harness.ts";
import { createProposal, seedCustomer, THREE_ITEMS } from "./proposal-fixtures.ts";

export const BROWSER_UA =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";

/** A tenant with a sent proposal; returns its public link token. */
export async function sentProposal(opts: { validUntil?: string } = {}) {
  const tenant = await createTenant({ plan: "pro", name: "Comercial Demo del Centro" });
  const token = await tokenFor(tenant, { role: "manager" });
  const customerId = await seedCustomer(tenant.id, "CLINICA SAN RAFAEL");
  const proposal = await createProposal(token, {
    title: "Equipamiento de consultorio",
    customerId,
    validUntil: opts.validUntil ?? "2099-12-31",
    items: THREE_ITEMS,
  });
  const res = await api(`/v1/proposals/${proposal.id}/send`, { method: "POST", token });
  const sent = (await res.json()) as { url: string; token: string };
  return { tenant, apiToken: token, proposal, linkToken: sent.token, url: new URL(sent.url).pathname };
}

/** Reads the anti-CSRF token from a rendered page. */
export function formTokenFrom(html: string): string {
  const match = /name="formToken" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error("no form token in the page");
  return match[1];
}

/** A browser's form POST (redirects not followed, so the test sees the 303). */
export function form(fields: Record<string, string>): {
  body: string;
  headers: Record<string, string>;
  redirect: "manual";
} {
  return {
    body: new URLSearchParams(fields).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": BROWSER_UA },
    redirect: "manual",
  };
}
