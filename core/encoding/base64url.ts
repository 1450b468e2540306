// base64url without padding (RFC 4648 §5): tokens, cursors and MACs that travel in URLs.

export function base64UrlFromBytes(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function base64UrlFromText(text: string): string {
  return base64UrlFromBytes(new TextEncoder().encode(text));
}

const BASE64URL_RE = /^[A-Za-z0-9_-]*$/;

/** The bytes `text` encodes, or undefined when it is not unpadded base64url. */
export function bytesFromBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!BASE64URL_RE.test(text) || text.length % 4 === 1) return undefined;
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** The UTF-8 text `text` encodes, or undefined when it is not unpadded base64url of valid UTF-8. */
export function textFromBase64Url(text: string): string | undefined {
  const bytes = bytesFromBase64Url(text);
  if (!bytes) return undefined;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
