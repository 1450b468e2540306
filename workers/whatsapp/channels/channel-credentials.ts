import {
  CREDENTIAL_NAMES,
  REQUIRED_CREDENTIALS,
  isCredentialName,
  type ChannelCredentials,
  type ChannelProvider,
} from "../../../core/channels/whatsapp-channel.ts";
import { openJson, sealJson } from "../../../core/encoding/secret-envelope.ts";
import type { Config } from "../../../platform/env.ts";
import { AppError } from "../../http/problem.ts";
import type { CredentialsInput } from "./channel-schema.ts";

// Sealing a channel's credentials (core/encoding/secret-envelope.ts): key from ENCRYPTION_SECRET
// for this purpose only, envelope bound to the channel id, so a row's envelope copied into another
// channel (another tenant's included) does not open.

const PURPOSE = "whatsapp/channel-credentials";

/** ENCRYPTION_SECRET, or the 503 every write that stores credentials answers without it. */
export function encryptionSecret(config: Config): string {
  const secret = config.ENCRYPTION_SECRET;
  if (!secret) {
    throw new AppError(
      "ENCRYPTION_NOT_CONFIGURED",
      "credentials cannot be stored: the ENCRYPTION_SECRET Worker secret is not configured",
    );
  }
  return secret;
}

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

/** The known credentials of a request body (unknown names are refused by the provider rules first). */
export function knownCredentials(input: CredentialsInput | undefined): ChannelCredentials {
  const out: ChannelCredentials = {};
  for (const [name, value] of Object.entries(input ?? {})) {
    if (isCredentialName(name) && typeof value === "string") out[name] = value;
  }
  return out;
}

/** Names in a stable order (the API lists them as given here). */
export function credentialNames(credentials: ChannelCredentials): string[] {
  return CREDENTIAL_NAMES.filter((n) => credentials[n] !== undefined);
}

export function coversRequired(provider: ChannelProvider, credentials: ChannelCredentials): boolean {
  return REQUIRED_CREDENTIALS[provider].every((n) => credentials[n] !== undefined);
}
