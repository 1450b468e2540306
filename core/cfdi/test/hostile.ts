/**
 * Hostile documents for POST /v1/cfdi/verify, built to a requested size: each one aims at a
 * place where the engine's work or memory once grew faster than the input (issue 9), or sits
 * exactly at a limit. Shared by core/cfdi/hostile.test.ts, the workers route test and
 * `npm run bench:cfdi`. Runtime-free: no Node imports, so workerd tests can use it too.
 *
 * `code` is the first error code verifyCfdi must report. The documents that stay within every
 * limit carry a structurally valid certificate (fake, with a real RSA public key) so the whole
 * pipeline runs — cadena, amount checks, certificate, key import, sello — and the only error is
 * the sello that does not verify.
 */
import { bytesToBase64 } from "../../encoding/base64.ts";
import { CFDI_NS } from "../model.ts";
import {
  MAX_ATTRIBUTES_PER_ELEMENT,
  MAX_NAMESPACES_PER_DOCUMENT,
  MAX_NAMESPACES_PER_ELEMENT,
  MAX_XML_DEPTH,
  MAX_XML_ELEMENTS,
} from "../limits.ts";

export type HostileInput = { readonly name: string; readonly xml: string; readonly code: string };

export const MiB = 1024 * 1024;

// --- a fake X.509 certificate (DER built by hand; parseCertificate does not check signatures) ---

