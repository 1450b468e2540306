// An approved template sent outside a request (issue 14: MSI reminders from the cron), through the
// same pieces as POST /v1/whatsapp/conversations: the channel's opened credentials, the provider
// request (provider-send.ts buildSendRequest), one unit of the tenant's `whatsapp:send` quota just
// before the call, the call (callProvider), then the message recorded in the conversation's object
// (created by an empty ingest if new, as start-conversation does). The route is unchanged; this
// answers with an outcome instead of a problem, and never throws.
import { openCredentials } from "../../core/channels/credentials-envelope.ts";
import { isChannelProvider } from "../../core/channels/whatsapp-channel.ts";
import type { Logger } from "../../core/logging/logger.ts";
import { maskPhone } from "../../core/logging/logger.ts";
import { templateParameters, type TemplateSend } from "../../core/whatsapp/send-message.ts";
import type { ChannelRow } from "../../db/whatsapp/channel-store.ts";
import { conversationStub } from "../../durable-objects/conversation-client.ts";
import { consumeQuota, withTimeout } from "../../durable-objects/tenant-limiter-client.ts";
import type { Config, Env } from "../../platform/env.ts";
import { AppError } from "../http/problem.ts";
import { buildSendRequest, callProvider } from "./provider-send.ts";

export type TemplateSendOutcome =
  | { ok: true; providerMessageId: string }
  | {
      ok: false;
      /**
       * quota: the tenant's daily `whatsapp:send` quota is spent (or the limiter did not answer), no
       * provider call; channel: the channel cannot send (credentials, set-up); provider / transport:
       * the provider refused or did not answer (the attempt counted against the quota).
       */
      reason: "quota" | "channel" | "provider" | "transport";
      detail: string;
    };

export interface SystemTemplateSend {
  tenantId: string;
  channel: ChannelRow;
  /** The recipient's wa_id (E.164 digits, no +). */
  waId: string;
  template: TemplateSend;
  /** Who the conversation says sent it (a system actor name). */
  sentBy: string;
}

export async function sendTemplateFromSystem(
  env: Env,
  config: Config,
  logger: Logger,
  input: SystemTemplateSend,
): Promise<TemplateSendOutcome> {
  const { tenantId, channel, waId, template } = input;
  if (!isChannelProvider(channel.provider)) return { ok: false, reason: "channel", detail: "unknown provider" };
  if (!config.ENCRYPTION_SECRET) return { ok: false, reason: "channel", detail: "ENCRYPTION_SECRET is not configured" };
  let request;
  try {
    const credentials = await openCredentials(config.ENCRYPTION_SECRET, channel.id, channel.credentialsEnvelope);
    // Twilio's status callbacks go to the channel's webhook; without a public origin there is none.
    const statusCallback =
      channel.provider === "twilio"
        ? (channel.signatureUrl ??
          (config.PUBLIC_BASE_URL
            ? `${config.PUBLIC_BASE_URL.replace(/\/+$/, "")}/webhooks/whatsapp/twilio/${channel.id}`
            : undefined))
        : undefined;
    request = buildSendRequest(
      config,
      { ...channel, credentials },
      waId,
      { type: "template", template },
      statusCallback,
    );
  } catch (err) {
    const detail = err instanceof AppError ? err.message : "the channel's credentials cannot be opened";
    return { ok: false, reason: "channel", detail };
  }

  try {
    const q = await withTimeout(consumeQuota(env, tenantId, "whatsapp:send", 1), config.RATE_LIMIT_TIMEOUT_MS);
    if (!q.allowed) return { ok: false, reason: "quota", detail: `daily whatsapp:send quota of ${q.limit} spent` };
  } catch {
    // A send never goes out unmetered: an unreachable limiter is a refusal for now.
    return { ok: false, reason: "quota", detail: "the rate limiter did not answer" };
  }

  const result = await callProvider(config, channel.provider, request);
  const whatsappSend = { provider: channel.provider, type: "template", to: maskPhone(`+${waId}`) };
  if (!result.ok) {
    if ("transport" in result) {
      logger.warn("WhatsApp template send failed", { whatsappSend: { ...whatsappSend, outcome: result.transport } });
      return { ok: false, reason: "transport", detail: `provider ${result.transport}` };
    }
    logger.warn("WhatsApp template send refused", {
      whatsappSend: { ...whatsappSend, outcome: "refused", providerCode: result.failure.providerCode },
    });
    return {
      ok: false,
      reason: "provider",
      detail: `${result.failure.kind} (${result.failure.providerCode ?? result.failure.httpStatus})`,
    };
  }

  // Out: from here it is a success whatever happens to the recording (a failure is only logged).
  try {
    const stub = conversationStub(env, channel.id, waId);
    await stub.ingest({ tenantId, channelId: channel.id, waId, messages: [], statuses: [] });
    await stub.recordOutbound({
      providerMessageId: result.providerMessageId,
      type: "template",
      to: waId,
      template: { name: template.name, language: template.language, parameters: templateParameters(template) },
      timestamp: Date.now(),
      sentBy: input.sentBy,
    });
  } catch (err) {
    logger.warn("a sent WhatsApp template could not be recorded in its conversation", { whatsappSend }, err);
  }
  return { ok: true, providerMessageId: result.providerMessageId };
}
