import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { channelEvent, insertChannel } from "../../../db/whatsapp/channel-store.ts";
import type { HonoEnv } from "../../context.ts";
import { publish } from "../../events/publish.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../../http/openapi-errors.ts";
import { AppError } from "../../http/problem.ts";
import { requireRole } from "../../middleware/require-role.ts";
import { actorOf, writeRun } from "../../services.ts";
import { sealCredentials } from "../../../core/channels/credentials-envelope.ts";
import { credentialNames, knownCredentials } from "./channel-credentials.ts";
import { encryptionSecret } from "../../http/encryption-secret.ts";
import { assertChannelRules, numberTakenProblem } from "./channel-rules.ts";
import { ChannelSchema, CreateChannelSchema, toChannel } from "./channel-schema.ts";

const route = createRoute({
  method: "post",
  path: "/v1/whatsapp/channels",
  tags: ["WhatsApp"],
  summary: "Connect a WhatsApp number (admin)",
  description:
    "meta and 360dialog need `phoneNumberId`; twilio needs `sender` and `accountSid`. Credentials by provider: meta `appSecret`, `accessToken`, `verifyToken`; 360dialog `apiKey`, `webhookSecret`; twilio `authToken`. A missing, foreign or unknown field or credential is a 422 naming it. Credentials are write-only: stored encrypted, answered as `credentialsSet` (names only). A number already connected by a live channel, in any tenant, is a 409 `CHANNEL_NUMBER_TAKEN`. Without the ENCRYPTION_SECRET Worker secret, 503 `ENCRYPTION_NOT_CONFIGURED`. Supports `Idempotency-Key`.",
  security: [{ bearerAuth: [] }],
  middleware: [requireRole("admin")] as const,
  request: {
    headers: z.object({ "idempotency-key": z.string().optional() }),
    body: { required: true, content: { "application/json": { schema: CreateChannelSchema } } },
  },
  responses: {
    201: { description: "Connected", content: { "application/json": { schema: ChannelSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 409, 422, 503),
  },
});

export function registerCreateChannel(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const input = c.req.valid("json");
    const secret = encryptionSecret(c.get("config"));
    assertChannelRules({
      provider: input.provider,
      fields: {
        phoneNumberId: input.phoneNumberId,
        wabaId: input.wabaId,
        sender: input.sender,
        accountSid: input.accountSid,
      },
      credentialNames: Object.keys(input.credentials),
    });
    const credentials = knownCredentials(input.credentials);
    const actor = actorOf(c);
    const id = crypto.randomUUID();
    const fields = {
      name: input.name ?? null,
      phoneNumberId: input.phoneNumberId ?? null,
      displayPhoneNumber: input.displayPhoneNumber ?? null,
      wabaId: input.wabaId ?? null,
      sender: input.sender ?? null,
      accountSid: input.accountSid ?? null,
      signatureUrl: input.signatureUrl ?? null,
      credentialsEnvelope: await sealCredentials(secret, id, credentials),
      credentialNames: credentialNames(credentials),
    };
    try {
      const [created, events] = await writeRun(c, { resourcePath: `/v1/whatsapp/channels/${id}`, status: 201 }, [
        insertChannel(actor, { ...fields, id, provider: input.provider }),
        channelEvent(actor, "WhatsApp.ChannelCreated", id),
      ]);
      const row = created[0];
      if (!row) throw new AppError("INTERNAL", "insert returned no row");
      publish(c, events);
      const origin = { publicBaseUrl: c.get("config").PUBLIC_BASE_URL, requestUrl: c.req.url };
      return c.json(toChannel(row, origin), 201, { location: `/v1/whatsapp/channels/${id}` });
    } catch (err) {
      throw numberTakenProblem(err) ?? err;
    }
  });
}
