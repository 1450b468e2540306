import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { isChannelProvider, type ChannelProvider } from "../../../core/channels/whatsapp-channel.ts";
import { maskPhone } from "../../../core/logging/logger.ts";
import { DELIVERY_STATUSES } from "../../../core/whatsapp/events.ts";
import {
  CONTENT_SID_RE,
  MAX_CAPTION_CHARS,
  MAX_FILENAME_CHARS,
  MAX_SEND_TEXT_CHARS,
  MAX_TEMPLATE_PARAMETERS,
  MAX_TEMPLATE_PARAMETER_CHARS,
  MAX_TWILIO_BODY_CHARS,
  templateParameters,
  type OutboundSend,
} from "../../../core/whatsapp/send-message.ts";
import { getChannel } from "../../../db/whatsapp/channel-store.ts";
import type { OutboundMessageInput, StoredMessage } from "../../../durable-objects/conversation.ts";
import { conversationStub } from "../../../durable-objects/conversation-client.ts";
import { consumeQuota, withTimeout } from "../../../durable-objects/tenant-limiter-client.ts";
import type { HonoEnv } from "../../context.ts";
import { toAppError } from "../../http/error-handler.ts";
import { releaseOutcome, storeOutcome } from "../../http/idempotency.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../../http/openapi-errors.ts";
import { IdParamSchema } from "../../http/params.ts";
import { AppError, problemBody } from "../../http/problem.ts";
import { writeRun } from "../../services.ts";
import { openCredentials } from "../../../core/channels/credentials-envelope.ts";
import { encryptionSecret } from "../../http/encryption-secret.ts";
import { webhookUrl } from "../channels/channel-schema.ts";
import { buildSendRequest, callProvider, sendFailureProblem, transportProblem } from "../provider-send.ts";
import { resolveConversation } from "./resolve-conversation.ts";
import { conversationUuid } from "../../../core/whatsapp/conversation-id.ts";
import { documentToSend, type KeptMedia } from "../document-to-send.ts";

// POST /v1/whatsapp/conversations/{id}/messages (issue 12): a text, template or document to the
// conversation's customer through its channel's provider, recorded in the ConversationDO.
//
// Order, and why:
// 1. the conversation (mirror row under RLS) and the message's fit with the channel's provider;
// 2. the 24-hour window from the object's summary: a free-form message outside it is 422
//    WINDOW_CLOSED without a provider call; templates go any time (Meta's rule);
// 3. with an Idempotency-Key, the quota is looked at (0 units) before the key is claimed, so an
//    exhausted quota answers 429 without burning the key;
// 4. one batch claims the key and reads the channel: from here on every outcome is stored for the
//    key (storeOutcome), so a retry replays it and never sends twice;
// 5. one unit of the tenant's `whatsapp:send` quota per provider attempt, consumed just before the
//    call. The limiter cannot refund, and a refused attempt still reached the provider (and counts
//    against the number's own limits there), so a provider failure counts; anything refused before
//    (validation, window, channel, credentials missing) does not;
// 6. the provider call (workers/whatsapp/provider-send.ts), then recordOutbound: statuses the
//    provider's webhook delivered before this answer are already waiting in the object and are
//    applied there.

const LANGUAGE_RE = /^[a-z]{2,3}(_[A-Z]{2,3})?$/;
const TEMPLATE_NAME_RE = /^[a-z0-9_]{1,512}$/;
const nonBlank = (s: string) => s.trim().length > 0;

const TextInput = z
  .object({
    type: z.literal("text"),
    text: z
      .string()
      .min(1)
      .max(MAX_SEND_TEXT_CHARS)
      .refine(nonBlank, "el texto no puede estar vacío")
      .openapi({ example: "Hola Lupita, te comparto la cotización que platicamos." }),
  })
  .openapi("WhatsAppSendText");

