// The demo tenant's WhatsApp channels (one per provider) for `npm start`, and a ready `curl` per
// channel that posts a signed sample delivery, so a newcomer sees a conversation appear.
//
// The channels' credentials are derived from the dev stack's ENCRYPTION_SECRET (.local/dev/keys.json):
// stable across restarts, different on every machine, never committed. The rows are sealed exactly
// as the Worker seals them (core/channels/credentials-envelope.ts) and written as the owner under
// the tenant (RLS is forced for the owner too).
import { createHmac } from "node:crypto";
import { inTenantTransaction } from "../../db/seed/tenant-transaction.ts";
import type { ChannelCredentials, ChannelProvider } from "../../core/channels/whatsapp-channel.ts";
import { sealCredentials } from "../../core/channels/credentials-envelope.ts";
import { metaEscapedJson } from "../../core/whatsapp/meta-json.ts";
import { hexHmacSha256, twilioSignature } from "../../core/whatsapp/signatures.ts";

export interface DemoChannel {
  id: string;
  provider: ChannelProvider;
  name: string;
  phoneNumberId: string | null;
  displayPhoneNumber: string | null;
  wabaId: string | null;
  sender: string | null;
  accountSid: string | null;
  credentials: ChannelCredentials;
}

function derived(secret: string, label: string): string {
  return createHmac("sha256", secret).update(`demo-whatsapp/${label}`).digest("hex").slice(0, 40);
}

export function demoChannels(encryptionSecret: string): DemoChannel[] {
  const secret = (label: string) => derived(encryptionSecret, label);
  return [
    {
      id: "0c4a7e10-9b1d-4f6a-8e21-00000000a001",
      provider: "meta",
      name: "Ventas (Meta Cloud API)",
      phoneNumberId: "109876543210987",
      displayPhoneNumber: "525541690000",
      wabaId: "104729385610452",
      sender: null,
      accountSid: null,
      credentials: {
        appSecret: secret("meta/appSecret"),
        accessToken: `EAAG${secret("meta/accessToken")}`,
        verifyToken: secret("meta/verifyToken"),
      },
    },
    {
      id: "0c4a7e10-9b1d-4f6a-8e21-00000000a002",
      provider: "360dialog",
      name: "Soporte (360dialog)",
      phoneNumberId: "109876543210988",
      displayPhoneNumber: "525541690001",
      wabaId: null,
      sender: null,
      accountSid: null,
      credentials: { apiKey: secret("360dialog/apiKey"), webhookSecret: secret("360dialog/webhookSecret") },
    },
    {
      id: "0c4a7e10-9b1d-4f6a-8e21-00000000a003",
      provider: "twilio",
      name: "Cobranza (Twilio)",
      phoneNumberId: null,
      displayPhoneNumber: "525541690002",
      wabaId: null,
      sender: "whatsapp:+525541690002",
      accountSid: `AC${derived(encryptionSecret, "twilio/accountSid").slice(0, 32)}`,
      credentials: { authToken: secret("twilio/authToken").slice(0, 32) },
    },
  ];
}

/** Connects the channels to `tenantId`; re-sealed on every start, so a new secret keeps them usable. */
export async function seedDemoChannels(
  ownerUrl: string,
  tenantId: string,
  encryptionSecret: string,
): Promise<DemoChannel[]> {
  const channels = demoChannels(encryptionSecret);
  await inTenantTransaction(ownerUrl, tenantId, async (client) => {
    for (const ch of channels) {
      const envelope = await sealCredentials(encryptionSecret, ch.id, ch.credentials);
      await client.query(
        `insert into whatsapp_channels (id, tenant_id, provider, name, phone_number_id, display_phone_number, waba_id,
                                        sender, account_sid, credentials_envelope, credential_names)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         on conflict (id) do update set credentials_envelope = excluded.credentials_envelope,
                                        credential_names = excluded.credential_names, deleted_at = null`,
        [
          ch.id,
          tenantId,
          ch.provider,
          ch.name,
          ch.phoneNumberId,
          ch.displayPhoneNumber,
          ch.wabaId,
          ch.sender,
          ch.accountSid,
          envelope,
          Object.keys(ch.credentials),
        ],
      );
    }
  });
  return channels;
}

const CUSTOMER = { waId: "5215512345678", name: "Lupita Hernández" };
const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * A signed sample delivery per channel as a ready `curl` (a fresh message id per start; running one
 * twice shows the second being absorbed as a duplicate).
 */
export async function sampleDeliveryCommands(apiUrl: string, channels: DemoChannel[], now = Date.now()) {
  const seconds = Math.floor(now / 1000);
  const out: { channel: DemoChannel; command: string }[] = [];
  for (const ch of channels) {
    const url = `${apiUrl}/webhooks/whatsapp/${ch.provider}/${ch.id}`;
    if (ch.provider === "twilio") {
      const params = {
        MessageSid: `SMdemo${seconds.toString(16)}`,
        AccountSid: ch.accountSid ?? "",
        From: `whatsapp:+${CUSTOMER.waId}`,
        To: ch.sender ?? "",
        Body: "Hola, quiero pagar mi mensualidad",
        NumMedia: "0",
        ProfileName: "Lupita",
        WaId: CUSTOMER.waId,
      };
      const signature = await twilioSignature(ch.credentials.authToken ?? "", url, params);
      const fields = Object.entries(params)
        .map(([k, v]) => `--data-urlencode ${shellQuote(`${k}=${v}`)}`)
        .join(" ");
      out.push({
        channel: ch,
        command: `curl -sS ${shellQuote(url)} -H ${shellQuote(`x-twilio-signature: ${signature}`)} ${fields}`,
      });
      continue;
    }
    const body = metaEscapedJson(
      JSON.stringify({
        object: "whatsapp_business_account",
        entry: [
          {
            id: ch.wabaId ?? "104729385610452",
            changes: [
              {
                field: "messages",
                value: {
                  messaging_product: "whatsapp",
                  metadata: { display_phone_number: ch.displayPhoneNumber, phone_number_id: ch.phoneNumberId },
                  contacts: [{ profile: { name: CUSTOMER.name }, wa_id: CUSTOMER.waId }],
                  messages: [
                    {
                      from: CUSTOMER.waId,
                      id: `wamid.demo.${ch.provider}.${seconds}`,
                      timestamp: String(seconds),
                      type: "text",
                      text: { body: "¿Me comparten la cotización del proyecto?" },
                    },
                  ],
                },
              },
            ],
          },
        ],
      }),
    );
    const secret = ch.provider === "meta" ? ch.credentials.appSecret : ch.credentials.webhookSecret;
    const hex = await hexHmacSha256(secret ?? "", new TextEncoder().encode(body));
    const header = ch.provider === "meta" ? `x-hub-signature-256: sha256=${hex}` : `x-360dialog-signature: ${hex}`;
    out.push({
      channel: ch,
      command: `curl -sS ${shellQuote(url)} -H 'content-type: application/json' -H ${shellQuote(header)} --data-raw ${shellQuote(body)}`,
    });
  }
  return out;
}
