/**
 * Short-lived download links for stored documents (proposal PDFs now, CFDI XML/PDF next): what a
 * WhatsApp provider downloads when we send a document, and what a customer opens from a message.
 * The link carries its R2 key, file name, type and expiry, signed with HMAC-SHA256, so the route
 * that serves it needs no database read and nothing is stored per link. It is a bearer credential
 * for 15 minutes: anyone holding it can download that one object, nothing else.
 *
 * The HMAC key is derived by HKDF-SHA256 from a Worker secret with its own salt, so the secret that
 * seals credentials at rest can serve here without the two uses sharing a key.
 * Token: `{base64url(JSON payload)}.{base64url(HMAC)}`. Runtime-free: Web Crypto only.
 */
import { derivedKey } from "../encoding/derived-key.ts";
import { base64UrlFromBytes, base64UrlFromText, bytesFromBase64Url, textFromBase64Url } from "../encoding/base64url.ts";

export const DOWNLOAD_LINK_TTL_SECONDS = 15 * 60;
/** A payload is a key (~100 chars), a file name (≤ 240) and a type: far under this. */
export const MAX_DOWNLOAD_TOKEN_CHARS = 1_200;
export const MAX_DOCUMENT_FILENAME_CHARS = 240;

/** Objects under a tenant's prefix only: a link can never name another bucket area. */
const KEY_RE = /^tenants\/[0-9a-f-]{36}\/(?:[A-Za-z0-9_.-]+\/)*[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;
const CONTENT_TYPES = ["application/pdf", "application/xml"] as const;
export type DocumentContentType = (typeof CONTENT_TYPES)[number];
const TOKEN_RE = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/;

export interface DownloadLink {
  /** The R2 key, `tenants/{tenantId}/…`. */
  key: string;
  /** The name the download is saved under. */
  filename: string;
  contentType: DocumentContentType;
  /** Unix seconds. */
  expiresAt: number;
}

export type DownloadLinkCheck =
  { ok: true; link: DownloadLink } | { ok: false; reason: "malformed" | "mismatch" | "expired" };

const enc = new TextEncoder();

function macKey(secret: string): Promise<CryptoKey> {
  return derivedKey(secret, "zuclubit/document-links", "hmac-sha256", { name: "HMAC", hash: "SHA-256", length: 256 }, [
    "sign",
    "verify",
  ]);
}

/** A name the link can carry (and a Content-Disposition header can hold): no quotes, slashes or control characters. */
export function validDocumentFilename(filename: string): boolean {
  return (
    filename.length > 0 && filename.length <= MAX_DOCUMENT_FILENAME_CHARS && !/[\u0000-\u001f\u007f"\\/]/.test(filename)
  );
}

function validLink(value: unknown): value is DownloadLink {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const { key, filename, contentType, expiresAt } = value as Record<string, unknown>;
  return (
    typeof key === "string" &&
    KEY_RE.test(key) &&
    !key.includes("..") &&
    typeof filename === "string" &&
    validDocumentFilename(filename) &&
    CONTENT_TYPES.includes(contentType as DocumentContentType) &&
    typeof expiresAt === "number" &&
    Number.isSafeInteger(expiresAt)
  );
}

/** A token for `link`; TypeError when the link itself is not one this module would open. */
export async function signDownloadLink(secret: string, link: DownloadLink): Promise<string> {
  if (!validLink(link)) throw new TypeError(`not a valid download link: ${JSON.stringify(link)}`);
  const payload = base64UrlFromText(
    JSON.stringify({
      key: link.key,
      filename: link.filename,
      contentType: link.contentType,
      expiresAt: link.expiresAt,
    }),
  );
  const mac = await crypto.subtle.sign("HMAC", await macKey(secret), enc.encode(payload));
  return `${payload}.${base64UrlFromBytes(new Uint8Array(mac))}`;
}

/** The link `token` names, once its MAC verifies (constant time, before its payload is parsed) and it has not expired. */
export async function openDownloadLink(secret: string, token: string, now = Date.now()): Promise<DownloadLinkCheck> {
  if (token.length > MAX_DOWNLOAD_TOKEN_CHARS) return { ok: false, reason: "malformed" };
  const match = TOKEN_RE.exec(token);
  if (!match?.[1] || !match[2]) return { ok: false, reason: "malformed" };
  const mac = bytesFromBase64Url(match[2]);
  if (!mac || mac.length !== 32) return { ok: false, reason: "malformed" };
  const verified = await crypto.subtle.verify("HMAC", await macKey(secret), mac, enc.encode(match[1]));
  if (!verified) return { ok: false, reason: "mismatch" };
  const json = textFromBase64Url(match[1]);
  let link: unknown;
  try {
    link = json === undefined ? undefined : JSON.parse(json);
  } catch {
    link = undefined;
  }
  if (!validLink(link)) return { ok: false, reason: "malformed" };
  if (Math.floor(now / 1000) >= link.expiresAt) return { ok: false, reason: "expired" };
  return { ok: true, link };
}

/**
 * Content-Disposition for a download (RFC 6266): an ASCII fallback name, and the exact UTF-8 name
 * in `filename*` for clients that read it (a razón social with accents).
 */
export function attachmentDisposition(filename: string): string {
  const ascii = filename
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
