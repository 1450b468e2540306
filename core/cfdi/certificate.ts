/**
 * Reads the facts a CFDI depends on from an SAT X.509 certificate (CSD or e.firma/FIEL).
 *
 * SAT conventions (Anexo 20 and the SAT certificate profile):
 * - `NoCertificado` is the certificate serial number, whose 20 bytes are ASCII digits
 *   ("3330303031…" → "30001000000500003416").
 * - The subject's RFC is in x500UniqueIdentifier (OID 2.5.4.45) as "RFC" or, for a legal entity,
 *   "RFC_EMPRESA / RFC_REPRESENTANTE"; the CURP is in serialNumber (2.5.4.5) the same way.
 * - A CSD (certificado de sello digital) is issued for signing invoices only: key usage is exactly
 *   digitalSignature + nonRepudiation and it names a branch in OU. The e.firma (FIEL) also allows
 *   dataEncipherment/keyAgreement and has no OU. SAT rejects CFDI sealed with a FIEL (CFDI40102).
 */
import type { DerNode } from "./asn1.ts";
import { TAG, children, content, encoded, expect, integerBytes, oid, readDer, stringValue, timeValue } from "./asn1.ts";
import { bytesToBase64, base64ToBytes, pemToDer } from "../encoding/base64.ts";
import { hexFromBytes } from "../encoding/digest.ts";
import { fail } from "./errors.ts";
import { LIMIT_MESSAGES, MAX_CERTIFICATE_BYTES } from "./limits.ts";

export type CertificateKind = "CSD" | "FIEL" | "UNKNOWN";

export type CertificateInfo = {
  /** DER bytes of the whole certificate. */
  readonly der: Uint8Array;
  /** Base64 of the DER, as the CFDI `Certificado` attribute carries it. */
  readonly base64: string;
  /** Serial number read as ASCII (SAT `NoCertificado`), or its hex when not printable. */
  readonly noCertificado: string;
  readonly serialHex: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Subject attributes by short name (CN, O, OU, name, x500UniqueIdentifier, serialNumber…). */
  readonly subject: Readonly<Record<string, string>>;
  readonly issuer: Readonly<Record<string, string>>;
  /** RFC of the holder (first RFC of x500UniqueIdentifier). */
  readonly rfc: string;
  /** RFC of the legal representative when the holder is a legal entity. */
  readonly rfcRepresentante?: string;
  readonly curp?: string;
  readonly legalName: string;
  readonly kind: CertificateKind;
  readonly keyUsage: readonly string[];
  /** DER SubjectPublicKeyInfo, for `crypto.subtle.importKey("spki", …)`. */
  readonly spki: Uint8Array;
};

const NAMES: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.5": "serialNumber",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.9": "street",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.17": "postalCode",
  "2.5.4.41": "name",
  "2.5.4.45": "x500UniqueIdentifier",
  "1.2.840.113549.1.9.1": "emailAddress",
  "1.2.840.113549.1.9.2": "unstructuredName",
};

const KEY_USAGE_BITS = [
  "digitalSignature",
  "nonRepudiation",
  "keyEncipherment",
  "dataEncipherment",
  "keyAgreement",
  "keyCertSign",
  "cRLSign",
  "encipherOnly",
  "decipherOnly",
];

function readName(node: DerNode): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rdn of children(expect(node, TAG.SEQUENCE, "Name"))) {
    for (const atv of children(rdn)) {
      const [type, value] = children(atv);
      if (!type || !value) continue;
      const key = NAMES[oid(type)] ?? oid(type);
      out[key] = out[key] ? `${out[key]}, ${stringValue(value)}` : stringValue(value);
    }
  }
  return out;
}

/**
 * KeyUsage names 9 bits: its BIT STRING has 1 byte of unused-bit count and at most 2 bytes of bits.
 * Anything longer is refused rather than read bit by bit.
 */
const MAX_KEY_USAGE_CONTENT = 3;

function readKeyUsage(extensions: DerNode | undefined): string[] {
  if (!extensions) return [];
  const seq = children(extensions)[0];
  if (!seq) return [];
  for (const ext of children(seq)) {
    const parts = children(ext);
    if (!parts[0] || oid(parts[0]) !== "2.5.29.15") continue;
    const octets = parts[parts.length - 1] as DerNode;
    const bits = expect(readDer(content(octets)), TAG.BIT_STRING, "KeyUsage");
    const b = content(bits);
    if (b.length > MAX_KEY_USAGE_CONTENT) throw new Error("KeyUsage longer than its 9 bits");
    const unused = b[0] ?? 0;
    const used: string[] = [];
    for (let i = 0; i < (b.length - 1) * 8 - unused; i++) {
      if (((b[1 + (i >> 3)] as number) >> (7 - (i & 7))) & 1) used.push(KEY_USAGE_BITS[i] ?? `bit${i}`);
    }
    return used;
  }
  return [];
}