export const TemplateInput = z
  .object({
    type: z.literal("template"),
    template: z.object({
      name: z.string().regex(TEMPLATE_NAME_RE, "nombre de plantilla de WhatsApp (minúsculas, números y _)").openapi({
        example: "recordatorio_pago",
      }),
      language: z
        .string()
        .regex(LANGUAGE_RE, "código de idioma de WhatsApp, p. ej. es_MX")
        .openapi({ example: "es_MX" }),
      parameters: z
        .array(z.string().min(1).max(MAX_TEMPLATE_PARAMETER_CHARS).refine(nonBlank, "parámetro vacío"))
        .max(MAX_TEMPLATE_PARAMETERS)
        .default([])
        .openapi({
          example: ["Lupita", "$1,234.56 MXN"],
          description: "Values of {{1}}, {{2}}, … of the template body, in order",
        }),
      contentSid: z
        .string()
        .regex(CONTENT_SID_RE, "Content SID de Twilio (HX + 32 hex)")
        .optional()
        .openapi({ description: "Twilio channels only (required there): the approved Content template's SID" }),
      variables: z
        .record(z.string().regex(/^[0-9]{1,3}$/), z.string().min(1).max(MAX_TEMPLATE_PARAMETER_CHARS))
        .optional()
        .openapi({
          example: { "1": "Lupita" },
          description: "Twilio channels only: ContentVariables as Twilio takes them, instead of `parameters`",
        }),
    }),
  })
  .openapi("WhatsAppSendTemplate");

const DocumentInput = z
  .object({
    type: z.literal("document"),
    document: z
      .object({
        url: z
          .url({ protocol: /^https$/, error: "url debe ser https://" })
          .optional()
          .openapi({
            example: "https://files.example.mx/COT-2026-00012.pdf",
            description:
              "A document anywhere on the web (https; the provider downloads it). Give `url` or `proposalId`.",
          }),
        proposalId: z.uuid().optional().openapi({
          description:
            "A proposal of this account (not a draft): its PDF goes out through a download link valid for 15 minutes, named after the proposal number",
        }),
        filename: z.string().min(1).max(MAX_FILENAME_CHARS).optional().openapi({ example: "COT-2026-00012.pdf" }),
        caption: z.string().min(1).max(MAX_CAPTION_CHARS).optional().openapi({ example: "Tu cotización" }),
      })
      .refine((d) => (d.url === undefined) !== (d.proposalId === undefined), {
        message: "indica url o proposalId (uno de los dos)",
      }),
  })
  .openapi("WhatsAppSendDocument");

const SendMessageInputSchema = z.discriminatedUnion("type", [TextInput, TemplateInput, DocumentInput]);
export type SendMessageInput = z.infer<typeof SendMessageInputSchema>;

export const SentMessageSchema = z
  .object({
    conversationId: z.uuid(),
    providerMessageId: z.string().openapi({ example: "wamid.HBgNNTIxNTUxMjM0NTY3OBUCABEYEjQ=" }),
    direction: z.literal("outbound"),
    type: z.enum(["text", "template", "document"]),
    timestamp: z.string().openapi({ description: "When the provider accepted it (ISO 8601)" }),
    status: z.enum(DELIVERY_STATUSES).nullable().openapi({
      description: "Delivery status; statuses the provider reported before this answer are already applied",
    }),
    errorCodes: z.array(z.string()),
    content: z
      .object({
        text: z.string().optional(),
        template: z.object({ name: z.string(), language: z.string(), parameters: z.array(z.string()) }).optional(),
        media: z
          .object({ url: z.string().optional(), filename: z.string().optional(), mimeType: z.string().optional() })
          .optional(),
      })
      .nullable(),
    sentBy: z.string(),
  })
  .openapi("WhatsAppSentMessage");
export type SentMessage = z.infer<typeof SentMessageSchema>;

