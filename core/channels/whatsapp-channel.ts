// How a tenant connects a WhatsApp number (issue 12): which fields and credentials each provider
// needs. Runtime-free, so the API and any tooling agree on the same rules.
//
// - Meta Cloud API: webhooks are signed with the app secret (X-Hub-Signature-256), the verify
//   token answers the GET subscription handshake, the access token sends messages; the business
//   number is its phone_number_id.
// - 360dialog (a Cloud API BSP): sends with its D360-API-KEY, signs webhooks with the secret set
//   on the webhook; numbers are Cloud API phone_number_ids too.
// - Twilio: X-Twilio-Signature is an HMAC of the configured webhook URL and the form fields with
//   the account's auth token; the number is the sender "whatsapp:+<E.164>" of an account AC….

/** Closed set: also the whatsapp_channels_provider_check constraint (db/closed-sets.test.ts). */
export const CHANNEL_PROVIDERS = ["meta", "360dialog", "twilio"] as const;
export type ChannelProvider = (typeof CHANNEL_PROVIDERS)[number];

export const CREDENTIAL_NAMES = [
  "appSecret",
  "accessToken",
  "verifyToken",
  "webhookSecret",
  "authToken",
  "apiKey",
] as const;
export type CredentialName = (typeof CREDENTIAL_NAMES)[number];
export type ChannelCredentials = Partial<Record<CredentialName, string>>;

export const REQUIRED_CREDENTIALS: Readonly<Record<ChannelProvider, readonly CredentialName[]>> = {
  meta: ["appSecret", "accessToken", "verifyToken"],
  "360dialog": ["apiKey", "webhookSecret"],
  twilio: ["authToken"],
};

/** The number-identifying fields; the others a provider does not use are refused, not silently kept. */
export type ChannelNumberField = "phoneNumberId" | "wabaId" | "sender" | "accountSid";

const NUMBER_FIELDS: Readonly<
  Record<ChannelProvider, { required: ChannelNumberField[]; allowed: ChannelNumberField[] }>
> = {
  meta: { required: ["phoneNumberId"], allowed: ["phoneNumberId", "wabaId"] },
  "360dialog": { required: ["phoneNumberId"], allowed: ["phoneNumberId", "wabaId"] },
  twilio: { required: ["sender", "accountSid"], allowed: ["sender", "accountSid"] },
};

export const PHONE_NUMBER_ID_RE = /^[0-9]{5,30}$/;
export const SENDER_RE = /^whatsapp:\+[1-9][0-9]{7,14}$/;
export const ACCOUNT_SID_RE = /^AC[0-9a-fA-F]{32}$/;

const NAME_SET: ReadonlySet<string> = new Set(CREDENTIAL_NAMES);

export function isChannelProvider(name: string): name is ChannelProvider {
  return (CHANNEL_PROVIDERS as readonly string[]).includes(name);
}

export function isCredentialName(name: string): name is CredentialName {
  return NAME_SET.has(name);
}

export interface ChannelRuleViolation {
  /** Field path under the request body, e.g. "credentials.appSecret". */
  path: string;
  code: "required" | "not_applicable" | "unknown_credential";
  message: string;
}

/** The channel as it would be stored (after a PATCH: the merge), checked against its provider. */
export interface ChannelShape {
  provider: ChannelProvider;
  fields: Partial<Record<ChannelNumberField, string | null>>;
  /** Names of the credentials the channel would hold. */
  credentialNames: readonly string[];
}

/** Every way `channel` breaks its provider's rules (messages in Spanish, for the tenant's admin). */
export function channelRuleViolations(channel: ChannelShape): ChannelRuleViolation[] {
  const out: ChannelRuleViolation[] = [];
  const rules = NUMBER_FIELDS[channel.provider];
  for (const field of rules.required) {
    if (!channel.fields[field])
      out.push({ path: field, code: "required", message: `${field} es obligatorio para ${channel.provider}` });
  }
  for (const [field, value] of Object.entries(channel.fields)) {
    if (value !== null && value !== undefined && !rules.allowed.includes(field as ChannelNumberField))
      out.push({ path: field, code: "not_applicable", message: `${field} no aplica a ${channel.provider}` });
  }
  const needed: readonly string[] = REQUIRED_CREDENTIALS[channel.provider];
  for (const name of channel.credentialNames) {
    if (!isCredentialName(name))
      out.push({ path: `credentials.${name}`, code: "unknown_credential", message: "credencial desconocida" });
    else if (!needed.includes(name))
      out.push({
        path: `credentials.${name}`,
        code: "not_applicable",
        message: `${name} no aplica a ${channel.provider}`,
      });
  }
  const held = new Set(channel.credentialNames);
  for (const name of REQUIRED_CREDENTIALS[channel.provider]) {
    if (!held.has(name))
      out.push({
        path: `credentials.${name}`,
        code: "required",
        message: `la credencial ${name} es obligatoria para ${channel.provider}`,
      });
  }
  return out;
}
