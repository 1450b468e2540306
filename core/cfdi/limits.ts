/**
 * Hard limits on what a document from outside may make the CFDI engine do. Any authenticated user
 * can send a document to POST /v1/cfdi/verify, and one Worker isolate serves many requests at
 * once: a document that drives the parser, the certificate reader or the decimal arithmetic into
 * superlinear time or unbounded memory stalls, or kills, every request in flight on it.
 *
 * Every limit sits far above what a real CFDI needs (a few dozen elements of under 25 attributes,
 * 2–10 namespace declarations on the root, nesting under 10 levels, amounts of 18 integer and 6
 * fraction digits, a certificate of about 1.5 KB) and is enforced where the work happens — the
 * parser, the certificate reader, the amount checks — so every caller gets it. A document past
 * one is reported with the limit's stable code and a Spanish message, never a crash.
 */

/** Characters of XML text accepted at all (the verify route's body limit is far lower). */
export const MAX_XML_CHARS = 8 * 1024 * 1024;
/** Nesting of elements (a CFDI with complements stays under 10). */
export const MAX_XML_DEPTH = 64;
/** Elements in one document (a CFDI with thousands of conceptos stays far under). */
export const MAX_XML_ELEMENTS = 20_000;
/** Attributes, namespace declarations included, on one element (cfdi:Comprobante defines 19). */
export const MAX_ATTRIBUTES_PER_ELEMENT = 64;
/** Namespace declarations on one element. */
export const MAX_NAMESPACES_PER_ELEMENT = 16;
/** Namespace declarations in the whole document. */
export const MAX_NAMESPACES_PER_DOCUMENT = 64;
/** Digits of one amount, integer and fraction parts together. */
export const MAX_DECIMAL_DIGITS = 40;
/** Integer digits of one amount (Anexo 20 amounts have at most 18). */
export const MAX_INTEGER_DIGITS = 18;
/** DER size of an X.509 certificate (SAT's CSD and e.firma are about 1.5 KB). */
export const MAX_CERTIFICATE_BYTES = 8 * 1024;

const n = (x: number) => x.toLocaleString("en-US");

/** Stable code of each limit → what the person who sent the document reads. */
export const LIMIT_MESSAGES = {
  XML_TOO_LARGE: `El documento excede ${n(MAX_XML_CHARS)} caracteres.`,
  XML_TOO_DEEP: `El documento anida elementos a más de ${MAX_XML_DEPTH} niveles de profundidad.`,
  XML_TOO_MANY_ELEMENTS: `El documento tiene más de ${n(MAX_XML_ELEMENTS)} elementos.`,
  XML_TOO_MANY_ATTRIBUTES: `Un elemento tiene más de ${MAX_ATTRIBUTES_PER_ELEMENT} atributos.`,
  XML_TOO_MANY_NAMESPACES_IN_ELEMENT: `Un elemento declara más de ${MAX_NAMESPACES_PER_ELEMENT} espacios de nombres (xmlns).`,
  XML_TOO_MANY_NAMESPACES: `El documento declara más de ${MAX_NAMESPACES_PER_DOCUMENT} espacios de nombres (xmlns).`,
  AMOUNT_TOO_MANY_DIGITS: `El importe tiene más de ${MAX_DECIMAL_DIGITS} dígitos.`,
  AMOUNT_TOO_MANY_INTEGER_DIGITS: `El importe tiene más de ${MAX_INTEGER_DIGITS} dígitos enteros.`,
  CERT_TOO_LARGE: `El certificado ocupa más de ${MAX_CERTIFICATE_BYTES / 1024} KB; un certificado del SAT ocupa menos de 2 KB.`,
} as const;

export type LimitCode = keyof typeof LIMIT_MESSAGES;

/**
 * The amount limit `text` (already trimmed) breaks, if any: digit counting only, so it can run
 * before anything turns the text into a BigInt. Text too long to be any amount counts as too
 * many digits whatever it holds.
 */
export function amountLimit(text: string): "AMOUNT_TOO_MANY_DIGITS" | "AMOUNT_TOO_MANY_INTEGER_DIGITS" | undefined {
  // Sign and decimal point are the only non-digits an amount can have.
  if (text.length > MAX_DECIMAL_DIGITS + 2) return "AMOUNT_TOO_MANY_DIGITS";
  let digits = 0;
  let integer = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 46 /* . */ && integer < 0) integer = digits;
  }
  if (digits > MAX_DECIMAL_DIGITS) return "AMOUNT_TOO_MANY_DIGITS";
  if ((integer < 0 ? digits : integer) > MAX_INTEGER_DIGITS) return "AMOUNT_TOO_MANY_INTEGER_DIGITS";
  return undefined;
}