const route = createRoute({
  method: "post",
  path: "/v1/whatsapp/conversations/{id}/messages",
  tags: ["WhatsApp"],
  summary: "Send a WhatsApp message in a conversation",
  description: [
    "Sends a text, an approved template or a document (https URL) to the conversation's customer through its channel's provider (Meta Cloud API, 360dialog or Twilio) and records it in the conversation.",
    "",
    "- Text and documents only inside the 24-hour customer-service window (since the customer's last message): otherwise 422 `WINDOW_CLOSED`. Templates go any time.",
    "- Templates: `name` + `language` + positional `parameters` for every provider; Twilio channels also need `contentSid` (HX…, the approved Content template), and may give `variables` (Twilio's ContentVariables map) instead of `parameters`. Twilio text bodies are limited to 1,600 characters.",
    "- Each attempt that reaches the provider counts against the tenant's daily `whatsapp:send` quota, whether the provider accepts it or not; 429 with Retry-After when exhausted.",
    "- Provider refusals are problems with the provider's `providerCode`: 422 (window closed, recipient unreachable, message rejected), 502 (channel credentials, provider error), 504 (no answer: the message may have gone out), 429 (provider's own limit).",
    "- `Idempotency-Key`: a retry with the same key replays the first outcome and never sends twice.",
  ].join("\n"),
  security: [{ bearerAuth: [] }],
  request: {
    params: IdParamSchema,
    body: { required: true, content: { "application/json": { schema: SendMessageInputSchema } } },
  },
  responses: {
    201: { description: "Sent and recorded", content: { "application/json": { schema: SentMessageSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404, 409, 422, 502, 503, 504),
  },
});

function unfit(path: string, message: string): AppError {
  return new AppError("UNPROCESSABLE", "el mensaje no se puede enviar por el proveedor de este canal", {
    errors: [{ path: `body.${path}`, message, code: "provider_rule" }],
  });
}

/** The provider-neutral message, after the rules that depend on the channel's provider. */
function toOutboundSend(
  input: Exclude<SendMessageInput, { type: "document" }>,
  provider: ChannelProvider,
): OutboundSend {
  switch (input.type) {
    case "text":
      if (provider === "twilio" && input.text.length > MAX_TWILIO_BODY_CHARS)
        throw unfit("text", `Twilio acepta hasta ${MAX_TWILIO_BODY_CHARS} caracteres`);
      return { type: "text", text: input.text };
    case "template": {
      const t = input.template;
      if (provider === "twilio") {
        if (!t.contentSid)
          throw unfit("template.contentSid", "los canales de Twilio envían plantillas por su Content SID");
        if (t.variables && t.parameters.length > 0)
          throw unfit("template.variables", "usa parameters o variables, no ambos");
      } else {
        if (t.contentSid !== undefined) throw unfit("template.contentSid", `contentSid no aplica a ${provider}`);
        if (t.variables !== undefined)
          throw unfit("template.variables", `variables no aplica a ${provider}; usa parameters`);
      }
      return {
        type: "template",
        template: {
          name: t.name,
          language: t.language,
          parameters: t.parameters,
          ...(t.contentSid === undefined ? {} : { contentSid: t.contentSid }),
          ...(t.variables === undefined ? {} : { variables: t.variables }),
        },
      };
    }
  }
}

/** What the conversation keeps of the message (a document's caption is its text). */
function outboundContent(
  message: OutboundSend,
  kept?: KeptMedia,
): Pick<OutboundMessageInput, "text" | "template" | "media"> {
  switch (message.type) {
    case "text":
      return { text: message.text };
    case "template":
      return {
        template: {
          name: message.template.name,
          language: message.template.language,
          parameters: templateParameters(message.template),
        },
      };
    case "document": {
      const d = message.document;
      return {
        ...(d.caption === undefined ? {} : { text: d.caption }),
        media: kept ?? { url: d.url, ...(d.filename === undefined ? {} : { filename: d.filename }) },
      };
    }
  }
}

function toSentMessage(conversationId: string, m: StoredMessage): SentMessage {
  if (m.direction !== "outbound") throw new Error("not an outbound message");
  return {
    conversationId,
    providerMessageId: m.providerMessageId,
    direction: "outbound",
    type: m.type,
    timestamp: new Date(m.timestamp).toISOString(),
    status: m.status,
    errorCodes: m.errorCodes,
    content: m.content,
    sentBy: m.sentBy,
  };
}

function quotaExhausted(q: { resetAt: Date; limit: number }): AppError {
  const seconds = Math.max(1, Math.ceil((q.resetAt.getTime() - Date.now()) / 1000));
  return new AppError(
    "RATE_LIMITED",
    `Se alcanzó el límite diario de ${q.limit} mensajes de WhatsApp de la cuenta; se restablece a medianoche.`,
    {
      extensions: { quota: "whatsapp:send", limit: q.limit, resetAt: q.resetAt.toISOString() },
      headers: { "retry-after": String(seconds) },
    },
  );
}

/** consumeQuota with the limiter timeout; a send never goes out unmetered, so an unreachable limiter is a 503. */
async function quota(c: Context<HonoEnv>, n: 0 | 1) {
  try {
    return await withTimeout(
      consumeQuota(c.env, c.get("auth").tenantId, "whatsapp:send", n),
      c.get("config").RATE_LIMIT_TIMEOUT_MS,
    );
  } catch (err) {
    throw new AppError("SERVICE_UNAVAILABLE", "no se pudo verificar la cuota de envíos de WhatsApp; intenta de nuevo", {
      cause: err,
    });
  }
}

export function registerSendMessage(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { conversation, stub } = await resolveConversation(c, c.req.valid("param").id);
    if (!isChannelProvider(conversation.provider)) throw new Error(`unknown provider ${conversation.provider}`);
    const target = {
      channelId: conversation.channelId!,
      waId: conversation.waId!,
      provider: conversation.provider,
      stub,
    };
    return c.json(await sendInConversation(c, target, c.req.valid("json")), 201);
  });
}

