import {
  CREDENTIAL_NAMES,
  REQUIRED_CREDENTIALS,
  isCredentialName,
  type ChannelCredentials,
  type ChannelProvider,
} from "../../../core/channels/whatsapp-channel.ts";
import type { CredentialsInput } from "./channel-schema.ts";

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
