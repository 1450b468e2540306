import { z } from "@hono/zod-openapi";
import {
  ACCOUNT_SID_RE,
  CHANNEL_PROVIDERS,
  CREDENTIAL_NAMES,
  PHONE_NUMBER_ID_RE,
  SENDER_RE,
  type ChannelProvider,
} from "../../../core/channels/whatsapp-channel.ts";
import type { ChannelRow } from "../../../db/whatsapp/channel-store.ts";
import { publicOrigin } from "../../http/public-origin.ts";

export const ChannelSchema = z
  .object({
    id: z.uuid(),
    provider: z.enum(CHANNEL_PROVIDERS),
    name: z.string().nullable().openapi({ example: "Ventas CDMX" }),
    phoneNumberId: z.string().nullable().openapi({ example: "109876543210987" }),
    displayPhoneNumber: z.string().nullable().openapi({ example: "525541690000" }),
    wabaId: z.string().nullable().openapi({ example: "104729385610452" }),
    sender: z.string().nullable().openapi({ example: "whatsapp:+525541690000" }),
    accountSid: z.string().nullable(),
    signatureUrl: z.string().nullable(),
    webhookUrl: z.string().openapi({
      example: "https://crm.example.mx/webhooks/whatsapp/meta/7f1d3c2a-5b6e-4c1d-9a8b-0c1d2e3f4a5b",
      description: "Where to point the provider's webhook for this channel",
    }),
    credentialsSet: z.array(z.enum(CREDENTIAL_NAMES)).openapi({
      example: ["appSecret", "accessToken", "verifyToken"],
      description: "Names of the stored credentials; their values are write-only",
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("WhatsAppChannel");

export type Channel = z.infer<typeof ChannelSchema>;

/** The webhook URL a provider is given for this channel (same origin rule as the public proposal links). */
export function webhookUrl(
  publicBaseUrl: string | undefined,
  requestUrl: string,
  provider: ChannelProvider,
  id: string,
): string {
  return `${publicOrigin(publicBaseUrl, requestUrl)}/webhooks/whatsapp/${provider}/${id}`;
}

const KNOWN_NAMES: ReadonlySet<string> = new Set(CREDENTIAL_NAMES);

/** The API view of a row: never the envelope, only the names of what it holds. */
export function toChannel(row: ChannelRow, origin: { publicBaseUrl: string | undefined; requestUrl: string }): Channel {
  return {
    id: row.id,
    provider: row.provider,
    name: row.name,
    phoneNumberId: row.phoneNumberId,
    displayPhoneNumber: row.displayPhoneNumber,
    wabaId: row.wabaId,
    sender: row.sender,
    accountSid: row.accountSid,
    signatureUrl: row.signatureUrl,
    webhookUrl: webhookUrl(origin.publicBaseUrl, origin.requestUrl, row.provider, row.id),
    credentialsSet: row.credentialNames.filter((n): n is Channel["credentialsSet"][number] => KNOWN_NAMES.has(n)),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const secret = (name: string) =>
  z
    .string()
    .min(1, { error: `${name} no puede estar vacío` })
    .max(4096)
    .optional()
    .openapi({ description: "Write-only" });

/**
 * Known names are typed for the OpenAPI document; any other name passes the schema and is refused
 * by the provider rules as a 422 (core/channels/whatsapp-channel.ts), naming the field.
 */
export const CredentialsInputSchema = z
  .object({
    appSecret: secret("appSecret").openapi({ description: "Meta: app secret (webhook signature). Write-only" }),
    accessToken: secret("accessToken").openapi({ description: "Meta: access token (sending). Write-only" }),
    verifyToken: secret("verifyToken").openapi({ description: "Meta: webhook verify token. Write-only" }),
    webhookSecret: secret("webhookSecret").openapi({ description: "360dialog: webhook signing secret. Write-only" }),
    authToken: secret("authToken").openapi({ description: "Twilio: auth token (webhook signature). Write-only" }),
    apiKey: secret("apiKey").openapi({ description: "360dialog: D360-API-KEY. Write-only" }),
  })
  .catchall(z.unknown())
  .openapi("WhatsAppChannelCredentials");

export type CredentialsInput = z.infer<typeof CredentialsInputSchema>;

/** The fields a channel is created or patched with (provider-dependent rules are checked afterwards). */
export const ChannelFieldsSchema = z.object({
  name: z.string().trim().min(1).max(120).nullish().openapi({ example: "Ventas CDMX" }),
  phoneNumberId: z
    .string()
    .regex(PHONE_NUMBER_ID_RE, { error: "phoneNumberId debe tener solo dígitos (el phone_number_id de Meta)" })
    .nullish()
    .openapi({ example: "109876543210987", description: "meta, 360dialog" }),
  displayPhoneNumber: z
    .string()
    .regex(/^\+?[0-9]{8,15}$/, { error: "displayPhoneNumber debe ser un número con 8 a 15 dígitos" })
    .nullish()
    .openapi({ example: "525541690000" }),
  wabaId: z
    .string()
    .regex(PHONE_NUMBER_ID_RE, { error: "wabaId debe tener solo dígitos" })
    .nullish()
    .openapi({ example: "104729385610452", description: "meta, 360dialog" }),
  sender: z
    .string()
    .regex(SENDER_RE, { error: "sender debe tener la forma whatsapp:+<número E.164>" })
    .nullish()
    .openapi({ example: "whatsapp:+525541690000", description: "twilio" }),
  accountSid: z
    .string()
    .regex(ACCOUNT_SID_RE, { error: "accountSid debe ser AC seguido de 32 caracteres hexadecimales" })
    .nullish()
    .openapi({ example: "AC0123456789abcdef0123456789abcdef", description: "twilio" }),
  signatureUrl: z
    .url({ protocol: /^https?$/, error: "signatureUrl debe ser una URL http(s)" })
    .max(2048)
    .nullish()
    .openapi({
      example: "https://hooks.example.mx/webhooks/twilio/whatsapp?canal=wa",
      description:
        "twilio: the exact URL configured in Twilio (it is part of the signature), when it differs from webhookUrl",
    }),
  credentials: CredentialsInputSchema.optional(),
});

export const CreateChannelSchema = ChannelFieldsSchema.extend({
  provider: z.enum(CHANNEL_PROVIDERS, { error: "provider debe ser meta, 360dialog o twilio" }),
  credentials: CredentialsInputSchema,
}).openapi("WhatsAppChannelInput");
