/**
 * The sandbox PAC (issue 13): the default for `npm start` and the demo tenant, so the whole
 * invoicing flow runs with no PAC account. It stamps like a PAC — a TimbreFiscalDigital 1.1 with a
 * v4 UUID, FechaTimbrado, SelloCFD and a SelloSAT signed over the TFD cadena — but with a local
 * certificate made on first start, and its Leyenda says "SIN VALIDEZ FISCAL — sandbox". The
 * engine's verifier checks the result like a real stamp when given that certificate.
 * Runtime-free: Web Crypto only.
 */
import {
  bitString,
  explicit,
  nullValue,
  objectIdentifier,
  octetString,
  sequence,
  set,
  smallInteger,
  time,
  unsignedInteger,
  utf8String,
} from "../cfdi/der-writer.ts";
import { escapeAttribute } from "../cfdi/xml-writer.ts";
import { TFD_NS, XSI_NS } from "../cfdi/model.ts";
import { signCadena } from "../cfdi/sello.ts";
import { cadenaTfdFromXml } from "../cfdi/tfd.ts";
import { attr, parseXml } from "../cfdi/xml-parser.ts";
import { bytesToBase64 } from "../encoding/base64.ts";
import { PacError, type PacClient } from "./pac-client.ts";

export const SANDBOX_LEYENDA = "SIN VALIDEZ FISCAL — sandbox";
/**
 * The RFC a PAC writes as RfcProvCertif. SAT's own test PAC RFC (used in SAT's sample stamps), so
 * a sandbox stamp never names a real provider.
 */
export const SANDBOX_RFC_PROV_CERTIF = "SPR190613I52";
const TFD_SCHEMA_LOCATION =
  "http://www.sat.gob.mx/TimbreFiscalDigital http://www.sat.gob.mx/sitio_internet/cfd/TimbreFiscalDigital/TimbreFiscalDigitalv11.xsd";
const SHA256_WITH_RSA = "1.2.840.113549.1.1.11";

export interface SandboxPacKeys {
  /** DER of the self-signed certificate (its serial, read as ASCII, is the NoCertificadoSAT). */
  certificateDer: Uint8Array<ArrayBuffer>;
  /** PKCS#8 DER of its private key. */
  pkcs8: Uint8Array<ArrayBuffer>;
  noCertificado: string;
}

function randomDigits(n: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  return Array.from(bytes, (b) => String(b % 10)).join("");
}

const RSA = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;

/** A new sandbox certificate and key: RSA 2048, SHA-256, valid from a day ago for five years. */
export async function createSandboxPacKeys(now = new Date()): Promise<SandboxPacKeys> {
  const pair = (await crypto.subtle.generateKey(
    { ...RSA, modulusLength: 2048, publicExponent: Uint8Array.of(1, 0, 1) },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey));
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
  // 20 digits like SAT's NoCertificado; "99" in front so it can never be a SAT serial.
  const noCertificado = `99${randomDigits(18)}`;
  const name = sequence(
    set(sequence(objectIdentifier("2.5.4.6"), utf8String("MX"))),
    set(sequence(objectIdentifier("2.5.4.10"), utf8String("Zuclubit Smart CRM"))),
    set(sequence(objectIdentifier("2.5.4.3"), utf8String(`PAC sandbox ${SANDBOX_LEYENDA}`))),
  );
  const algorithm = sequence(objectIdentifier(SHA256_WITH_RSA), nullValue());
  const day = 86_400_000;
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    unsignedInteger(new TextEncoder().encode(noCertificado)),
    algorithm,
    name,
    sequence(time(new Date(now.getTime() - day)), time(new Date(now.getTime() + 5 * 365 * day))),
    name,
    spki,
    // keyUsage (critical): digitalSignature + nonRepudiation, as SAT's stamping certificates.
    explicit(
      3,
      sequence(
        sequence(
          objectIdentifier("2.5.29.15"),
          Uint8Array.of(0x01, 0x01, 0xff),
          octetString(Uint8Array.of(0x03, 0x02, 0x06, 0xc0)),
        ),
      ),
    ),
  );
  const signature = new Uint8Array(await crypto.subtle.sign(RSA, pair.privateKey, tbs));
  return { certificateDer: sequence(tbs, algorithm, bitString(signature)), pkcs8, noCertificado };
}

export async function importSandboxKey(pkcs8: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return crypto.subtle.importKey("pkcs8", pkcs8, RSA, false, ["sign"]);
}

export interface SandboxTimbre {
  uuid: string;
  fechaTimbrado: string;
  noCertificadoSat: string;
  selloSat: string;
  selloCfd: string;
}

