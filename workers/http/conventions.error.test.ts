import { describe, expect, it } from "vitest";
import { api, createTenant, problem, tokenFor } from "../../test/support/harness.ts";
import { MAX_BODY_BYTES } from "../app.ts";
import { createProposal, seedCustomer, seedLead, THREE_ITEMS } from "../../test/support/proposal-fixtures.ts";

describe("API conventions for bad requests", () => {
  it("answers unknown routes with a 404 problem carrying the request id", async () => {
    const res = await api("/no-such-thing", { headers: { "x-request-id": "trace-abcdef12" } });
    expect(res.status).toBe(404);
    const body = await problem(res);
    expect(body).toMatchObject({ status: 404, code: "NOT_FOUND", requestId: "trace-abcdef12" });
    // Under /v1 the token is checked first: routes are not revealed to anonymous callers.
    expect((await api("/v1/no-such-thing")).status).toBe(401);
    const tenant = await createTenant();
    expect((await api("/v1/no-such-thing", { token: await tokenFor(tenant) })).status).toBe(404);
  });

  it("answers a wrong method on a known route with 405 and Allow", async () => {
    const res = await api("/healthz", { method: "DELETE" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toContain("GET");
    expect((await problem(res)).code).toBe("METHOD_NOT_ALLOWED");
  });

  it("rejects oversized bodies with 413 before reading them", async () => {
    const res = await api("/v1/me", {
      method: "POST",
      body: "x".repeat(MAX_BODY_BYTES + 1),
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(413);
    expect((await problem(res)).code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("generates a request id when the caller sends none or a malformed one", async () => {
    const res = await api("/healthz", { headers: { "x-request-id": "bad id with spaces" } });
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("serves the OpenAPI 3.1 document and a docs page", async () => {
    const res = await api("/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/healthz", "/readyz", "/v1/me"]));
    expect(doc.components.securitySchemes.bearerAuth).toBeDefined();
    const docs = await api("/docs");
    expect(docs.status).toBe(200);
    const html = await docs.text();
    expect(html).toContain("/v1/me");
    expect(html).not.toContain("<script");
  });

  it("reports readiness with a database check", async () => {
    const res = await api("/readyz");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", checks: { database: { ok: true } } });
  });

  it("answers every stale If-Match with the same 412: current ETag in the header and in the body", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant, { role: "manager" });
    const leadId = await seedLead(tenant.id);
    const customerId = await seedCustomer(tenant.id);
    const proposal = await createProposal(token, { customerId, items: THREE_ITEMS });
    const cases: [string, unknown][] = [
      [`/v1/leads/${leadId}`, { title: "Otro" }],
      [`/v1/customers/${customerId}`, { email: "compras@clinica.mx" }],
      [`/v1/proposals/${proposal.id}`, { title: "Otro" }],
    ];
    for (const [path, json] of cases) {
      const res = await api(path, { method: "PATCH", token, headers: { "if-match": '"v99"' }, json });
      expect(res.status, path).toBe(412);
      expect(res.headers.get("etag"), path).toBe('"v1"');
      expect(await res.json(), path).toMatchObject({ code: "PRECONDITION_FAILED", currentETag: '"v1"' });
    }
  });
});
