// Invoice life-cycle helpers: a proposal accepted through its public page (the real flow, so
// Proposal.Accepted reaches the queues), stamping, and waiting for background work to finish.
import { expect } from "vitest";
import type { InvoiceBody } from "../../workers/invoices/invoice-schema.ts";
import { api, ownerSql, type TestTenant } from "./harness.ts";
import { acceptedProposal, KEYED_ITEMS } from "./invoicing-fixtures.ts";
import { createProposal } from "./proposal-fixtures.ts";
import { form, formTokenFrom, BROWSER_UA } from "./public-fixtures.ts";

export interface InvoicingTenant {
  tenant: TestTenant;
  admin: string;
  user: string;
  customerId: string;
}

/** A proposal with SAT keys, sent and accepted by the customer on its public page (its id and page path). */
export async function acceptOnPublicPage(
  t: InvoicingTenant,
): Promise<{ proposalId: string; url: string; formToken: string }> {
  const proposal = await createProposal(t.admin, { title: "Licencias", customerId: t.customerId, items: KEYED_ITEMS });
  const sent = await api(`/v1/proposals/${proposal.id}/send`, { method: "POST", token: t.admin });
  expect(sent.status, await sent.clone().text()).toBe(200);
  const url = new URL(((await sent.json()) as { url: string }).url).pathname;
  const page = await (await api(url, { headers: { "user-agent": BROWSER_UA } })).text();
  const formToken = formTokenFrom(page);
  const accepted = await api(`${url}/accept`, {
    method: "POST",
    ...form({ formToken, fullName: "Sofía Hernández Vega", confirm: "si" }),
  });
  expect(accepted.status).toBe(303);
  return { proposalId: proposal.id, url, formToken };
}

export async function draftOf(t: InvoicingTenant): Promise<InvoiceBody> {
  const proposal = await acceptedProposal(t);
  const res = await api("/v1/invoices", {
    method: "POST",
    token: t.user,
    // Tenants in these suites share SAT's test CSD: a word of their own keeps two of them from sealing
    // byte-identical CFDIs in the same second, which a PAC would answer as one (already stamped).
    json: { proposalId: proposal.id, condicionesDePago: `Contado ${t.tenant.id.slice(0, 8)}` },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as InvoiceBody;
}

export function stamp(token: string, id: string): Promise<Response> {
  return api(`/v1/invoices/${id}/stamp`, { method: "POST", token });
}

export function cancel(token: string, id: string, json: Record<string, unknown>): Promise<Response> {
  return api(`/v1/invoices/${id}/cancel`, { method: "POST", token, json });
}

export async function readInvoice(token: string, id: string): Promise<InvoiceBody> {
  const res = await api(`/v1/invoices/${id}`, { token });
  expect(res.status).toBe(200);
  return (await res.json()) as InvoiceBody;
}

/** Polls until `done` holds for what `read` returns (background queue work); fails with the last value. */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`still not done after ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export async function cfdiEvents(tenantId: string, subject: string): Promise<string[]> {
  const [, rows] = await ownerSql.transaction([
    ownerSql`select set_config('app.tenant_id', ${tenantId}, true)`,
    ownerSql`select type from outbox where tenant_id = ${tenantId} and event->>'subject' = ${subject} and type like 'CFDI.%' order by created_at`,
  ]);
  return (rows as { type: string }[]).map((r) => r.type);
}

/** The tasks on a proposal's timeline (invoicing failures nobody saw happen). */
export async function proposalTasks(tenantId: string, proposalId: string) {
  const [, rows] = await ownerSql.transaction([
    ownerSql`select set_config('app.tenant_id', ${tenantId}, true)`,
    ownerSql`select subject, body, user_id, metadata from activities where tenant_id = ${tenantId} and proposal_id = ${proposalId} and type = 'task'`,
  ]);
  return rows as { subject: string; body: string; user_id: string | null; metadata: Record<string, unknown> }[];
}
