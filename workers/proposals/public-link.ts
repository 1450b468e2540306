// The public proposal link (public-pages issue): 32 random bytes (256 bits) as base64url. Only the
// SHA-256 (hex) of the token is stored, so a database leak does not leak working links; the raw
// token exists in the one response to `send`.
import { base64UrlFromBytes } from "../../core/encoding/base64url.ts";
import { sha256Hex } from "../../core/encoding/digest.ts";
import { publicOrigin } from "../http/public-origin.ts";

export async function newPublicToken(): Promise<{ token: string; hash: string }> {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const token = base64UrlFromBytes(bytes);
  return { token, hash: await sha256Hex(token) };
}

/** PUBLIC_BASE_URL when configured (production), else the origin the API was called on. */
export function publicLinkUrl(publicBaseUrl: string | undefined, requestUrl: string, token: string): string {
  return `${publicOrigin(publicBaseUrl, requestUrl)}/p/${token}`;
}