function tfdElement(t: Omit<SandboxTimbre, "selloSat"> & { selloSat: string }, declareXsi: boolean): string {
  const attrs: [string, string][] = [
    ["xsi:schemaLocation", TFD_SCHEMA_LOCATION],
    ["Version", "1.1"],
    ["UUID", t.uuid],
    ["FechaTimbrado", t.fechaTimbrado],
    ["RfcProvCertif", SANDBOX_RFC_PROV_CERTIF],
    ["Leyenda", SANDBOX_LEYENDA],
    ["SelloCFD", t.selloCfd],
    ["NoCertificadoSAT", t.noCertificadoSat],
    ["SelloSAT", t.selloSat],
  ];
  const ns = `xmlns:tfd="${TFD_NS}"${declareXsi ? ` xmlns:xsi="${XSI_NS}"` : ""}`;
  return `<tfd:TimbreFiscalDigital ${ns} ${attrs.map(([k, v]) => `${k}="${escapeAttribute(v)}"`).join(" ")}/>`;
}

/**
 * Stamps a sealed CFDI: the TFD goes into cfdi:Complemento (created when absent). `fechaTimbrado`
 * is local Mexico City time "YYYY-MM-DDTHH:mm:ss", as PACs write it.
 */
export async function sandboxStamp(
  sealedXml: string,
  pac: { privateKey: CryptoKey; noCertificado: string },
  opts: { uuid?: string; fechaTimbrado: string },
): Promise<{ xml: string; timbre: SandboxTimbre }> {
  const root = parseXml(sealedXml);
  const selloCfd = attr(root, "Sello");
  if (!selloCfd) throw new TypeError("the CFDI is not sealed (no Sello)");
  const base = {
    uuid: (opts.uuid ?? crypto.randomUUID()).toUpperCase(),
    fechaTimbrado: opts.fechaTimbrado,
    noCertificadoSat: pac.noCertificado,
    selloCfd,
  };
  const cadena = cadenaTfdFromXml(tfdElement({ ...base, selloSat: "" }, true));
  const selloSat = await signCadena(pac.privateKey, cadena);
  const tfd = tfdElement({ ...base, selloSat }, false);
  const closing = "</cfdi:Comprobante>";
  const at = sealedXml.lastIndexOf(closing);
  if (at < 0) throw new TypeError("not a cfdi:Comprobante document");
  const complemento = sealedXml.indexOf("</cfdi:Complemento>");
  const xml =
    complemento >= 0
      ? `${sealedXml.slice(0, complemento)}${tfd}${sealedXml.slice(complemento)}`
      : `${sealedXml.slice(0, at)}<cfdi:Complemento>${tfd}</cfdi:Complemento>${sealedXml.slice(at)}`;
  return { xml, timbre: { ...base, selloSat } };
}

/** The certificate as the CFDI world writes it (base64 DER). */
export function sandboxCertificateBase64(keys: Pick<SandboxPacKeys, "certificateDer">): string {
  return bytesToBase64(keys.certificateDer);
}

/**
 * The UUID the sandbox gives a sealed CFDI: v4-shaped, derived from its Sello. With FechaTimbrado
 * taken from the CFDI's own Fecha and RSA PKCS#1 v1.5 signatures being deterministic, the same sealed
 * CFDI always gets the same stamp, byte for byte — the way a PAC answers a repeated stamp with the
 * first one, so a retry after a lost answer never makes a second invoice.
 */
async function sandboxUuid(selloCfd: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(selloCfd)));
  const b = digest.slice(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`.toUpperCase();
}

/** The sandbox PAC as a PacClient (core/invoicing/pac-client.ts). */
export function createSandboxClient(pac: { privateKey: CryptoKey; noCertificado: string }): PacClient {
  return {
    provider: "sandbox",
    async stamp(sealedXml) {
      let root;
      try {
        root = parseXml(sealedXml);
      } catch (err) {
        throw new PacError("rejected", "El PAC sandbox no pudo leer el XML sellado.", "301", { cause: err });
      }
      const sello = attr(root, "Sello");
      const fecha = attr(root, "Fecha");
      if (!sello || !fecha) throw new PacError("rejected", "El CFDI no está sellado (sin Sello o Fecha).", "301");
      const { xml, timbre } = await sandboxStamp(sealedXml, pac, {
        uuid: await sandboxUuid(sello),
        fechaTimbrado: fecha,
      });
      return {
        xml,
        uuid: timbre.uuid,
        fechaTimbrado: timbre.fechaTimbrado,
        noCertificadoSat: timbre.noCertificadoSat,
        selloSat: timbre.selloSat,
        recovered: false,
      };
    },
    // SAT is never asked: every sandbox cancellation is accepted at once, as one that needs no
    // acceptance (so `cancel_pending` is exercised with the Finkok and SW fakes).
    cancel() {
      return Promise.resolve({ status: "cancelled", code: "201" });
    },
    status() {
      return Promise.reject(new PacError("unavailable", "El PAC sandbox no consulta el estado en el SAT."));
    },
  };
}
