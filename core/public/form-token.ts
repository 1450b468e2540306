// Anti-CSRF token for the public accept/reject forms: an HMAC over the link's token hash and the
// time the page was rendered, so a form can only be posted from a page of the same link, within
// FORM_TOKEN_TTL_SECONDS. Web Crypto only (runs in the Worker and in Node).
import { base64UrlFromBytes } from "../encoding/base64url.ts";
import { constantTimeEqual } from "../encoding/digest.ts";

export const FORM_TOKEN_TTL_SECONDS = 2 * 60 * 60;

const encoder = new TextEncoder();

async function hmac(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return base64UrlFromBytes(new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(message))));
}

/** `{issuedAtSeconds}.{mac}` */
export async function issueFormToken(secret: string, linkTokenHash: string, now = Date.now()): Promise<string> {
  const issuedAt = Math.floor(now / 1000);
  return `${issuedAt}.${await hmac(secret, `${linkTokenHash}|${issuedAt}`)}`;
}

export type FormTokenCheck = { ok: true } | { ok: false; reason: "malformed" | "expired" | "mismatch" };

export async function checkFormToken(
  secret: string,
  linkTokenHash: string,
  token: string | undefined | null,
  now = Date.now(),
): Promise<FormTokenCheck> {
  const match = /^(\d{9,11})\.([A-Za-z0-9_-]{43})$/.exec(token ?? "");
  if (!match?.[1] || !match[2]) return { ok: false, reason: "malformed" };
  const issuedAt = Number(match[1]);
  const age = Math.floor(now / 1000) - issuedAt;
  if (age < -60 || age > FORM_TOKEN_TTL_SECONDS) return { ok: false, reason: "expired" };
  const expected = await hmac(secret, `${linkTokenHash}|${issuedAt}`);
  return constantTimeEqual(encoder.encode(expected), encoder.encode(match[2]))
    ? { ok: true }
    : { ok: false, reason: "mismatch" };
}
