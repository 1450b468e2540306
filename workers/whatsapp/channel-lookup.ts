import type { Context } from "hono";
import {
  isChannelProvider,
  type ChannelCredentials,
  type ChannelProvider,
} from "../../core/channels/whatsapp-channel.ts";
import { isUuid } from "../../core/events/cloudevents.ts";
import { webhookChannel } from "../../db/whatsapp/channel-store.ts";
import type { Config } from "../../platform/env.ts";
import { webhookChannelWork } from "../../platform/work.ts";
import type { HonoEnv } from "../context.ts";
import { dbTimer } from "../http/server-timing.ts";
import { openCredentials } from "../../core/channels/credentials-envelope.ts";
import { encryptionSecret } from "../http/encryption-secret.ts";

// The WhatsApp webhook (/webhooks/whatsapp/{provider}/{channelId}) has no JWT and no tenant: the
// provider's signature is the authentication, and checking it needs the channel's secrets. This
// reads the one live channel the URL names through the crm_webhook scope (migration 0008: that row,
// those columns, nothing else) and opens its credentials.
//
// Per-isolate cache: a provider retries and bursts, and the answer must be fast (< 250 ms,
// docs/DESIGN). An entry lives at most WEBHOOK_CHANNEL_TTL_MS. PATCH and DELETE forget it in the
// isolate that served them (`forgetWebhookChannel`); OTHER isolates may keep using the previous
// credentials, or a deleted channel, for up to WEBHOOK_CHANNEL_TTL_MS (30 s) after the change.
// Rotating a provider secret therefore takes effect everywhere within 30 s. Absent channels are
// cached too (as null), so a flood of made-up ids costs one query per id per 30 s; ids are random
// UUIDs, so a channel is never looked up before it exists.

const WEBHOOK_CHANNEL_TTL_MS = 30_000;
const WEBHOOK_CHANNEL_CACHE_MAX = 1_000;

export interface WebhookChannel {
  readonly id: string;
  readonly tenantId: string;
  readonly provider: ChannelProvider;
  readonly phoneNumberId: string | null;
  readonly sender: string | null;
  /** Twilio signs the URL configured there; null means the channel's webhookUrl. */
  readonly signatureUrl: string | null;
  readonly credentials: Readonly<ChannelCredentials>;
}

/** The request's context (its config, waitUntil and Server-Timing), or just the config (tests, tools). */
type LookupSource = Config | Context<HonoEnv>;

// Values only, never promises: in workerd a promise one request created may never settle for another.
const cache = new Map<string, { channel: WebhookChannel | null; until: number }>();

function isContext(source: LookupSource): source is Context<HonoEnv> {
  return "req" in source && typeof (source as { get?: unknown }).get === "function";
}

/**
 * The live channel `channelId` with its decrypted credentials, or null when there is none or the
 * URL's provider is not the channel's. Throws when credentials cannot be opened (ENCRYPTION_SECRET
 * missing or changed): a configuration fault, not a reason to pretend the channel does not exist.
 */
export async function lookupWebhookChannel(
  source: LookupSource,
  provider: string,
  channelId: string,
): Promise<WebhookChannel | null> {
  if (!isUuid(channelId) || !isChannelProvider(provider)) return null;
  const config = isContext(source) ? source.get("config") : source;
  const secret = encryptionSecret(config);
  const now = Date.now();
  const hit = cache.get(channelId);
  let channel: WebhookChannel | null;
  if (hit && hit.until > now) {
    channel = hit.channel;
  } else {
    channel = await load(source, config, secret, channelId);
    cache.delete(channelId);
    if (cache.size >= WEBHOOK_CHANNEL_CACHE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(channelId, { channel, until: now + WEBHOOK_CHANNEL_TTL_MS });
  }
  return channel && channel.provider === provider ? channel : null;
}

/** Drops the channel from this isolate's cache (after PATCH or DELETE). */
export function forgetWebhookChannel(channelId: string): void {
  cache.delete(channelId);
}

async function load(
  source: LookupSource,
  config: Config,
  secret: string,
  channelId: string,
): Promise<WebhookChannel | null> {
  // A batch never hands work to waitUntil (only interactive transactions close a socket with it).
  const work = isContext(source)
    ? webhookChannelWork(config, channelId, (p) => source.executionCtx.waitUntil(p), dbTimer(source))
    : webhookChannelWork(config, channelId, () => undefined);
  const [rows] = await work.run([webhookChannel(channelId)]);
  const row = rows[0];
  if (!row) return null;
  const credentials = Object.freeze(await openCredentials(secret, row.id, row.credentialsEnvelope));
  return Object.freeze({
    id: row.id,
    tenantId: row.tenantId,
    provider: row.provider,
    phoneNumberId: row.phoneNumberId,
    sender: row.sender,
    signatureUrl: row.signatureUrl,
    credentials,
  });
}
