/** Base64 for byte arrays with web-standard `btoa`/`atob` only (Workers and Node alike). */

export function bytesToBase64(bytes: Uint8Array): string {
  let s = "";
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) s += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(s);
}

/** Decodes base64, ignoring whitespace (certificates are often wrapped). Throws on bad input. */
export function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const clean = b64.replace(/[\s]/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) throw new Error("invalid base64");
  const bin = atob(clean);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** PEM body of the given label (or of the first block) as DER bytes. */
export function pemToDer(pem: string, label?: string): Uint8Array {
  const re = label
    ? new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`)
    : /-----BEGIN [^-]+-----([\s\S]*?)-----END [^-]+-----/;
  const m = re.exec(pem);
  if (!m) throw new Error(`no PEM block${label ? ` "${label}"` : ""} found`);
  return base64ToBytes(m[1] as string);
}
