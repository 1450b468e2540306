// The public proposal link (public-pages issue): 32 random bytes (256 bits) as base64url. Only the
// SHA-256 (hex) of the token is stored, so a database leak does not leak working links; the raw
// token exists in the one response to `send`.

export async function newPublicToken(): Promise<{ token: string; hash: string }> {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const token = base64Url(bytes);
  return { token, hash: await sha256Hex(token) };
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function base64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** PUBLIC_BASE_URL when configured (production), else the origin the API was called on. */
export function publicLinkUrl(publicBaseUrl: string | undefined, requestUrl: string, token: string): string {
  const base = (publicBaseUrl ?? new URL(requestUrl).origin).replace(/\/+$/, "");
  return `${base}/p/${token}`;
}