/** Where a send goes: the conversation's channel, its customer and its object. */
export interface SendTarget {
  channelId: string;
  waId: string;
  provider: ChannelProvider;
  stub: ReturnType<typeof conversationStub>;
  /**
   * Starting a conversation: the object may not exist yet, and is created (an ingest of nothing,
   * ConversationStarted) only once the provider has accepted the first message, so a number that
   * cannot receive it leaves no empty conversation, contact or lead behind.
   */
  open?: (stub: ReturnType<typeof conversationStub>) => Promise<unknown>;
}

/**
 * The send itself (steps 2–6 above), for this route and for starting a conversation: the message
 * as the conversation stored it, with its outcome stored for the request's Idempotency-Key.
 * Refusals are AppErrors.
 */
export async function sendInConversation(
  c: Context<HonoEnv>,
  target: SendTarget,
  input: SendMessageInput,
): Promise<SentMessage> {
  const { tenantId, userId } = c.get("auth");
  const { channelId, waId, stub } = target;
  // The provider's rules before the conversation object is asked; a document's source only once the window allows it.
  const plain = input.type === "document" ? undefined : toOutboundSend(input, target.provider);

  const summary = await stub.summary();
  if (!summary && !target.open) throw new AppError("NOT_FOUND", "conversation not found");
  const windowExpiresAt = summary?.windowExpiresAt ?? null;
  if (input.type !== "template" && !(windowExpiresAt !== null && windowExpiresAt > Date.now())) {
    throw new AppError(
      "WINDOW_CLOSED",
      "La ventana de atención de 24 horas está cerrada: el cliente no ha escrito en las últimas 24 horas. Solo se pueden enviar plantillas aprobadas.",
      {
        extensions: {
          windowExpiresAt: windowExpiresAt === null ? null : new Date(windowExpiresAt).toISOString(),
        },
      },
    );
  }
  const document = input.type === "document" ? await documentToSend(c, input.document) : undefined;
  const message: OutboundSend = plain ?? { type: "document", document: document!.send };
  if (c.get("idempotency")) {
    const left = await quota(c, 0);
    if (left.remaining < 1) throw quotaExhausted(left);
  }

  // The claim commits here (with an Idempotency-Key). Once the provider has been called, every
  // outcome is stored for it (the call cannot be undone); a refusal before that gives it back.
  let calledProvider = false;
  const [rows] = await writeRun(c, { resourcePath: null, status: 201 }, [getChannel(tenantId, channelId)]);
  const logFields = (fields: Record<string, unknown>) =>
    c.set("logFields", {
      ...c.get("logFields"),
      whatsappSend: { provider: target.provider, type: message.type, to: maskPhone(`+${waId}`), ...fields },
    });
  try {
    const row = rows[0];
    if (!row) throw new AppError("CONFLICT", "El canal de WhatsApp de esta conversación ya no está conectado.");
    const credentials = await openCredentials(encryptionSecret(c.get("config")), row.id, row.credentialsEnvelope).catch(
      (err: unknown) => {
        throw new AppError(
          "SERVICE_UNAVAILABLE",
          "las credenciales del canal no se pueden abrir (¿cambió ENCRYPTION_SECRET?)",
          { cause: err },
        );
      },
    );
    // Twilio signs its callbacks over the URL it posts to: the channel's signatureUrl when set.
    const statusCallback =
      row.provider === "twilio"
        ? (row.signatureUrl ?? webhookUrl(c.get("config").PUBLIC_BASE_URL, c.req.url, "twilio", row.id))
        : undefined;
    const request = buildSendRequest(c.get("config"), { ...row, credentials }, waId, message, statusCallback);

    const consumed = await quota(c, 1);
    if (!consumed.allowed) throw quotaExhausted(consumed);

    calledProvider = true;
    const result = await callProvider(c.get("config"), row.provider, request);
    if (!result.ok) {
      const problem =
        "transport" in result
          ? transportProblem(row.provider, result)
          : sendFailureProblem(row.provider, result.failure);
      logFields({ outcome: "refused", providerCode: problem.extensions.providerCode ?? null });
      throw problem;
    }
    // Not the provider's message id: a Meta wamid is base64 that spells the recipient's number.
    logFields({ outcome: "sent" });

    const outbound: OutboundMessageInput = {
      providerMessageId: result.providerMessageId,
      type: message.type,
      to: waId,
      ...outboundContent(message, document?.kept),
      timestamp: Date.now(),
      sentBy: userId,
    };
    // The message is out, so from here the answer is 201 whatever happens: an error would invite
    // a second send. recordOutbound is keyed by the provider's id; if the object cannot take it
    // now, the answer is built from what was sent and the recording is retried after it.
    let stored: StoredMessage;
    try {
      stored = await record(stub, target, outbound);
    } catch (err) {
      c.get("logger").warn("recording a sent WhatsApp message failed; retrying after the answer", {}, err);
      stored = unrecorded(outbound);
      c.executionCtx.waitUntil(recordLater(c, target, outbound));
    }
    const body = toSentMessage(summary?.conversationId ?? (await conversationUuid(channelId, waId)), stored);
    await storeOutcome(c, 201, body).catch((err: unknown) =>
      c.get("logger").warn("storing the send's outcome failed; the middleware retries after the response", {}, err),
    );
    return body;
  } catch (err) {
    const problem = toAppError(err);
    const settle = calledProvider
      ? storeOutcome(c, problem.status, problemBody(problem, c.get("requestId")))
      : releaseOutcome(c);
    await settle.catch((e: unknown) => c.get("logger").warn("settling the send's Idempotency-Key failed", {}, e));
    throw problem;
  }
}