function der(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const len = parts.reduce((a, p) => a + p.length, 0);
  const head =
    len < 0x80
      ? [tag, len]
      : len < 0x100
        ? [tag, 0x81, len]
        : len < 0x10000
          ? [tag, 0x82, len >> 8, len & 0xff]
          : [tag, 0x83, len >> 16, (len >> 8) & 0xff, len & 0xff];
  const out = new Uint8Array(head.length + len);
  out.set(head);
  let p = head.length;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

function oid(dotted: string): Uint8Array {
  const [a, b, ...rest] = dotted.split(".").map(Number) as [number, number, ...number[]];
  const bytes = [a * 40 + b];
  for (const v of rest) {
    const groups = [v & 0x7f];
    for (let x = v >>> 7; x > 0; x >>>= 7) groups.unshift((x & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return der(0x06, new Uint8Array(bytes));
}

const text = (s: string) => new TextEncoder().encode(s);
const attribute = (type: string, value: string) => der(0x31, der(0x30, oid(type), der(0x0c, text(value))));

/** An RSA-2048 public key (SubjectPublicKeyInfo), so the key import and the sello check run. */
const SPKI_B64 =
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAiU8rwgoEeGd6Yo92RUfQuH6B9Ls4spay0X24RVTIQxiJxtvzNbIiP2sHI4HA5IP+FXsm6Njk/gN88ileQwzzW7uzNwr4oeSkQbpxvoG7erXCM4Tgb0aWKI2P182sz+XhuyYGBjghzVJAbkcMvfMMxIr0K+TH+FINIcpOsJgOG1NqaJzUyn7JlZTspcY3kL1aZm2VDye1TfJzV9W3avMFJXPoHffNyMCUKkt7ly5olJjI/L4Dj74Xg9Vg+dUUc30J45tgoX2YeQPSZfRniEf0kCjc82Oh35lSTfc3AonoGGTcQPdm+H2EM5MyU68aMLaGXhH7pbPbBJ47alcmjtuM6QIDAQAB";

export const FAKE_NO_CERTIFICADO = "30001000000500003416";
export const FAKE_RFC = "EKU9003173C9";

/**
 * DER of a CSD-shaped certificate for FAKE_RFC, valid 2020–2049, whose KeyUsage BIT STRING has
 * `keyUsageBytes` bytes of bits (1 for a real CSD: digitalSignature + nonRepudiation; more, all
 * ones, for the KeyUsage bomb). `padding` characters are added to the holder's name (CN) to
 * reach a given size.
 */
export function fakeCertificate({
  keyUsageBytes = 1,
  padding = 0,
}: { keyUsageBytes?: number; padding?: number } = {}): Uint8Array {
  const name = (cn: string) =>
    der(0x30, attribute("2.5.4.3", cn), attribute("2.5.4.45", FAKE_RFC), attribute("2.5.4.11", "Sucursal 1"));
  const bits = new Uint8Array(1 + keyUsageBytes).fill(0xff);
  bits[0] = keyUsageBytes === 1 ? 6 : 0;
  if (keyUsageBytes === 1) bits[1] = 0xc0;
  const keyUsage = der(0x30, oid("2.5.29.15"), der(0x01, new Uint8Array([0xff])), der(0x04, der(0x03, bits)));
  const sigAlg = der(0x30, oid("1.2.840.113549.1.1.11"), der(0x05));
  const tbs = der(
    0x30,
    der(0xa0, der(0x02, new Uint8Array([2]))),
    der(0x02, text(FAKE_NO_CERTIFICADO)),
    sigAlg,
    name("ESCUELA KEMPER URGATE"),
    der(0x30, der(0x17, text("200101000000Z")), der(0x17, text("491231235959Z"))),
    name("ESCUELA KEMPER URGATE" + ".".repeat(padding)),
    Uint8Array.from(atob(SPKI_B64), (c) => c.charCodeAt(0)),
    der(0xa3, der(0x30, keyUsage)),
  );
  return der(0x30, tbs, sigAlg, der(0x03, new Uint8Array(257)));
}

// --- CFDI skeleton ---

/** 256 zero bytes in base64: a sello of the right length that verifies against nothing. */
const SELLO = "A".repeat(340) + "AA==";
const CONCEPTO = `<cfdi:Concepto ClaveProdServ="01010101" Cantidad="1" ClaveUnidad="ACT" Descripcion="Servicio" ValorUnitario="0.00" Importe="0.00" ObjetoImp="01"/>`;

function cfdi(parts: { rootAttrs?: string; certificate?: string; conceptos?: string; after?: string } = {}): string {
  const certificate = parts.certificate ?? bytesToBase64(fakeCertificate());
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<cfdi:Comprobante xmlns:cfdi="${CFDI_NS}" Version="4.0" Serie="A" Folio="1" Fecha="2024-05-01T12:00:00" FormaPago="01" ` +
    `NoCertificado="${FAKE_NO_CERTIFICADO}" Certificado="${certificate}" Sello="${SELLO}" SubTotal="0.00" Moneda="MXN" Total="0.00" ` +
    `TipoDeComprobante="I" Exportacion="01" MetodoPago="PUE" LugarExpedicion="06000"${parts.rootAttrs ?? ""}>` +
    `<cfdi:Emisor Rfc="${FAKE_RFC}" Nombre="ESCUELA KEMPER URGATE" RegimenFiscal="601"/>` +
    `<cfdi:Receptor Rfc="XAXX010101000" Nombre="PUBLICO EN GENERAL" DomicilioFiscalReceptor="06000" RegimenFiscalReceptor="616" UsoCFDI="S01"/>` +
    `<cfdi:Conceptos>${parts.conceptos ?? CONCEPTO}</cfdi:Conceptos>${parts.after ?? ""}</cfdi:Comprobante>`
  );
}

/** A well-formed CFDI that stays within every limit (its only error: the sello). */
export function plainCfdi(): string {
  return cfdi();
}

/** `unit(i)` repeated until the document reaches `size` characters (at least `min` times). */
function fill(size: number, base: number, unit: (i: number) => string, min = 0): string {
  const parts: string[] = [];
  let len = base;
  for (let i = 0; len < size || i < min; i++) {
    const u = unit(i);
    parts.push(u);
    len += u.length;
  }
  return parts.join("");
}

/** Each hostile document, about `size` characters long. */
export function hostileInputs(size = MiB): HostileInput[] {
  const base = cfdi().length;
  const out: HostileInput[] = [];

  // A Certificado whose KeyUsage sets every bit: read bit by bit it was an array entry per bit.
  const certBytes = Math.floor(((size - base) * 3) / 4);
  out.push({
    name: "KeyUsage bomb certificate",
    xml: cfdi({ certificate: bytesToBase64(fakeCertificate({ keyUsageBytes: certBytes - 400 })) }),
    code: "CERT_TOO_LARGE",
  });

  // One element with as many attributes as fit: the duplicate check compared every pair.
  out.push({
    name: "attributes on one element",
    xml: cfdi({ rootAttrs: fill(size, base, (i) => ` a${i.toString(36)}="1"`) }),
    code: "XML_TOO_MANY_ATTRIBUTES",
  });

  // Thousands of namespace declarations on the root, then children: the scope was copied per element.
  const decls = fill(size / 3, base, (i) => ` xmlns:n${i.toString(36)}="urn:n${i.toString(36)}"`);
  out.push({
    name: "namespace declarations × children",
    xml: cfdi({ rootAttrs: decls, after: fill(size, base + decls.length, () => `<n0:x/>`) }),
    code: "XML_TOO_MANY_NAMESPACES_IN_ELEMENT",
  });

  // One declaration on each of many siblings: the per-document count.
  out.push({
    name: "namespace declarations across the document",
    xml: cfdi({ after: `<cfdi:Addenda>${fill(size, base, (i) => `<x xmlns:p="urn:${i}"/>`)}</cfdi:Addenda>` }),
    code: "XML_TOO_MANY_NAMESPACES",
  });

  // A 50,000-digit fraction in the first Importe, then conceptos: every sum rescaled to 50,000 digits.
  const huge = `<cfdi:Concepto ClaveProdServ="01010101" Cantidad="1" ClaveUnidad="ACT" Descripcion="Servicio" ValorUnitario="0.00" Importe="0.${"1".repeat(50_000)}" ObjetoImp="01"/>`;
  const conceptos = fill(size, base + huge.length, () =>
    CONCEPTO.replace(`Importe="0.00"`, `Importe="0.${"3".repeat(30)}"`),
  );
  out.push({
    name: "50,000-digit Importe + conceptos",
    xml: cfdi({ conceptos: huge + conceptos }),
    code: "AMOUNT_TOO_MANY_DIGITS",
  });

  // Past the element count: empty elements in an Addenda.
  out.push({
    name: "elements past the cap",
    xml: cfdi({ after: `<cfdi:Addenda>${fill(size, base, () => "<a/>")}</cfdi:Addenda>` }),
    code: "XML_TOO_MANY_ELEMENTS",
  });

  // Past the depth cap.
  out.push({
    name: "nesting past the cap",
    xml: cfdi({
      after: `<cfdi:Addenda>${fill(size / 2, base, () => "<a>")}${fill(size / 2, 0, () => "</a>")}</cfdi:Addenda>`,
    }),
    code: "XML_TOO_DEEP",
  });

  // Within every limit from here on: the work itself must stay linear.

  // Nested cfdi:Parte chains as deep as allowed inside conceptos (the cadena searches the
  // descendants of every Parte), as many as the element cap allows.
  const chain = MAX_XML_DEPTH - 3; // Comprobante > Conceptos > Concepto > Parte…
  const parte = `<cfdi:Parte ClaveProdServ="01010101" Cantidad="1" Descripcion="${"p".repeat(16)}">`;
  const deepConcepto =
    CONCEPTO.slice(0, -2) + ">" + parte.repeat(chain) + "</cfdi:Parte>".repeat(chain) + "</cfdi:Concepto>";
  const deepCount = Math.min(
    Math.floor((MAX_XML_ELEMENTS - 10) / (chain + 1)),
    Math.ceil((size - base) / deepConcepto.length),
  );
  out.push({
    name: "nesting at the depth cap, up to the element cap",
    xml: cfdi({ conceptos: deepConcepto.repeat(deepCount) }),
    code: "SELLO_INVALID",
  });

  // Elements with exactly the most attributes allowed (the Set-based duplicate check).
  const manyAttrs = (i: number) =>
    `<x${Array.from({ length: MAX_ATTRIBUTES_PER_ELEMENT }, (_, k) => ` a${k}="${i}"`).join("")}/>`;
  out.push({
    name: "attributes at the cap on every element",
    xml: cfdi({ after: `<cfdi:Addenda>${fill(size, base, manyAttrs)}</cfdi:Addenda>` }),
    code: "SELLO_INVALID",
  });

  // The most namespace declarations allowed (the root's xmlns:cfdi and 63 more, 16 per element,
  // nested), and as many children as the element cap allows whose names resolve through the
  // whole chain.
  const declared = MAX_NAMESPACES_PER_DOCUMENT - 1;
  const levels = Math.ceil(declared / MAX_NAMESPACES_PER_ELEMENT);
  const nsOpen = Array.from({ length: levels }, (_, l) => {
    const ks = Array.from(
      { length: Math.min(MAX_NAMESPACES_PER_ELEMENT, declared - l * MAX_NAMESPACES_PER_ELEMENT) },
      (_, k) => l * MAX_NAMESPACES_PER_ELEMENT + k,
    );
    return `<q${l * MAX_NAMESPACES_PER_ELEMENT}:s${ks.map((k) => ` xmlns:q${k}="urn:q${k}"`).join("")}>`;
  }).join("");
  const nsClose = Array.from(
    { length: levels },
    (_, l) => `</q${(levels - 1 - l) * MAX_NAMESPACES_PER_ELEMENT}:s>`,
  ).join("");
  const nsRoom = size - base - nsOpen.length - nsClose.length;
  const nsPad = "v".repeat(Math.max(0, Math.ceil(nsRoom / (MAX_XML_ELEMENTS - 100)) - 20));
  const nsChildren = fill(nsRoom, 0, (i) => `<q0:c q1:a="${i % 1000}" q2:b="${nsPad}"/>`);
  out.push({
    name: "namespace declarations at the caps, children resolving through them",
    xml: cfdi({ after: `<cfdi:Addenda>${nsOpen}${nsChildren}${nsClose}</cfdi:Addenda>` }),
    code: "SELLO_INVALID",
  });

  // Entity references everywhere: attribute values that reach the cadena and text in an Addenda.
  const entities = "&amp;&lt;&gt;&quot;&apos;&#233;&#x1F600;&#10;\t";
  const entityConcepto = CONCEPTO.replace(`Descripcion="Servicio"`, `Descripcion="${entities.repeat(40)}"`);
  const entityConceptos = entityConcepto.repeat(Math.ceil((size / 2 - base) / entityConcepto.length));
  out.push({
    name: "entity-dense attributes and text",
    xml: cfdi({
      conceptos: entityConceptos,
      after: `<cfdi:Addenda><t>${fill(size, base + entityConceptos.length, () => entities)}</t></cfdi:Addenda>`,
    }),
    code: "SELLO_INVALID",
  });

  return out;
}
