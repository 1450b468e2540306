/**
 * A key derived by HKDF-SHA256 from a Worker secret, one salt per purpose, so one secret serves
 * several uses (sealing stored secrets, signing download links) without any two sharing a key.
 * Resolved keys are cached per isolate — never the promise: in workerd a promise created by one
 * request and awaited by another may never settle. Runtime-free: Web Crypto only.
 */
const enc = new TextEncoder();
const keys = new Map<string, CryptoKey>();

export async function derivedKey(
  secret: string,
  salt: string,
  info: string,
  algorithm: AesKeyGenParams | HmacKeyGenParams,
  usages: KeyUsage[],
): Promise<CryptoKey> {
  const cacheKey = `${salt}\u0000${info}\u0000${secret}`;
  const hit = keys.get(cacheKey);
  if (hit) return hit;
  const ikm = await crypto.subtle.importKey("raw", enc.encode(secret), "HKDF", false, ["deriveKey"]);
  const key = await crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: enc.encode(salt), info: enc.encode(info) },
    ikm,
    algorithm,
    false,
    usages,
  );
  // A handful of (secret, purpose) pairs per isolate; bounded anyway.
  if (keys.size >= 32) keys.clear();
  keys.set(cacheKey, key);
  return key;
}
