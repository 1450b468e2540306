import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../app.ts";
import type { Env } from "../../platform/env.ts";
import { testEnv } from "../../test/support/env.ts";
import { api } from "../../test/support/harness.ts";
import { BROWSER_UA, form, formTokenFrom, sentProposal } from "../../test/support/public-fixtures.ts";

// The link limits with the contract's numbers (RATE_LIMIT_SCALE=1), from a client IP of its own.
const app = createApp();
const realLimits: Env = { ...testEnv, RATE_LIMIT_SCALE: "1" };

async function call(path: string, init: RequestInit, ip: string): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("cf-connecting-ip", ip);
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request(`http://crm.test${path}`, { ...init, headers, redirect: "manual" }),
    realLimits,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

describe("public pages: abuse limits", () => {
  it("limits decisions per link (burst 5) with a Spanish 429 page and Retry-After", async () => {
    const { url } = await sentProposal();
    const ip = `198.51.100.${Math.floor(Math.random() * 200) + 1}`;
    const formToken = formTokenFrom(await (await api(url, { headers: { "user-agent": BROWSER_UA } })).text());
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 7; i++) {
      // Invalid forms (no name): 422 each, but every post spends the link's decision budget.
      const res = await call(`${url}/accept`, { method: "POST", ...form({ formToken }) }, ip);
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
    }
    expect(statuses.slice(0, 5)).toEqual([422, 422, 422, 422, 422]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect(limited?.headers.get("content-type")).toContain("text/html");
    expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited?.headers.get("ratelimit-policy")).toContain("link");
    expect(await limited?.text()).toContain("Demasiadas solicitudes");
    // Reading the page is a separate budget: still fine.
    expect((await call(url, { headers: { "user-agent": BROWSER_UA } }, ip)).status).toBe(200);
  });

  it("limits page reads per link (burst 20)", async () => {
    const { url } = await sentProposal();
    const ip = `203.0.113.${Math.floor(Math.random() * 200) + 1}`;
    const results = [];
    for (let i = 0; i < 21; i++)
      results.push((await call(url, { headers: { "user-agent": "WhatsApp/2.24" } }, ip)).status);
    expect(results.filter((s) => s === 200)).toHaveLength(20);
    expect(results[20]).toBe(429);
  });
});
