// 360dialog's Cloud API hosting: POST {base}/messages (base https://waba-v2.360dialog.io) with the
// channel's D360-API-KEY; the body and the errors Meta returns are passed through unchanged
// (https://docs.360dialog.com/docs/waba-messaging/messaging). 360dialog answers a wrong key itself
// with 401 and a body of its own, which the status alone classifies.
import { cloudApiBody, parseCloudApiResponse } from "./send-meta.ts";
import type { OutboundSend, ProviderRequest, SendResult } from "./send-message.ts";

export interface DialogSender {
  apiKey: string;
}

export function dialogSendRequest(
  baseUrl: string,
  sender: DialogSender,
  to: string,
  message: OutboundSend,
): ProviderRequest {
  return {
    url: `${baseUrl.replace(/\/+$/, "")}/messages`,
    method: "POST",
    headers: { "d360-api-key": sender.apiKey, "content-type": "application/json" },
    body: JSON.stringify(cloudApiBody(to, message)),
  };
}

export function parseDialogResponse(status: number, text: string): SendResult {
  return parseCloudApiResponse(status, text);
}