/** What the object would have stored for `outbound`, before any status. */
function unrecorded(outbound: OutboundMessageInput): StoredMessage {
  const { providerMessageId, type, timestamp, sentBy } = outbound;
  return {
    providerMessageId,
    timestamp,
    status: null,
    errorCodes: [],
    purged: false,
    direction: "outbound",
    type,
    content: {
      ...(outbound.text !== undefined ? { text: outbound.text } : {}),
      ...(outbound.template ? { template: outbound.template } : {}),
      ...(outbound.media ? { media: outbound.media } : {}),
    },
    sentBy,
  };
}

async function record(
  stub: ReturnType<typeof conversationStub>,
  target: SendTarget,
  outbound: OutboundMessageInput,
): Promise<StoredMessage> {
  if (target.open) await target.open(stub);
  return stub.recordOutbound(outbound);
}

/** Retries recordOutbound with a fresh stub (a broken one stays broken), backing off, a few times. */
async function recordLater(c: Context<HonoEnv>, target: SendTarget, outbound: OutboundMessageInput): Promise<void> {
  for (const wait of [200, 1_000, 5_000]) {
    await new Promise((r) => setTimeout(r, wait));
    try {
      await record(conversationStub(c.env, target.channelId, target.waId), target, outbound);
      return;
    } catch (err) {
      c.get("logger").warn("recording a sent WhatsApp message failed again", { retryAfterMs: wait }, err);
    }
  }
  c.get("logger").error("a sent WhatsApp message could not be recorded in its conversation", {
    conversationChannelId: target.channelId,
  });
}