function serialAscii(bytes: Uint8Array): string | undefined {
  let s = "";
  for (const b of bytes) {
    if (b < 0x20 || b > 0x7e) return undefined;
    s += String.fromCharCode(b);
  }
  return s;
}

function splitRfcs(value: string | undefined): string[] {
  return (value ?? "")
    .split("/")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Base64 (or PEM) text longer than this cannot hold MAX_CERTIFICATE_BYTES, even line-wrapped. */
const MAX_CERTIFICATE_TEXT = 2 * MAX_CERTIFICATE_BYTES;

/**
 * Accepts DER bytes, PEM text or the base64 of a CFDI `Certificado` attribute. Refuses anything
 * over MAX_CERTIFICATE_BYTES (CERT_TOO_LARGE) before reading it: every structure inside is then
 * bounded by that size.
 */
export function parseCertificate(input: Uint8Array | string): CertificateInfo {
  if (input.length > (typeof input === "string" ? MAX_CERTIFICATE_TEXT : MAX_CERTIFICATE_BYTES))
    fail("CERT_TOO_LARGE", LIMIT_MESSAGES.CERT_TOO_LARGE);
  let der: Uint8Array;
  try {
    der =
      typeof input === "string"
        ? input.includes("-----BEGIN")
          ? pemToDer(input, "CERTIFICATE")
          : base64ToBytes(input)
        : input;
  } catch {
    fail("CERT_INVALID", "El certificado no es un archivo .cer válido (DER, PEM o base64).");
  }
  if (der.length > MAX_CERTIFICATE_BYTES) fail("CERT_TOO_LARGE", LIMIT_MESSAGES.CERT_TOO_LARGE);
  try {
    const cert = readDer(der);
    expect(cert, TAG.SEQUENCE, "Certificate");
    if (cert.end !== der.length) throw new Error("trailing bytes");
    const [tbs] = children(cert);
    const f = children(expect(tbs, TAG.SEQUENCE, "TBSCertificate"));
    let i = 0;
    if (f[0]?.tag === 0xa0) i++; // [0] version
    const serial = integerBytes(f[i++] as DerNode);
    i++; // signature algorithm
    const issuer = readName(f[i++] as DerNode);
    const validity = children(expect(f[i++], TAG.SEQUENCE, "Validity"));
    const subject = readName(f[i++] as DerNode);
    const spkiNode = expect(f[i++], TAG.SEQUENCE, "SubjectPublicKeyInfo");
    const extensions = f.find((n) => n.tag === 0xa3);
    const keyUsage = readKeyUsage(extensions);
    const serialHex = hexFromBytes(serial);
    const rfcs = splitRfcs(subject.x500UniqueIdentifier);
    const curps = splitRfcs(subject.serialNumber);
    const hasEncipherment =
      keyUsage.includes("dataEncipherment") ||
      keyUsage.includes("keyAgreement") ||
      keyUsage.includes("keyEncipherment");
    const signs = keyUsage.includes("digitalSignature") && keyUsage.includes("nonRepudiation");
    const kind: CertificateKind =
      signs && !hasEncipherment && subject.OU
        ? "CSD"
        : signs && hasEncipherment
          ? "FIEL"
          : signs && !subject.OU
            ? "FIEL"
            : "UNKNOWN";
    return {
      der,
      base64: bytesToBase64(der),
      noCertificado: serialAscii(serial) ?? serialHex,
      serialHex,
      notBefore: timeValue(validity[0] as DerNode),
      notAfter: timeValue(validity[1] as DerNode),
      subject,
      issuer,
      rfc: rfcs[0] ?? "",
      ...(rfcs[1] ? { rfcRepresentante: rfcs[1] } : {}),
      ...(curps.length ? { curp: curps[curps.length - 1] as string } : {}),
      legalName: subject.name ?? subject.CN ?? subject.O ?? "",
      kind,
      keyUsage,
      spki: encoded(spkiNode),
    };
  } catch (e) {
    if (e instanceof Error && e.name === "CfdiError") throw e;
    fail("CERT_INVALID", `El certificado no se pudo leer: ${(e as Error).message}.`);
  }
}

/** WebCrypto verification key from the certificate (RSASSA-PKCS1-v1_5 with SHA-256, as Anexo 20 requires). */
export async function importCertificateKey(cert: CertificateInfo): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    "spki",
    cert.spki as Uint8Array<ArrayBuffer>,
    { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    false,
    ["verify"],
  );
}
