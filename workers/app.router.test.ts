// Hono's SmartRouter uses RegExpRouter (one regular expression for all routes) unless some route
// pattern is beyond it, and then falls back to TrieRouter for every request without a word. The CPU
// profile of the request path showed the trie's search at ~5% of a request; this keeps it away.
import { describe, expect, it } from "vitest";
import { createApp } from "./app.ts";
import { api } from "../test/support/harness.ts";

describe("routing", () => {
  it("every route fits RegExpRouter, so SmartRouter never falls back to the slower trie", async () => {
    const app = createApp();
    await app.request("/healthz");
    expect((app.router as unknown as { activeRouter: { name: string } }).activeRouter.name).toBe("RegExpRouter");
  });

  it("serves the public pages' stylesheet from /assets/ (outside /p/:token/*, which RegExpRouter cannot share with a static /p/ path)", async () => {
    const res = await api("/assets/proposal.css");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/css");
  });
});
