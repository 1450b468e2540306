/**
 * Sello digital (Anexo 20, rubro I.B.2 / III): RSA PKCS#1 v1.5 signature with SHA-256 over the
 * UTF-8 bytes of the cadena original, written as base64 in `Comprobante@Sello`.
 */
import { base64ToBytes, bytesToBase64 } from "../encoding/base64.ts";

const encoder = new TextEncoder();
const ALG = { name: "RSASSA-PKCS1-v1_5" } as const;

export async function signCadena(privateKey: CryptoKey, cadena: string): Promise<string> {
  const sig = await crypto.subtle.sign(ALG, privateKey, encoder.encode(cadena));
  return bytesToBase64(new Uint8Array(sig));
}

/** False (never throws) when the sello is not valid base64 or does not match. */
export async function verifySello(publicKey: CryptoKey, cadena: string, sello: string): Promise<boolean> {
  let sig: Uint8Array;
  try {
    sig = base64ToBytes(sello);
  } catch {
    return false;
  }
  if (sig.length === 0) return false;
  return crypto.subtle.verify(ALG, publicKey, sig as Uint8Array<ArrayBuffer>, encoder.encode(cadena));
}
