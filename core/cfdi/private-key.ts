/**
 * Opens the SAT `.key` file: a DER PKCS#8 `EncryptedPrivateKeyInfo` (RFC 5208) using PBES2
 * (RFC 8018 §6.2) with PBKDF2 (HMAC-SHA1 by default) and DES-EDE3-CBC. PBKDF2 and AES run on
 * WebCrypto; 3DES, which WebCrypto lacks, runs on `des3.ts`. The decrypted PKCS#8 is imported
 * into WebCrypto as a non-extractable RSASSA-PKCS1-v1_5/SHA-256 signing key.
 */
import type { DerNode } from "./asn1.ts";
import { TAG, children, content, expect, oid, readDer, smallInteger } from "./asn1.ts";
import { pemToDer } from "../encoding/base64.ts";
import { des3CbcDecrypt } from "./des3.ts";
import { CfdiError, fail } from "./errors.ts";

const OID_PBES2 = "1.2.840.113549.1.5.13";
const OID_PBKDF2 = "1.2.840.113549.1.5.12";
const OID_DES_EDE3_CBC = "1.2.840.113549.3.7";
const OID_AES_CBC: Record<string, number> = {
  "2.16.840.1.101.3.4.1.2": 16,
  "2.16.840.1.101.3.4.1.22": 24,
  "2.16.840.1.101.3.4.1.42": 32,
};
const PRF: Record<string, string> = {
  "1.2.840.113549.2.7": "SHA-1",
  "1.2.840.113549.2.9": "SHA-256",
  "1.2.840.113549.2.10": "SHA-384",
  "1.2.840.113549.2.11": "SHA-512",
};

async function pbkdf2(
  password: string,
  salt: Uint8Array,
  iterations: number,
  hash: string,
  length: number,
): Promise<Uint8Array> {
  const base = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, [
    "deriveBits",
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", salt: salt as Uint8Array<ArrayBuffer>, iterations, hash },
    base,
    length * 8,
  );
  return new Uint8Array(bits);
}

function isPrivateKeyInfo(der: Uint8Array): boolean {
  try {
    const n = readDer(der);
    if (n.tag !== TAG.SEQUENCE || n.end !== der.length) return false;
    const [version, alg, key] = children(n);
    return version?.tag === TAG.INTEGER && alg?.tag === TAG.SEQUENCE && key?.tag === TAG.OCTET_STRING;
  } catch {
    return false;
  }
}

/** Decrypts an EncryptedPrivateKeyInfo to the DER of its PrivateKeyInfo. */
export async function decryptPkcs8(encrypted: Uint8Array, password: string): Promise<Uint8Array> {
  let algorithm: DerNode;
  let data: Uint8Array;
  let params: DerNode[];
  try {
    const root = expect(readDer(encrypted), TAG.SEQUENCE, "EncryptedPrivateKeyInfo");
    const [alg, enc] = children(root);
    algorithm = expect(alg, TAG.SEQUENCE, "encryptionAlgorithm");
    data = content(expect(enc, TAG.OCTET_STRING, "encryptedData"));
    const [algOid, algParams] = children(algorithm);
    if (oid(algOid as DerNode) !== OID_PBES2)
      fail(
        "KEY_UNSUPPORTED",
        "La llave privada usa un cifrado distinto de PBES2; exporte la llave del SAT sin modificarla.",
      );
    params = children(expect(algParams, TAG.SEQUENCE, "PBES2-params"));
  } catch (e) {
    if (e instanceof CfdiError) throw e;
    fail("KEY_INVALID", "El archivo .key no es una llave privada del SAT (PKCS#8 cifrado en DER).");
  }
  const [kdf, scheme] = params;
  const [kdfOid, kdfParams] = children(expect(kdf, TAG.SEQUENCE, "keyDerivationFunc"));
  if (oid(kdfOid as DerNode) !== OID_PBKDF2)
    fail("KEY_UNSUPPORTED", "La llave privada usa una derivación de clave no soportada (se esperaba PBKDF2).");
  const kp = children(expect(kdfParams, TAG.SEQUENCE, "PBKDF2-params"));
  const salt = content(expect(kp[0], TAG.OCTET_STRING, "salt"));
  const iterations = smallInteger(kp[1] as DerNode);
  let hash = "SHA-1";
  for (const extra of kp.slice(2)) {
    if (extra.tag === TAG.SEQUENCE) {
      const prf = PRF[oid(children(extra)[0] as DerNode)];
      if (!prf) fail("KEY_UNSUPPORTED", "La llave privada usa una función PRF no soportada.");
      hash = prf;
    }
  }
  const [schemeOid, ivNode] = children(expect(scheme, TAG.SEQUENCE, "encryptionScheme"));
  const schemeName = oid(schemeOid as DerNode);
  const iv = content(expect(ivNode, TAG.OCTET_STRING, "IV"));
  let plain: Uint8Array;
  try {
    if (schemeName === OID_DES_EDE3_CBC) {
      const key = await pbkdf2(password, salt, iterations, hash, 24);
      plain = des3CbcDecrypt(key, iv, data);
    } else if (OID_AES_CBC[schemeName]) {
      const raw = await pbkdf2(password, salt, iterations, hash, OID_AES_CBC[schemeName] as number);
      const key = await crypto.subtle.importKey("raw", raw as Uint8Array<ArrayBuffer>, "AES-CBC", false, ["decrypt"]);
      plain = new Uint8Array(
        await crypto.subtle.decrypt(
          { name: "AES-CBC", iv: iv as Uint8Array<ArrayBuffer> },
          key,
          data as Uint8Array<ArrayBuffer>,
        ),
      );
    } else {
      fail("KEY_UNSUPPORTED", "La llave privada usa un algoritmo de cifrado no soportado.");
    }
  } catch (e) {
    if (e instanceof CfdiError) throw e;
    fail("KEY_PASSWORD", "La contraseña de la llave privada es incorrecta.", "password");
  }
  if (!isPrivateKeyInfo(plain)) fail("KEY_PASSWORD", "La contraseña de la llave privada es incorrecta.", "password");
  return plain;
}

/**
 * Imports a private key given as the SAT encrypted `.key` (DER, with password) or as an
 * unencrypted PKCS#8 (DER or PEM "PRIVATE KEY").
 */
export async function importPrivateKey(
  key: Uint8Array | string,
  password?: string,
  extractable = false,
): Promise<CryptoKey> {
  let der: Uint8Array;
  if (typeof key === "string") {
    der = key.includes("ENCRYPTED PRIVATE KEY")
      ? await decryptPkcs8(pemToDer(key, "ENCRYPTED PRIVATE KEY"), password ?? "")
      : pemToDer(key, "PRIVATE KEY");
  } else if (isPrivateKeyInfo(key)) {
    der = key;
  } else {
    der = await decryptPkcs8(key, password ?? "");
  }
  try {
    return await crypto.subtle.importKey(
      "pkcs8",
      der as Uint8Array<ArrayBuffer>,
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      extractable,
      ["sign"],
    );
  } catch {
    fail("KEY_INVALID", "La llave privada no es una llave RSA válida.");
  }
}
