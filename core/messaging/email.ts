/**
 * A transactional email through a Resend-compatible HTTP API (issue 14: MSI reminders). Runtime-free:
 * this builds the request and reads the answer; the caller does the fetch.
 *
 * Resend's documented shape (https://resend.com/docs/api-reference/emails, "Send Email"):
 * `POST {base}/emails` with `Authorization: Bearer re_…` and a JSON body `{from, to, subject, html,
 * text, …}` where `to` is a string or an array of at most 50 addresses; the answer is 200 `{"id": "…"}`.
 * Errors are JSON `{statusCode, name, message}` (401/403 key, 422 validation, 429 rate limit, 5xx).
 * An `Idempotency-Key` header (https://resend.com/docs/dashboard/emails/idempotency-keys: up to 256
 * characters, the same key within 24 hours gives the first answer without sending again) makes a
 * retried request safe; we key it by the thing being sent (e.g. the reminder row).
 */

export interface EmailProviderConfig {
  /** e.g. https://api.resend.com (no trailing /emails). */
  baseUrl: string;
  apiKey: string;
}

export interface EmailMessage {
  /** "Name <address>" or an address. */
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** Sent as the Idempotency-Key header; at most 256 characters. */
  idempotencyKey?: string;
}

export interface EmailRequest {
  url: string;
  method: "POST";
  headers: Record<string, string>;
  body: string;
}

export type EmailFailureKind = "credentials" | "rejected" | "throttled" | "unavailable";

export type EmailResult =
  { ok: true; id: string } | { ok: false; kind: EmailFailureKind; httpStatus: number; message: string | null };

const MAX_IDEMPOTENCY_KEY = 256;

export function emailSendRequest(config: EmailProviderConfig, message: EmailMessage): EmailRequest {
  if (message.to.length === 0 || message.to.length > 50) throw new RangeError("an email needs 1 to 50 recipients");
  if (message.idempotencyKey !== undefined && message.idempotencyKey.length > MAX_IDEMPOTENCY_KEY)
    throw new RangeError("Idempotency-Key is at most 256 characters");
  const headers: Record<string, string> = {
    authorization: `Bearer ${config.apiKey}`,
    "content-type": "application/json",
    // Resend answers 403 to a request without a User-Agent.
    "user-agent": "crm-worker",
  };
  if (message.idempotencyKey !== undefined) headers["idempotency-key"] = message.idempotencyKey;
  return {
    url: `${config.baseUrl.replace(/\/+$/, "")}/emails`,
    method: "POST",
    headers,
    body: JSON.stringify({
      from: message.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
    }),
  };
}

/** The provider's answer: the message id, or what kind of refusal it was. */
export function parseEmailResponse(status: number, text: string): EmailResult {
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    body = undefined;
  }
  const record = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  if (status >= 200 && status < 300) {
    if (typeof record.id === "string" && record.id !== "") return { ok: true, id: record.id };
    return { ok: false, kind: "unavailable", httpStatus: status, message: "answer without an id" };
  }
  const message = typeof record.message === "string" ? record.message.slice(0, 300) : null;
  const kind: EmailFailureKind =
    status === 401 || status === 403
      ? "credentials"
      : status === 429
        ? "throttled"
        : status >= 500
          ? "unavailable"
          : "rejected";
  return { ok: false, kind, httpStatus: status, message };
}
