// GET /webhooks/whatsapp/meta/{channelId}: Meta's subscription check. When a webhook URL is saved
// in the app dashboard, Meta calls it with hub.mode=subscribe, hub.verify_token (the token typed
// there, which must be the channel's verifyToken) and hub.challenge, and expects the challenge back
// as the whole body. Anything else is 403, and the token is compared in constant time.
import type { OpenAPIHono } from "@hono/zod-openapi";
import { constantTimeEqual } from "../../../core/encoding/digest.ts";
import type { HonoEnv } from "../../context.ts";
import { AppError } from "../../http/problem.ts";
import { lookupWebhookChannel } from "../channel-lookup.ts";

// Meta's challenge is a short number; anything that is not a plain token is not echoed back.
const CHALLENGE = /^[A-Za-z0-9._~-]{1,256}$/;
const encoder = new TextEncoder();

export function registerVerifySubscription(app: OpenAPIHono<HonoEnv>): void {
  app.get("/webhooks/whatsapp/:provider/:channelId", async (c) => {
    const provider = c.req.param("provider");
    const channelId = c.req.param("channelId");
    const channel = await lookupWebhookChannel(c, provider, channelId);
    if (!channel) throw new AppError("NOT_FOUND", "no WhatsApp channel at this webhook URL");
    c.get("logFields").tenantId = channel.tenantId;
    if (channel.provider !== "meta")
      throw new AppError("NOT_FOUND", "only Meta channels answer a subscription check at this URL");
    const mode = c.req.query("hub.mode");
    const token = c.req.query("hub.verify_token") ?? "";
    const challenge = c.req.query("hub.challenge") ?? "";
    const expected = channel.credentials.verifyToken ?? "";
    if (mode !== "subscribe" || !CHALLENGE.test(challenge) || !expected || !sameToken(token, expected)) {
      c.get("logFields").whatsapp = { provider, channelId, refused: "subscription_check" };
      throw new AppError("FORBIDDEN", "the subscription check does not match this channel's verify token");
    }
    return c.text(challenge, 200);
  });
}

function sameToken(given: string, expected: string): boolean {
  const a = encoder.encode(given);
  const b = encoder.encode(expected);
  // Lengths differ: compare b with itself so the time does not depend on where a would differ.
  return a.length === b.length ? constantTimeEqual(a, b) : !constantTimeEqual(b, b);
}
