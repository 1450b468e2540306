// An outbound WhatsApp message as the API accepts it, and what a provider's answer to a send means
// (issue 12). Runtime-free: the provider adapters (send-meta.ts, send-360dialog.ts, send-twilio.ts)
// build requests and read answers here; workers/whatsapp/provider-send.ts does the fetch.

/** WhatsApp's own cap on a text body (Cloud API `text.body`, Twilio `Body` for WhatsApp). */
export const MAX_SEND_TEXT_CHARS = 4_096;
/** Cloud API `document.caption`. */
export const MAX_CAPTION_CHARS = 1_024;
export const MAX_FILENAME_CHARS = 240;
/** Template body parameters (Cloud API limits the template body to 1,024 chars in all). */
export const MAX_TEMPLATE_PARAMETERS = 50;
export const MAX_TEMPLATE_PARAMETER_CHARS = 1_024;
/** Twilio caps every message Body at 1,600 characters (error 21617), WhatsApp included. */
export const MAX_TWILIO_BODY_CHARS = 1_600;
/** Cloud API version of the Graph endpoint (POST /{version}/{phone-number-id}/messages). */
export const GRAPH_API_VERSION = "v21.0";
export const CONTENT_SID_RE = /^HX[0-9a-fA-F]{32}$/;

/**
 * A template, one shape for every provider:
 * - `name` + `language` are the template's WhatsApp name and locale (Meta and 360dialog send by
 *   them; the inbox shows them for every provider);
 * - `parameters` fill the body's {{1}}, {{2}}, … in order;
 * - Twilio sends by the approved Content template's SID (`contentSid`, HX…), never by name; its
 *   variables are `parameters` numbered from "1", or `variables` given as Twilio's own map.
 */
export interface TemplateSend {
  name: string;
  language: string;
  parameters: string[];
  contentSid?: string;
  variables?: Record<string, string>;
}

export interface DocumentSend {
  /** https only; the provider downloads it. */
  url: string;
  filename?: string;
  caption?: string;
}

export type OutboundSend =
  | { type: "text"; text: string }
  | { type: "template"; template: TemplateSend }
  | { type: "document"; document: DocumentSend };

/** One HTTP request to a provider, built by an adapter. */
export interface ProviderRequest {
  url: string;
  method: "POST";
  headers: Record<string, string>;
  body: string;
}

/**
 * What a refused send means for the caller:
 * - window_closed: free-form message outside the 24-hour customer-service window;
 * - recipient: the number cannot receive it (not on WhatsApp, invalid, undeliverable);
 * - rejected: the request itself (template name/parameters, media URL, …);
 * - credentials: the channel's credentials or account set-up (token, key, sender, account);
 * - throttled: the provider's own rate limits;
 * - unavailable: the provider failed (5xx, or an answer we cannot read).
 */
export type SendFailureKind = "window_closed" | "recipient" | "rejected" | "credentials" | "throttled" | "unavailable";

export interface SendFailure {
  kind: SendFailureKind;
  /** The provider's error code (Meta's `error.code`, Twilio's `code`), as text; null when it gave none. */
  providerCode: string | null;
  /** The provider's HTTP status. */
  httpStatus: number;
}

export type SendResult = { ok: true; providerMessageId: string } | { ok: false; failure: SendFailure };

export function failure(kind: SendFailureKind, providerCode: string | number | null, httpStatus: number): SendResult {
  return {
    ok: false,
    failure: { kind, providerCode: providerCode === null ? null : String(providerCode), httpStatus },
  };
}

/** The kind an HTTP status implies when the body names no code we know. */
export function kindOfStatus(status: number): SendFailureKind {
  if (status === 401 || status === 403) return "credentials";
  if (status === 429) return "throttled";
  if (status >= 500) return "unavailable";
  return "rejected";
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Twilio's ContentVariables for a template: `variables` as given, else `parameters` numbered from "1". */
export function templateVariables(template: TemplateSend): Record<string, string> {
  if (template.variables) return template.variables;
  return Object.fromEntries(template.parameters.map((p, i) => [String(i + 1), p]));
}

/** The positional parameters a template is stored with: `parameters`, else `variables` in numeric key order. */
export function templateParameters(template: TemplateSend): string[] {
  if (template.parameters.length > 0 || !template.variables) return template.parameters;
  return Object.entries(template.variables)
    .sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true }))
    .map(([, v]) => v);
}
