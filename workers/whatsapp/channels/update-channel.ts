import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { ChannelCredentials } from "../../../core/channels/whatsapp-channel.ts";
import { SecretEnvelopeError } from "../../../core/encoding/secret-envelope.ts";
import { getChannel, updateChannel, type ChannelFields, type ChannelRow } from "../../../db/whatsapp/channel-store.ts";
import type { HonoEnv } from "../../context.ts";
import { publish } from "../../events/publish.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../../http/openapi-errors.ts";
import { IdParamSchema } from "../../http/params.ts";
import { AppError } from "../../http/problem.ts";
import { requireRole } from "../../middleware/require-role.ts";
import { actorOf, readRun, writeRun } from "../../services.ts";
import { forgetWebhookChannel } from "../channel-lookup.ts";
import { openCredentials, sealCredentials } from "../../../core/channels/credentials-envelope.ts";
import { coversRequired, credentialNames, knownCredentials } from "./channel-credentials.ts";
import { encryptionSecret } from "../../http/encryption-secret.ts";
import { assertChannelRules, numberTakenProblem } from "./channel-rules.ts";
import { ChannelFieldsSchema, ChannelSchema, toChannel } from "./channel-schema.ts";

const PatchSchema = ChannelFieldsSchema.refine((v) => Object.values(v).some((x) => x !== undefined), {
  message: "send at least one field",
}).openapi("WhatsAppChannelPatch");

const route = createRoute({
  method: "patch",
  path: "/v1/whatsapp/channels/{id}",
  tags: ["WhatsApp"],
  summary: "Update a WhatsApp channel (admin)",
  description:
    "Fields given replace the stored ones (null clears an optional one); the provider cannot change. `credentials` merges: the names given are replaced, the others kept. The result must still meet the provider's requirements (422 otherwise). Other edge locations may verify webhooks with the previous credentials for up to 30 s.",
  security: [{ bearerAuth: [] }],
  middleware: [requireRole("admin")] as const,
  request: {
    params: IdParamSchema,
    body: { required: true, content: { "application/json": { schema: PatchSchema } } },
  },
  responses: {
    200: { description: "Updated", content: { "application/json": { schema: ChannelSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404, 409, 422, 503),
  },
});

/** Read, merge in TypeScript (the credentials must be decrypted), write guarded by the version read. */
const ATTEMPTS = 3;

type Patch = ReturnType<(typeof PatchSchema)["parse"]>;
const FIELD_NAMES = [
  "name",
  "phoneNumberId",
  "displayPhoneNumber",
  "wabaId",
  "sender",
  "accountSid",
  "signatureUrl",
] as const;

async function mergedCredentials(
  secret: string,
  row: ChannelRow,
  given: ChannelCredentials,
): Promise<ChannelCredentials> {
  try {
    return { ...(await openCredentials(secret, row.id, row.credentialsEnvelope)), ...given };
  } catch (err) {
    if (!(err instanceof SecretEnvelopeError)) throw err;
    // Sealed under another ENCRYPTION_SECRET: nothing to keep, but a full set replaces it.
    if (coversRequired(row.provider, given)) return given;
    throw new AppError(
      "CONFLICT",
      `the stored credentials cannot be opened with the configured ENCRYPTION_SECRET; send all of ${row.provider}'s credentials to replace them`,
      { cause: err },
    );
  }
}

async function changesFor(secret: string, row: ChannelRow, patch: Patch): Promise<Partial<ChannelFields>> {
  const changes: Partial<ChannelFields> = {};
  for (const field of FIELD_NAMES) {
    const value = patch[field];
    if (value !== undefined) changes[field] = value;
  }
  const merged = (field: "phoneNumberId" | "wabaId" | "sender" | "accountSid") =>
    changes[field] !== undefined ? changes[field] : row[field];
  const givenNames = Object.keys(patch.credentials ?? {});
  assertChannelRules({
    provider: row.provider,
    fields: {
      phoneNumberId: merged("phoneNumberId"),
      wabaId: merged("wabaId"),
      sender: merged("sender"),
      accountSid: merged("accountSid"),
    },
    credentialNames: [...new Set([...row.credentialNames, ...givenNames])],
  });
  if (patch.credentials) {
    const credentials = await mergedCredentials(secret, row, knownCredentials(patch.credentials));
    changes.credentialsEnvelope = await sealCredentials(secret, row.id, credentials);
    changes.credentialNames = credentialNames(credentials);
  }
  return changes;
}

export function registerUpdateChannel(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const patch = c.req.valid("json");
    const secret = encryptionSecret(c.get("config"));
    const actor = actorOf(c);
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const [current] = await readRun(c, [getChannel(actor.tenantId, id)]);
      const row = current[0];
      if (!row) throw new AppError("NOT_FOUND", "channel not found");
      const changes = await changesFor(secret, row, patch);
      const [events, after] = await writeRun(c, { resourcePath: `/v1/whatsapp/channels/${id}`, status: 200 }, [
        updateChannel(actor, id, row.version, changes),
        getChannel(actor.tenantId, id),
      ]).catch((err: unknown) => {
        throw numberTakenProblem(err) ?? err;
      });
      const updated = after[0];
      // No event: the channel changed (or was deleted) since it was read; read it again.
      if (events.length === 0 || !updated) continue;
      forgetWebhookChannel(id);
      publish(c, events);
      return c.json(toChannel(updated, { publicBaseUrl: c.get("config").PUBLIC_BASE_URL, requestUrl: c.req.url }), 200);
    }
    throw new AppError("CONFLICT", "the channel changed concurrently; retry the request");
  });
}
