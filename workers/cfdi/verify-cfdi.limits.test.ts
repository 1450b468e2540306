import { describe, expect, it } from "vitest";
import { api, createTenant, problem, tokenFor } from "../../test/support/harness.ts";
import { MiB, hostileInputs } from "../../core/cfdi/test/hostile.ts";
import { MAX_BODY_BYTES } from "../app.ts";
import { VERIFY_CFDI_MAX_BODY_BYTES } from "./verify-cfdi.ts";

const xmlHeaders = { "content-type": "application/xml" };

/** `bytes` of XML-looking text (a comment never closes, so only the size matters). */
const bodyOf = (bytes: number) => "<!--" + "x".repeat(bytes - 4);

/** The same body sent without Content-Length (chunked), so the limit has to count while reading. */
function streamed(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, at + 64 * 1024));
      at += 64 * 1024;
    },
  });
}

describe("POST /v1/cfdi/verify: size and hostile documents", () => {
  it("has its own 2 MiB body limit: over it is a 413 problem that says so, declared length or streamed", async () => {
    expect(VERIFY_CFDI_MAX_BODY_BYTES).toBe(2 * MiB);
    const token = await tokenFor(await createTenant());
    for (const body of [bodyOf(VERIFY_CFDI_MAX_BODY_BYTES + 1), streamed(bodyOf(VERIFY_CFDI_MAX_BODY_BYTES + 1))]) {
      const res = await api("/v1/cfdi/verify", { method: "POST", token, body, headers: xmlHeaders });
      expect(res.status).toBe(413);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      const p = await problem(res);
      expect(p.code).toBe("PAYLOAD_TOO_LARGE");
      expect(p.detail).toContain("2 MiB");
    }
    // Other routes keep the app-wide limit.
    const other = await api("/v1/me", {
      method: "POST",
      token,
      body: bodyOf(MAX_BODY_BYTES + 1),
      headers: { "content-type": "application/json" },
    });
    expect(other.status).toBe(413);
    expect((await problem(other)).detail).not.toContain("2 MiB");
  });

  it("answers every 1.5 MiB hostile document with 200, valid:false and the limit's code", async () => {
    const token = await tokenFor(await createTenant());
    const inputs = hostileInputs(1.5 * MiB);
    for (const h of inputs) {
      expect(h.xml.length, h.name).toBeGreaterThan(MAX_BODY_BYTES);
      expect(h.xml.length, h.name).toBeLessThan(VERIFY_CFDI_MAX_BODY_BYTES);
    }
    for (const h of inputs) {
      const body = h === inputs[0] ? streamed(h.xml) : h.xml;
      const res = await api("/v1/cfdi/verify", { method: "POST", token, body, headers: xmlHeaders });
      expect(res.status, h.name).toBe(200);
      const report = (await res.json()) as { valid: boolean; errors: { code: string; message: string }[] };
      expect(report.valid, h.name).toBe(false);
      expect(report.errors[0]?.code, h.name).toBe(h.code);
    }
  });
});
