/**
 * Encrypts a PKCS#8 private key for a PAC's cancellation by CSD. SW Sapien takes it as a SAT `.key`
 * (DER, with a one-time password sent beside it); Finkok as below. One shape serves both: it is the
 * one SAT's own `.key` files have. Finkok's `cancel` operation wants it as an
 * EncryptedPrivateKeyInfo (RFC 5208) with PBES2 (RFC 8018 §6.2), PBKDF2-HMAC-SHA256 and
 * DES-EDE3-CBC, PEM-armoured as "ENCRYPTED PRIVATE KEY", with the Finkok account password (not
 * the CSD's own password) as the passphrase.
 * - The shape is the one in the `cancel` request Finkok's support published (decoded: PBES2,
 *   PBKDF2 with an 8-byte salt, 2048 iterations and hmacWithSHA256, des-ede3-cbc), which is what
 *   `openssl pkcs8 -topk8 -v2 des3` (and OpenSSL 3's `rsa -des3`) writes:
 *   https://github.com/Christopher-MCT/ejemplo_timbradoCFDI/blob/main/envolturas/SoapRequest.xml
 * - The passphrase is the account password: phpcfdi/Timbrado re-encrypts the CSD key from its own
 *   passphrase to the Finkok password (`openssl rsa -des3 -passout <password>`) before `cancel`:
 *   https://github.com/phpcfdi/Timbrado/blob/master/src/Providers/Finkok/Processors/Cancelar/ConvertToSharedPrivateKey.php
 *
 * DES-EDE3 rather than AES-256: it is the cipher Finkok documents and demonstrably accepts; the
 * encryption only has to survive Finkok's decryption, the transport is TLS either way.
 * Runtime-free: PBKDF2 on Web Crypto, 3DES (which Web Crypto lacks) on core/cfdi/des3.ts.
 */
import { desBlock, desKeySchedule } from "../../cfdi/des3.ts";
import { nullValue, objectIdentifier, octetString, sequence, unsignedInteger } from "../../cfdi/der-writer.ts";
import { bytesToBase64 } from "../../encoding/base64.ts";

const OID_PBES2 = "1.2.840.113549.1.5.13";
const OID_PBKDF2 = "1.2.840.113549.1.5.12";
const OID_HMAC_SHA256 = "1.2.840.113549.2.9";
const OID_DES_EDE3_CBC = "1.2.840.113549.3.7";
/** OpenSSL's default for `pkcs8 -topk8`, the count in Finkok's published example. */
export const DEFAULT_PBKDF2_ITERATIONS = 2048;

function readBlock(b: Uint8Array, o: number): [number, number] {
  const word = (i: number) =>
    (((b[i] as number) << 24) | ((b[i + 1] as number) << 16) | ((b[i + 2] as number) << 8) | (b[i + 3] as number)) >>>
    0;
  return [word(o), word(o + 4)];
}

function writeBlock(b: Uint8Array, o: number, hi: number, lo: number): void {
  for (let i = 0; i < 4; i++) {
    b[o + i] = (hi >>> (24 - 8 * i)) & 0xff;
    b[o + 4 + i] = (lo >>> (24 - 8 * i)) & 0xff;
  }
}

/** DES-EDE3-CBC encryption with PKCS#5 padding: the inverse of des3CbcDecrypt in des3.ts. */
export function des3CbcEncrypt(key: Uint8Array, iv: Uint8Array, plain: Uint8Array): Uint8Array<ArrayBuffer> {
  if (key.length !== 24) throw new RangeError("3DES key must be 24 bytes");
  if (iv.length !== 8) throw new RangeError("3DES IV must be 8 bytes");
  const pad = 8 - (plain.length % 8);
  const data = new Uint8Array(plain.length + pad);
  data.set(plain);
  data.fill(pad, plain.length);
  const k1 = desKeySchedule(key.subarray(0, 8));
  const k2 = desKeySchedule(key.subarray(8, 16));
  const k3 = desKeySchedule(key.subarray(16, 24));
  let [cHi, cLo] = readBlock(iv, 0);
  for (let o = 0; o < data.length; o += 8) {
    const [pHi, pLo] = readBlock(data, o);
    let [hi, lo] = desBlock((pHi ^ cHi) >>> 0, (pLo ^ cLo) >>> 0, k1, false);
    [hi, lo] = desBlock(hi, lo, k2, true);
    [hi, lo] = desBlock(hi, lo, k3, false);
    writeBlock(data, o, hi, lo);
    cHi = hi;
    cLo = lo;
  }
  return data;
}

async function pbkdf2Sha256(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
  const base = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, [
    "deriveBits",
  ]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", salt, iterations, hash: "SHA-256" }, base, 24 * 8);
  return new Uint8Array(bits);
}

/** DER EncryptedPrivateKeyInfo of `pkcs8` under `password` (PBES2, PBKDF2-HMAC-SHA256, DES-EDE3-CBC). */
export async function encryptPkcs8(
  pkcs8: Uint8Array,
  password: string,
  iterations = DEFAULT_PBKDF2_ITERATIONS,
): Promise<Uint8Array<ArrayBuffer>> {
  const salt = crypto.getRandomValues(new Uint8Array(8));
  const iv = crypto.getRandomValues(new Uint8Array(8));
  const key = await pbkdf2Sha256(password, salt, iterations);
  const encrypted = des3CbcEncrypt(key, iv, pkcs8);
  key.fill(0);
  const iterationCount = unsignedInteger(magnitude(iterations));
  const algorithm = sequence(
    objectIdentifier(OID_PBES2),
    sequence(
      sequence(
        objectIdentifier(OID_PBKDF2),
        sequence(octetString(salt), iterationCount, sequence(objectIdentifier(OID_HMAC_SHA256), nullValue())),
      ),
      sequence(objectIdentifier(OID_DES_EDE3_CBC), octetString(iv)),
    ),
  );
  return sequence(algorithm, octetString(encrypted));
}

/** Big-endian bytes of a positive integer (unsignedInteger adds the sign byte when needed). */
function magnitude(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError("iterations must be a positive integer");
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Uint8Array.from(bytes);
}

/** A random password of printable ASCII (base64url of 24 random bytes: 192 bits). */
export function randomKeyPassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** PEM armour with 64-character lines, as OpenSSL writes it. */
export function toPem(label: string, der: Uint8Array): string {
  const b64 = bytesToBase64(der);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
