/**
 * Storing a tenant's CSD private key: decrypt the SAT `.key` once at upload (password + PBES2/3DES,
 * `decryptPkcs8`), then keep only an AES-256-GCM envelope of the PKCS#8 bytes, keyed by a Worker
 * secret. Later loads skip PBKDF2 and 3DES (one AES-GCM decrypt), the tenant's password is not
 * stored, and the envelope is bound to the certificate's NoCertificado (as GCM additional data),
 * so an envelope cannot be replayed next to another tenant's certificate.
 */
import { base64ToBytes, bytesToBase64 } from "../encoding/base64.ts";
import type { Csd } from "./csd.ts";
import { importCertificateKey, parseCertificate } from "./certificate.ts";
import { fail } from "./errors.ts";
import { importPrivateKey } from "./private-key.ts";
import { signCadena, verifySello } from "./sello.ts";

const PREFIX = "zcsd1";
const enc = new TextEncoder();

async function envelopeKey(secret: string): Promise<CryptoKey> {
  if (secret.length < 32)
    fail("KEY_ENVELOPE_SECRET", "El secreto para cifrar llaves debe tener al menos 32 caracteres.");
  const ikm = await crypto.subtle.importKey("raw", enc.encode(secret), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    {
      name: "HKDF",
      hash: "SHA-256",
      salt: enc.encode("zuclubit/cfdi/csd-key-envelope"),
      info: enc.encode("aes-256-gcm"),
    },
    ikm,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

/** "zcsd1.<iv>.<ciphertext>" (base64), bound to `noCertificado`. */
export async function sealPrivateKey(pkcs8: Uint8Array, secret: string, noCertificado: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: enc.encode(noCertificado) },
    await envelopeKey(secret),
    pkcs8 as Uint8Array<ArrayBuffer>,
  );
  return `${PREFIX}.${bytesToBase64(iv)}.${bytesToBase64(new Uint8Array(ct))}`;
}

/** The PKCS#8 bytes inside an envelope; fails with KEY_ENVELOPE on any mismatch or tampering. */
export async function openSealedPrivateKey(
  envelope: string,
  secret: string,
  noCertificado: string,
): Promise<Uint8Array> {
  const parts = envelope.split(".");
  if (parts.length !== 3 || parts[0] !== PREFIX)
    fail("KEY_ENVELOPE", "La llave almacenada no tiene un formato reconocido.");
  try {
    const iv = base64ToBytes(parts[1] as string);
    const ct = base64ToBytes(parts[2] as string);
    const pt = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: iv as Uint8Array<ArrayBuffer>, additionalData: enc.encode(noCertificado) },
      await envelopeKey(secret),
      ct as Uint8Array<ArrayBuffer>,
    );
    return new Uint8Array(pt);
  } catch (e) {
    if (e instanceof Error && e.name === "CfdiError") throw e;
    fail(
      "KEY_ENVELOPE",
      "La llave almacenada no se pudo abrir: secreto incorrecto, certificado distinto o datos alterados.",
    );
  }
}

/** loadCsd for a stored envelope: same checks (key pairs with the certificate), no password. */
export async function loadSealedCsd(cer: Uint8Array | string, envelope: string, secret: string): Promise<Csd> {
  const certificate = parseCertificate(cer);
  const privateKey = await importPrivateKey(await openSealedPrivateKey(envelope, secret, certificate.noCertificado));
  const publicKey = await importCertificateKey(certificate);
  const probe = `||zuclubit-csd-probe|${certificate.noCertificado}||`;
  if (!(await verifySello(publicKey, probe, await signCadena(privateKey, probe)))) {
    fail("CSD_KEY_MISMATCH", "La llave privada no corresponde al certificado.", "key");
  }
  return { certificate, privateKey, publicKey };
}
