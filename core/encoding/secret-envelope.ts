/**
 * Small secrets at rest (a WhatsApp channel's provider credentials, …): AES-256-GCM with a key
 * derived by HKDF-SHA256 from a Worker secret, one salt per purpose, so one secret can serve
 * several stores without any two sharing a key. The additional data binds an envelope to the row
 * it belongs to (its id): copied into another row, it no longer opens. Format
 * "zsec1.<iv>.<ciphertext>" (standard base64; the ciphertext ends with GCM's 16-byte tag).
 *
 * Same construction as core/cfdi/key-envelope.ts (CSD keys), generic over purpose and bytes.
 * Runtime-free: Web Crypto only, so it runs in workerd and in plain Node alike.
 */
import { base64ToBytes, bytesToBase64 } from "./base64.ts";
import { derivedKey } from "./derived-key.ts";

const PREFIX = "zsec1";
/** NIST SP 800-38D §8.2.2: a 96-bit random IV per message. */
const IV_BYTES = 12;
export const MIN_SECRET_LENGTH = 32;

const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true });

export type SecretEnvelopeFailure = "short_secret" | "malformed" | "unopenable";

export class SecretEnvelopeError extends Error {
  override name = "SecretEnvelopeError";
  readonly reason: SecretEnvelopeFailure;
  constructor(reason: SecretEnvelopeFailure, message: string) {
    super(message);
    this.reason = reason;
  }
}

export interface EnvelopeBinding {
  /** Names the store, e.g. "whatsapp/channel-credentials": the HKDF salt, so keys differ per purpose. */
  purpose: string;
  /** The owning row's id (GCM additional data). */
  boundTo: string;
}

async function envelopeKey(secret: string, purpose: string): Promise<CryptoKey> {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new SecretEnvelopeError(
      "short_secret",
      `the encryption secret must be at least ${MIN_SECRET_LENGTH} characters`,
    );
  }
  return derivedKey(secret, `zuclubit/${purpose}`, "aes-256-gcm", { name: "AES-GCM", length: 256 }, [
    "encrypt",
    "decrypt",
  ]);
}

function additionalData(binding: EnvelopeBinding): Uint8Array<ArrayBuffer> {
  return enc.encode(`${binding.purpose}\u0000${binding.boundTo}`);
}

export async function sealBytes(plain: Uint8Array, secret: string, binding: EnvelopeBinding): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: additionalData(binding) },
    await envelopeKey(secret, binding.purpose),
    plain as Uint8Array<ArrayBuffer>,
  );
  return `${PREFIX}.${bytesToBase64(iv)}.${bytesToBase64(new Uint8Array(ct))}`;
}

/** The bytes inside `envelope`; SecretEnvelopeError on a wrong secret, purpose or row, or any altered byte. */
export async function openBytes(envelope: string, secret: string, binding: EnvelopeBinding): Promise<Uint8Array> {
  const key = await envelopeKey(secret, binding.purpose);
  const parts = envelope.split(".");
  let iv: Uint8Array;
  let ct: Uint8Array;
  try {
    if (parts.length !== 3 || parts[0] !== PREFIX) throw new Error("format");
    iv = base64ToBytes(parts[1] as string);
    ct = base64ToBytes(parts[2] as string);
    if (iv.length !== IV_BYTES || ct.length < 16) throw new Error("length");
  } catch {
    throw new SecretEnvelopeError("malformed", "the stored secret is not a recognised envelope");
  }
  try {
    const pt = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: iv as Uint8Array<ArrayBuffer>, additionalData: additionalData(binding) },
      key,
      ct as Uint8Array<ArrayBuffer>,
    );
    return new Uint8Array(pt);
  } catch {
    throw new SecretEnvelopeError(
      "unopenable",
      "the stored secret could not be opened: wrong secret, another row, or altered data",
    );
  }
}

/** A JSON value sealed as above (e.g. a credentials object). */
export function sealJson(value: unknown, secret: string, binding: EnvelopeBinding): Promise<string> {
  return sealBytes(enc.encode(JSON.stringify(value)), secret, binding);
}

export async function openJson(envelope: string, secret: string, binding: EnvelopeBinding): Promise<unknown> {
  const bytes = await openBytes(envelope, secret, binding);
  try {
    return JSON.parse(dec.decode(bytes)) as unknown;
  } catch {
    throw new SecretEnvelopeError("malformed", "the stored secret is not JSON");
  }
}
