// Signed Meta Cloud API deliveries for the WhatsApp benchmark: one text message each, from a pool
// of customers, with Meta's own escaping (non-ASCII as \uXXXX, "/" as "\/").
import { metaEscapedJson } from "../../core/whatsapp/meta-json.ts";
import { hexHmacSha256 } from "../../core/whatsapp/signatures.ts";

export interface SignedDelivery {
  messageId: string;
  body: string;
  /** X-Hub-Signature-256 value. */
  signature: string;
}

const encoder = new TextEncoder();

/** Customer i's wa_id: Mexican mobiles in Meta's 521 form, 200 distinct by default. */
export function customerWaId(i: number): string {
  return `52155${String(10_000_000 + i).slice(-8)}`;
}

export async function signedDeliveries(opts: {
  appSecret: string;
  phoneNumberId: string;
  count: number;
  customers: number;
  run: string;
  startSeconds: number;
}): Promise<SignedDelivery[]> {
  const out: SignedDelivery[] = [];
  for (let i = 0; i < opts.count; i++) {
    const waId = customerWaId(i % opts.customers);
    const messageId = `wamid.bench.${opts.run}.${i}`;
    const body = metaEscapedJson(
      JSON.stringify({
        object: "whatsapp_business_account",
        entry: [
          {
            id: "104729385610452",
            changes: [
              {
                field: "messages",
                value: {
                  messaging_product: "whatsapp",
                  metadata: { display_phone_number: "525541690000", phone_number_id: opts.phoneNumberId },
                  contacts: [{ profile: { name: `Cliente ${i % opts.customers}` }, wa_id: waId }],
                  messages: [
                    {
                      from: waId,
                      id: messageId,
                      timestamp: String(opts.startSeconds + i),
                      type: "text",
                      text: { body: `Hola, ¿me envían la cotización número ${i}? Gracias.` },
                    },
                  ],
                },
              },
            ],
          },
        ],
      }),
    );
    out.push({ messageId, body, signature: `sha256=${await hexHmacSha256(opts.appSecret, encoder.encode(body))}` });
  }
  return out;
}
