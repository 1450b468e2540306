import { describe, expect, it } from "vitest";
import { emailSendRequest, parseEmailResponse } from "./email.ts";

describe("Resend-compatible email adapter", () => {
  it("builds POST {base}/emails with the bearer key, JSON body and Idempotency-Key", () => {
    const req = emailSendRequest(
      { baseUrl: "https://api.resend.com/", apiKey: "re_123" },
      { from: "Cobranza <c@x.mx>", to: ["a@b.mx"], subject: "S", text: "T", html: "<p>T</p>", idempotencyKey: "k/1" },
    );
    expect(req.url).toBe("https://api.resend.com/emails");
    expect(req.headers).toMatchObject({ authorization: "Bearer re_123", "idempotency-key": "k/1" });
    expect(JSON.parse(req.body)).toEqual({
      from: "Cobranza <c@x.mx>",
      to: ["a@b.mx"],
      subject: "S",
      text: "T",
      html: "<p>T</p>",
    });
  });

  it("reads the id, and classifies refusals", () => {
    expect(parseEmailResponse(200, '{"id":"49a3999c"}')).toEqual({ ok: true, id: "49a3999c" });
    expect(parseEmailResponse(200, "{}")).toMatchObject({ ok: false, kind: "unavailable" });
    expect(parseEmailResponse(401, '{"statusCode":401,"message":"API key is invalid"}')).toEqual({
      ok: false,
      kind: "credentials",
      httpStatus: 401,
      message: "API key is invalid",
    });
    expect(parseEmailResponse(422, "{}")).toMatchObject({ kind: "rejected" });
    expect(parseEmailResponse(429, "")).toMatchObject({ kind: "throttled" });
    expect(parseEmailResponse(502, "<html>")).toMatchObject({ kind: "unavailable", message: null });
  });
});
