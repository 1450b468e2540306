// Twilio Programmable Messaging for WhatsApp: POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json,
// HTTP Basic AccountSid:AuthToken, a form body (https://www.twilio.com/docs/messaging/api/message-resource).
// Templates are Content API templates sent by ContentSid with ContentVariables (a JSON object).
import { bytesToBase64 } from "../encoding/base64.ts";
import {
  failure,
  isRecord,
  kindOfStatus,
  parseJson,
  templateVariables,
  type OutboundSend,
  type ProviderRequest,
  type SendFailureKind,
  type SendResult,
} from "./send-message.ts";

export interface TwilioSender {
  accountSid: string;
  authToken: string;
  /** The channel's sender, "whatsapp:+<E.164>". */
  sender: string;
  /**
   * Where Twilio posts this message's status callbacks: the channel's webhook (its signatureUrl
   * when set, the URL Twilio signs). Without it Twilio reports statuses only to a callback set on
   * the account's sender, and a send's delivered/read/failed would never reach the conversation.
   */
  statusCallback?: string;
}

/** Basic credentials, encoded as UTF-8 bytes first, so a non-ASCII token cannot make btoa throw. */
function basic(user: string, password: string): string {
  return `Basic ${bytesToBase64(new TextEncoder().encode(`${user}:${password}`))}`;
}

/** Twilio's form fields for the message; `to` is the customer's wa_id (digits), sent as whatsapp:+{waId}. */
export function twilioForm(sender: TwilioSender, to: string, message: OutboundSend): URLSearchParams {
  const form = new URLSearchParams({ From: sender.sender, To: `whatsapp:+${to}` });
  if (sender.statusCallback) form.set("StatusCallback", sender.statusCallback);
  switch (message.type) {
    case "text":
      form.set("Body", message.text);
      break;
    case "template":
      // Callers check contentSid first (validateForProvider); Twilio sends templates by SID only.
      form.set("ContentSid", message.template.contentSid ?? "");
      form.set("ContentVariables", JSON.stringify(templateVariables(message.template)));
      break;
    case "document":
      // Twilio names the file from the URL (no filename field); the caption is the Body.
      form.set("MediaUrl", message.document.url);
      if (message.document.caption !== undefined) form.set("Body", message.document.caption);
      break;
  }
  return form;
}

export function twilioSendRequest(
  baseUrl: string,
  sender: TwilioSender,
  to: string,
  message: OutboundSend,
): ProviderRequest {
  return {
    url: `${baseUrl.replace(/\/+$/, "")}/2010-04-01/Accounts/${encodeURIComponent(sender.accountSid)}/Messages.json`,
    method: "POST",
    headers: {
      authorization: basic(sender.accountSid, sender.authToken),
      "content-type": "application/x-www-form-urlencoded",
    },
    body: twilioForm(sender, to, message).toString(),
  };
}

// Twilio error codes (https://www.twilio.com/docs/api/errors).
const TWILIO_CODES: ReadonlyMap<number, SendFailureKind> = new Map([
  [63016, "window_closed"], // free-form message outside the 24-hour window
  [21211, "recipient"], // invalid 'To' number
  [21614, "recipient"], // 'To' is not a valid mobile number
  [63003, "recipient"], // the channel could not find the 'To' address
  [63024, "recipient"], // invalid message recipient
  [20003, "credentials"], // authentication failed
  [20404, "credentials"], // the account (URL) does not exist for these credentials
  [21606, "credentials"], // 'From' is not a valid sender for this account
  [63007, "credentials"], // no channel with the 'From' address
  [20429, "throttled"],
  [63018, "throttled"],
]);

/** Reads Twilio's answer: 201 `{sid:"SM…", status:"queued"}`, or `{code, message, more_info, status}`. */
export function parseTwilioResponse(status: number, text: string): SendResult {
  const json = parseJson(text);
  if (status >= 200 && status < 300) {
    const sid = isRecord(json) ? json.sid : undefined;
    if (typeof sid === "string" && /^(SM|MM)[0-9a-fA-F]{32}$/.test(sid)) return { ok: true, providerMessageId: sid };
    return failure("unavailable", null, status);
  }
  const code = isRecord(json) && typeof json.code === "number" && Number.isInteger(json.code) ? json.code : null;
  if (code === null) return failure(kindOfStatus(status), null, status);
  return failure(TWILIO_CODES.get(code) ?? kindOfStatus(status), code, status);
}
