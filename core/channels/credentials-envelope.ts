// Sealing a channel's credentials (core/encoding/secret-envelope.ts): key from ENCRYPTION_SECRET
// for this purpose only, envelope bound to the channel id, so a row's envelope copied into another
// channel (another tenant's included) does not open. Runtime-free: the Worker and the demo seed
// (npm start) seal alike.
import { openJson, sealJson } from "../encoding/secret-envelope.ts";
import { CREDENTIAL_NAMES, type ChannelCredentials } from "./whatsapp-channel.ts";

const PURPOSE = "whatsapp/channel-credentials";

export function sealCredentials(secret: string, channelId: string, credentials: ChannelCredentials): Promise<string> {
  return sealJson(credentials, secret, { purpose: PURPOSE, boundTo: channelId });
}

/** Throws SecretEnvelopeError when the envelope does not open (another secret, another row, altered). */
export async function openCredentials(
  secret: string,
  channelId: string,
  envelope: string,
): Promise<ChannelCredentials> {
  const value = await openJson(envelope, secret, { purpose: PURPOSE, boundTo: channelId });
  const out: ChannelCredentials = {};
  if (value && typeof value === "object") {
    for (const name of CREDENTIAL_NAMES) {
      const v = (value as Record<string, unknown>)[name];
      if (typeof v === "string") out[name] = v;
    }
  }
  return out;
}
