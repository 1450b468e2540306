// Meta WhatsApp Cloud API: POST {graph}/{version}/{phone-number-id}/messages with the channel's
// access token (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages).
// 360dialog's Cloud API hosting takes the same body (send-360dialog.ts).
import {
  GRAPH_API_VERSION,
  failure,
  isRecord,
  kindOfStatus,
  parseJson,
  type OutboundSend,
  type ProviderRequest,
  type SendFailureKind,
  type SendResult,
} from "./send-message.ts";

export interface MetaSender {
  phoneNumberId: string;
  accessToken: string;
}

/** The Cloud API message body; `to` is the customer's wa_id (digits, no "+"). */
export function cloudApiBody(to: string, message: OutboundSend): Record<string, unknown> {
  const base = { messaging_product: "whatsapp", recipient_type: "individual", to };
  switch (message.type) {
    case "text":
      // preview_url false: a link in a sales message should not be fetched and previewed by WhatsApp unasked.
      return { ...base, type: "text", text: { body: message.text, preview_url: false } };
    case "template": {
      const t = message.template;
      return {
        ...base,
        type: "template",
        template: {
          name: t.name,
          language: { code: t.language },
          // A template without variables takes no components (Meta refuses an empty parameter list).
          ...(t.parameters.length === 0
            ? {}
            : { components: [{ type: "body", parameters: t.parameters.map((text) => ({ type: "text", text })) }] }),
        },
      };
    }
    case "document": {
      const d = message.document;
      return {
        ...base,
        type: "document",
        document: {
          link: d.url,
          ...(d.filename === undefined ? {} : { filename: d.filename }),
          ...(d.caption === undefined ? {} : { caption: d.caption }),
        },
      };
    }
  }
}

export function metaSendRequest(
  baseUrl: string,
  sender: MetaSender,
  to: string,
  message: OutboundSend,
): ProviderRequest {
  return {
    url: `${baseUrl.replace(/\/+$/, "")}/${GRAPH_API_VERSION}/${encodeURIComponent(sender.phoneNumberId)}/messages`,
    method: "POST",
    headers: { authorization: `Bearer ${sender.accessToken}`, "content-type": "application/json" },
    body: JSON.stringify(cloudApiBody(to, message)),
  };
}

// Cloud API error codes (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes).
const CLOUD_API_CODES: ReadonlyMap<number, SendFailureKind> = new Map([
  // 131047: more than 24 hours since the customer last wrote ("Re-engagement message").
  [131047, "window_closed"],
  [131026, "recipient"], // message undeliverable (not on WhatsApp, old app, …)
  [131030, "recipient"], // recipient not in the test number's allowed list
  [131021, "recipient"], // recipient is the sender
  [131050, "recipient"], // the customer stopped marketing messages
  [0, "credentials"], // AuthException
  [3, "credentials"], // capability / permission
  [10, "credentials"], // permission denied
  [190, "credentials"], // access token expired or invalid
  [131031, "credentials"], // business account locked
  [131042, "credentials"], // payment method problem
  [133010, "credentials"], // phone number not registered on the Cloud API
  [368, "credentials"], // temporarily blocked for policy violations
  [4, "throttled"],
  [80007, "throttled"],
  [130429, "throttled"],
  [131048, "throttled"],
  [131056, "throttled"],
  [1, "unavailable"],
  [2, "unavailable"],
  [131000, "unavailable"],
  [131016, "unavailable"],
]);

/** Cloud API error codes 200–299 are permission errors. */
function cloudApiKind(code: number, status: number): SendFailureKind {
  const known = CLOUD_API_CODES.get(code);
  if (known) return known;
  if (code >= 200 && code <= 299) return "credentials";
  return kindOfStatus(status);
}

/** Reads a Cloud API answer: `{messages:[{id}]}` on success, `{error:{code,…}}` otherwise. */
export function parseCloudApiResponse(status: number, text: string): SendResult {
  const json = parseJson(text);
  if (status >= 200 && status < 300) {
    const messages = isRecord(json) && Array.isArray(json.messages) ? (json.messages as unknown[]) : [];
    const first = messages[0];
    const id = isRecord(first) ? first.id : undefined;
    if (typeof id === "string" && id.length > 0 && id.length <= 256) return { ok: true, providerMessageId: id };
    return failure("unavailable", null, status);
  }
  const error = isRecord(json) && isRecord(json.error) ? json.error : undefined;
  const code = error && typeof error.code === "number" && Number.isInteger(error.code) ? error.code : null;
  if (code === null) return failure(kindOfStatus(status), null, status);
  return failure(cloudApiKind(code, status), code, status);
}
