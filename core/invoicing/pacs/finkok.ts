/**
 * Finkok (https://www.finkok.com), a SAT-authorised PAC, behind the PacClient interface: its SOAP
 * 1.1 web services (a Spyne server) for stamping (`stamp`, `stamped`), cancelling (`cancel`) and
 * asking SAT for a CFDI's status (`get_sat_status`). Runtime-free: `fetch` is a parameter and the
 * only other platform API is Web Crypto, so it runs in workerd and in plain Node.
 *
 * What this relies on, and where it was learnt:
 * - Hosts: https://demo-facturacion.finkok.com (test) and https://facturacion.finkok.com
 *   (production); services at /servicios/soap/stamp and /servicios/soap/cancel (the WSDLs are the
 *   same paths plus ".wsdl"; requests go to the WSDL's soap:address, without it). SOAPAction is the
 *   operation name in quotes. Operation elements are in http://facturacion.finkok.com/stamp and
 *   http://facturacion.finkok.com/cancel; the result's fields in "apps.services.soap.core.views".
 *   https://github.com/phpcfdi/finkok/blob/main/src/Definitions/Environment.php
 *   https://github.com/phpcfdi/finkok/blob/main/src/Definitions/Services.php
 *   https://github.com/phpcfdi/finkok/blob/main/docs/issues/CancelSignatureServiceCancelarRecienCreado.md
 *   https://github.com/SAT-CFDI/python-satcfdi/blob/main/satcfdi/pacs/finkok.py
 * - stamp(xml = base64 CFDI, username, password) → stampResult { xml, UUID, Fecha, CodEstatus,
 *   SatSeal, NoCertificadoSAT, Incidencias/Incidencia { CodigoError, MensajeIncidencia … } }.
 *   A second stamp of the same sealed XML answers incidencia 307 "El CFDI contiene un timbre
 *   previo", usually with the earlier xml and UUID but not always; `stamped` (same parameters)
 *   then returns the earlier stamp (603 "El CFDI no contiene un timbre previo" if there is none).
 *   https://github.com/phpcfdi/finkok/blob/main/docs/issues/StampServiceDobleEstampado.md
 *   https://github.com/phpcfdi/finkok/blob/main/src/Services/Stamping/StampService.php
 *   https://github.com/phpcfdi/finkok/blob/main/tests/Integration/Services/Stamping/StampServiceTest.php
 *   Response sample: https://github.com/Christopher-MCT/ejemplo_timbradoCFDI/blob/main/creacion_xml_codigo/peticionesTimbrado/SoapResponse.xml
 * - Codes (wiki.finkok.com "tipificación", mirrored in client libraries): 300 usuario o contraseña
 *   inválidos, 301 XML mal formado, 302 sello mal formado o inválido, 303–308 certificate and
 *   sello, 401 fecha fuera de rango, 402 RFC no en el régimen (LCO), 702 RFC emisor no registrado
 *   en la cuenta, 703 usuario suspendido, 704 contraseña de la llave privada, 705 estructura XML,
 *   707 ya contiene TimbreFiscalDigital, 708 no se pudo conectar al SAT, 718 timbres agotados;
 *   CFDI40xxx are SAT's Anexo 20 validations.
 *   https://github.com/phpcfdi/finkok/blob/main/docs/Cancelación.md
 * - cancel(UUIDS/UUID@UUID,@Motivo,@FolioSustitucion, username, password, taxpayer_id, cer, key,
 *   store_pending) → cancelResult { Folios/Folio { UUID, EstatusUUID, EstatusCancelacion }, Acuse,
 *   Fecha, RfcEmisor, CodEstatus }. `cer` and `key` are base64Binary of PEM text; the key is a
 *   PKCS#8 "ENCRYPTED PRIVATE KEY" (PBES2, PBKDF2-HMAC-SHA256, DES-EDE3-CBC) whose passphrase is
 *   the Finkok account password (see key-encryption.ts). Bad credentials answer CodEstatus
 *   "Invalid Username or Password". EstatusUUID 201 = request received, 202 = previously
 *   requested; EstatusCancelacion says whether it is done ("Cancelado sin aceptación") or waits
 *   for the receptor ("En proceso").
 *   https://github.com/Christopher-MCT/ejemplo_timbradoCFDI/blob/main/envolturas/SoapRequest.xml
 *   https://github.com/Christopher-MCT/ejemplo_timbradoCFDI/blob/main/envolturas/SoapResponse.xml
 *   https://github.com/phpcfdi/finkok/blob/main/docs/Cancelación.md
 *   `cancel` hands Finkok the CSD key (under a password Finkok knows); `cancel_signature`, which
 *   takes a cancellation request signed locally (XMLDSig), would not, and is what phpcfdi
 *   recommends. `cancel` is used because it needs no XML canonicalisation or XMLDSig signer.
 * - get_sat_status(username, password, taxpayer_id, rtaxpayer_id, uuid, total) →
 *   get_sat_statusResult/sat { CodigoEstatus, Estado, EsCancelable, EstatusCancelacion }.
 *   https://github.com/phpcfdi/finkok/blob/main/src/Services/Cancel/GetSatStatusService.php
 *   https://github.com/phpcfdi/finkok/blob/main/tests/_files/cancel-get-sat-status-response.json
 *
 * Responses are untrusted input: the body is read up to a cap and parsed by core/cfdi/xml-parser.ts,
 * which holds every document to the limits in limits.ts, so a hostile or broken answer costs
 * milliseconds and becomes `unavailable`, never a hang or a crash.
 */
import type { XmlElement } from "../../cfdi/xml-parser.ts";
import { attr, elementChildren, parseXml } from "../../cfdi/xml-parser.ts";
import { escapeAttribute } from "../../cfdi/xml-writer.ts";
import { MAX_XML_CHARS } from "../../cfdi/limits.ts";
import { bytesToBase64 } from "../../encoding/base64.ts";
import type {
  CancelOutcome,
  CancelRequest,
  Fetch,
  PacClient,
  PacFailureKind,
  PacStamp,
  SatStatus,
  StatusQuery,
} from "../pac-client.ts";
import { PacError } from "../pac-client.ts";
import { encryptPkcs8, toPem } from "./key-encryption.ts";
import { isStampOf, readStampedCfdi, toPacStamp } from "./stamped-cfdi.ts";

export const FINKOK_HOSTS = {
  test: "https://demo-facturacion.finkok.com",
  production: "https://facturacion.finkok.com",
} as const;
export const FINKOK_STAMP_PATH = "/servicios/soap/stamp";
export const FINKOK_CANCEL_PATH = "/servicios/soap/cancel";
export const SOAP_ENV_NS = "http://schemas.xmlsoap.org/soap/envelope/";
export const FINKOK_STAMP_NS = "http://facturacion.finkok.com/stamp";
export const FINKOK_CANCEL_NS = "http://facturacion.finkok.com/cancel";
export const FINKOK_APPS_NS = "apps.services.soap.core.views";

/** Finkok's own texts for the codes the adapter and the local fake use. */
export const FINKOK_MESSAGES: Readonly<Record<string, string>> = {
  "201": "Petición de cancelación realizada exitosamente",
  "202": "Petición de cancelación realizada previamente",
  "203": "No corresponde el RFC del Emisor y de quien solicita la cancelación",
  "205": "UUID No encontrado",
  "207": "Motivo de cancelación inválido",
  "300": "Usuario y contraseña inválidos",
  "301": "XML mal formado",
  "302": "Sello mal formado o inválido",
  "303": "Sello no corresponde a emisor",
  "304": "Certificado revocado o caduco",
  "305": "La fecha de emisión no esta dentro de la vigencia del CSD del Emisor",
  "306": "El certificado no es de tipo CSD",
  "307": "El CFDI contiene un timbre previo",
  "308": "Certificado no expedido por el SAT",
  "401": "Fecha y hora de generación fuera de rango",
  "402": "RFC del emisor no se encuentra en el régimen de contribuyentes",
  "603": "El CFDI no contiene un timbre previo",
  "702": "RFC Emisor no registrado en la cuenta",
  "703": "Usuario Suspendido",
  "704": "Error con la contraseña de la llave Privada",
  "705": "XML Estructura inválida",
  "707": "XML ya contiene un nodo TimbreFiscalDigital",
  "708": "No se pudo conectar al SAT",
  "711": "Error con el certificado",
  "718": "Timbres agotados, por favor, contacte a su proveedor.",
};

/**
 * Codes that mean the account, not the invoice, is the problem: its user or password, a
 * suspended user, an RFC not registered under it, no stamps left. Permanent until someone fixes
 * the account, so they are `credentials`.
 */
const ACCOUNT_CODES = new Set(["300", "501", "701", "702", "703", "704", "706", "713", "714", "718", "721"]);
/** Codes that are Finkok's or SAT's momentary trouble: retried. */
const TRANSIENT_CODES = new Set(["708", "709", "735"]);
const INVALID_LOGIN_RE = /invalid (username|user) or password|usuario (o|y) contrase[ñn]a/i;

const DEFAULT_TIMEOUT_MS = 30_000;
/** A stamped CFDI is XML text inside XML: both stay under the parser's own limit. */
const MAX_RESPONSE_BYTES = MAX_XML_CHARS;

export interface FinkokOptions {
  environment: "test" | "production";
  username: string;
  password: string;
  fetch: Fetch;
  /** Replaces the Finkok host (the local fake in tests and `npm start`). */
  baseUrl?: string;
  timeoutMs?: number;
}

interface Incidencia {
  code: string;
  message: string;
}

export function createFinkokClient(options: FinkokOptions): PacClient {
  const base = (options.baseUrl ?? FINKOK_HOSTS[options.environment]).replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const credentials = { username: options.username, password: options.password };

  async function call(path: string, ns: string, operation: string, params: string): Promise<XmlElement> {
    const body =
      `<?xml version="1.0" encoding="UTF-8"?>` +
      `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV_NS}" xmlns:fk="${ns}" xmlns:apps="${FINKOK_APPS_NS}">` +
      `<soapenv:Body><fk:${operation}>${params}</fk:${operation}></soapenv:Body></soapenv:Envelope>`;
    let response: Response;
    let text: string;
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      response = await options.fetch(`${base}${path}`, {
        method: "POST",
        headers: { "content-type": "text/xml; charset=utf-8", soapaction: `"${operation}"` },
        body,
        signal,
      });
      text = await readCapped(response, MAX_RESPONSE_BYTES);
    } catch (e) {
      if (e instanceof PacError) throw e;
      const timedOut = signal.aborted || (e instanceof Error && e.name === "TimeoutError");
      throw new PacError(
        "unavailable",
        timedOut
          ? `Finkok no respondió en ${Math.round(timeoutMs / 1000)} s; se reintentará.`
          : "No se pudo conectar con Finkok; se reintentará.",
        undefined,
        { cause: e },
      );
    }
    let envelope: XmlElement;
    try {
      envelope = parseXml(text);
    } catch (e) {
      throw new PacError(
        "unavailable",
        `Finkok respondió algo que no es SOAP (HTTP ${response.status}); se reintentará.`,
        undefined,
        { cause: e },
      );
    }
    const soapBody =
      envelope.ns === SOAP_ENV_NS && envelope.local === "Envelope"
        ? elementChildren(envelope).find((c) => c.ns === SOAP_ENV_NS && c.local === "Body")
        : undefined;
    if (!soapBody) throw unexpected(`HTTP ${response.status}, sin sobre SOAP`);
    const first = elementChildren(soapBody)[0];
    if (first?.ns === SOAP_ENV_NS && first.local === "Fault") throw faultError(first);
    if (!response.ok) throw unexpected(`HTTP ${response.status}`);
    const result =
      first?.local === `${operation}Response` && first.ns === ns
        ? elementChildren(first).find((c) => c.local === `${operation}Result`)
        : undefined;
    if (!result) throw unexpected(`sin ${operation}Result`);
    return result;
  }

  const stampParams = (xmlBase64: string) =>
    `<fk:xml>${xmlBase64}</fk:xml>` +
    `<fk:username>${escapeAttribute(credentials.username)}</fk:username>` +
    `<fk:password>${escapeAttribute(credentials.password)}</fk:password>`;

  async function stamp(sealedXml: string): Promise<PacStamp> {
    const sentSello = selloOf(sealedXml);
    const xmlBase64 = bytesToBase64(new TextEncoder().encode(sealedXml));
    const result = await call(FINKOK_STAMP_PATH, FINKOK_STAMP_NS, "stamp", stampParams(xmlBase64));
    const incidencias = readIncidencias(result);
    const xml = field(result, "xml");
    if (incidencias.some((i) => i.code === "307")) {
      if (xml) return toStamp(xml, sentSello, true);
      // Finkok may answer 307 without the earlier stamp; `stamped` returns it.
      const earlier = await call(FINKOK_STAMP_PATH, FINKOK_STAMP_NS, "stamped", stampParams(xmlBase64));
      const earlierXml = field(earlier, "xml");
      if (earlierXml) return toStamp(earlierXml, sentSello, true);
      throw new PacError(
        "unavailable",
        "Finkok dice que el CFDI ya estaba timbrado (307) pero aún no devuelve ese timbre; se reintentará.",
        "307",
      );
    }
    if (incidencias.length > 0) throw incidenciaError(incidencias);
    if (!xml) {
      const status = field(result, "CodEstatus");
      if (INVALID_LOGIN_RE.test(status)) throw credentialsError();
      throw unexpected(status ? `sin CFDI timbrado: ${status}` : "sin CFDI timbrado");
    }
    return toStamp(xml, sentSello, false);
  }

  async function cancel(request: CancelRequest): Promise<CancelOutcome> {
    let cerPem: string;
    let keyPem: string;
    try {
      cerPem = toPem("CERTIFICATE", request.csd.certificateDer);
      keyPem = toPem("ENCRYPTED PRIVATE KEY", await encryptPkcs8(request.csd.privateKeyPkcs8, credentials.password));
    } catch (e) {
      throw new PacError("rejected", "No se pudo preparar el CSD para la cancelación.", undefined, { cause: e });
    }
    const b64 = (s: string) => bytesToBase64(new TextEncoder().encode(s));
    const params =
      `<fk:UUIDS><apps:UUID UUID="${escapeAttribute(request.uuid)}" Motivo="${escapeAttribute(request.motivo)}"` +
      ` FolioSustitucion="${escapeAttribute(request.folioSustitucion ?? "")}"/></fk:UUIDS>` +
      `<fk:username>${escapeAttribute(credentials.username)}</fk:username>` +
      `<fk:password>${escapeAttribute(credentials.password)}</fk:password>` +
      `<fk:taxpayer_id>${escapeAttribute(request.emisorRfc)}</fk:taxpayer_id>` +
      `<fk:cer>${b64(cerPem)}</fk:cer><fk:key>${b64(keyPem)}</fk:key>` +
      // Without the pending buffer a 708 (SAT unreachable) comes back to us and is retried here,
      // instead of sitting in Finkok's queue where only query_pending_cancellation would see it.
      `<fk:store_pending>false</fk:store_pending>`;
    const result = await call(FINKOK_CANCEL_PATH, FINKOK_CANCEL_NS, "cancel", params);
    const folios = descendantsByLocal(result, "Folio");
    const folio =
      folios.find((f) => field(f, "UUID").toUpperCase() === request.uuid.toUpperCase()) ??
      (folios.length === 1 ? folios[0] : undefined);
    if (!folio) {
      const incidencias = readIncidencias(result);
      if (incidencias.length > 0) throw incidenciaError(incidencias);
      throw cancelStatusError(field(result, "CodEstatus"));
    }
    const code = field(folio, "EstatusUUID");
    const estatusCancelacion = field(folio, "EstatusCancelacion");
    const acuse = field(result, "Acuse");
    if (code === "201" || code === "202") {
      // 201/202 only say SAT received the request; EstatusCancelacion says whether it is done.
      // Anything but a final "Cancelado…"/"Plazo vencido" is followed up with `status`.
      const done = /^cancelado|plazo vencido/i.test(estatusCancelacion);
      return { status: done ? "cancelled" : "pending", code, ...(acuse ? { acuse } : {}) };
    }
    throw cancelFolioError(code, estatusCancelacion);
  }

  async function status(query: StatusQuery): Promise<SatStatus> {
    const params =
      `<fk:username>${escapeAttribute(credentials.username)}</fk:username>` +
      `<fk:password>${escapeAttribute(credentials.password)}</fk:password>` +
      `<fk:taxpayer_id>${escapeAttribute(query.emisorRfc)}</fk:taxpayer_id>` +
      `<fk:rtaxpayer_id>${escapeAttribute(query.receptorRfc)}</fk:rtaxpayer_id>` +
      `<fk:uuid>${escapeAttribute(query.uuid)}</fk:uuid>` +
      `<fk:total>${escapeAttribute(query.total)}</fk:total>`;
    const result = await call(FINKOK_CANCEL_PATH, FINKOK_CANCEL_NS, "get_sat_status", params);
    const sat = elementChildren(result).find((c) => c.local === "sat");
    if (!sat) {
      const error = field(result, "error");
      if (INVALID_LOGIN_RE.test(error)) throw credentialsError();
      throw unexpected(error ? `get_sat_status: ${error}` : "sin respuesta del SAT");
    }
    const codigo = field(sat, "CodigoEstatus");
    const estado = normalizeEstado(field(sat, "Estado"));
    // SAT's ConsultaCFDI: "S - …" found, "N - 601: La expresión impresa proporcionada no es
    // válida." (the query itself is wrong: permanent), "N - 602: Comprobante no encontrado.".
    const n = /^N\s*-\s*(\d+)/.exec(codigo);
    if (n && n[1] !== "602") throw new PacError("rejected", `El SAT rechazó la consulta del CFDI: ${codigo}`, n[1]);
    if (n) return { estado: "No Encontrado" };
    if (!estado) throw unexpected(`Estado desconocido: ${field(sat, "Estado")}`);
    const esCancelable = field(sat, "EsCancelable");
    const estatusCancelacion = field(sat, "EstatusCancelacion");
    return {
      estado,
      ...(esCancelable ? { esCancelable } : {}),
      ...(estatusCancelacion ? { estatusCancelacion } : {}),
    };
  }

  return { provider: "finkok", stamp, cancel, status };
}

// ---- reading responses ------------------------------------------------------------------------

/** The body as text, refusing more than `max` bytes without buffering them. */
async function readCapped(response: Response, max: number): Promise<string> {
  const length = Number(response.headers.get("content-length") ?? "0");
  if (length > max) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw tooLarge();
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

function tooLarge(): PacError {
  return new PacError("unavailable", "La respuesta de Finkok excede el tamaño permitido; se reintentará.");
}

/** The text of the first child named `local` (any namespace: Spyne mixes tns and s0). */
function field(el: XmlElement, local: string): string {
  const child = elementChildren(el).find((c) => c.local === local);
  if (!child) return "";
  let s = "";
  for (const c of child.children) if (typeof c === "string") s += c;
  return s.trim();
}

function descendantsByLocal(el: XmlElement, local: string): XmlElement[] {
  const out: XmlElement[] = [];
  const visit = (e: XmlElement) => {
    for (const c of elementChildren(e)) {
      if (c.local === local) out.push(c);
      else visit(c);
    }
  };
  visit(el);
  return out;
}

function readIncidencias(result: XmlElement): Incidencia[] {
  return descendantsByLocal(result, "Incidencia").map((i) => ({
    code: field(i, "CodigoError"),
    message: field(i, "MensajeIncidencia"),
  }));
}

function selloOf(sealedXml: string): string {
  let root: XmlElement;
  try {
    root = parseXml(sealedXml);
  } catch (e) {
    throw new PacError("rejected", "El CFDI a timbrar no es XML bien formado.", undefined, { cause: e });
  }
  const sello = attr(root, "Sello");
  if (!sello) throw new PacError("rejected", "El CFDI a timbrar no está sellado (falta el atributo Sello).");
  return sello;
}

function toStamp(xml: string, sentSello: string, recovered: boolean): PacStamp {
  const stamped = readStampedCfdi(xml);
  if (stamped.problem === "unreadable") {
    throw new PacError("unavailable", "Finkok devolvió un CFDI timbrado ilegible; se reintentará.", undefined, {
      cause: stamped.cause,
    });
  }
  if (stamped.problem) throw unexpected("el CFDI devuelto no tiene TimbreFiscalDigital");
  const t = stamped.timbre;
  if (!t.uuid || !t.fechaTimbrado || !t.noCertificadoSat || !t.selloSat)
    throw unexpected("el TimbreFiscalDigital devuelto está incompleto");
  if (!isStampOf(stamped, sentSello)) throw unexpected("el CFDI devuelto no es el que se envió");
  return toPacStamp(xml, t, recovered);
}

function normalizeEstado(s: string): SatStatus["estado"] | undefined {
  const k = s.trim().toLowerCase();
  if (k === "vigente") return "Vigente";
  if (k === "cancelado") return "Cancelado";
  if (k === "no encontrado") return "No Encontrado";
  return undefined;
}

// ---- errors -------------------------------------------------------------------------------------

function kindOf(code: string): PacFailureKind {
  if (ACCOUNT_CODES.has(code)) return "credentials";
  if (TRANSIENT_CODES.has(code)) return "unavailable";
  return "rejected";
}

function credentialsError(code?: string): PacError {
  return new PacError(
    "credentials",
    "Finkok rechazó el usuario o la contraseña de la cuenta; revisa la configuración del PAC.",
    code,
  );
}

function unexpected(detail: string): PacError {
  return new PacError("unavailable", `Respuesta inesperada de Finkok (${detail}); se reintentará.`);
}

function incidenciaError(incidencias: Incidencia[]): PacError {
  const first = incidencias[0] as Incidencia;
  const kind = kindOf(first.code);
  const text = incidencias.map((i) => `${i.code} ${i.message || (FINKOK_MESSAGES[i.code] ?? "")}`.trim()).join("; ");
  if (kind === "credentials" && (first.code === "300" || INVALID_LOGIN_RE.test(first.message)))
    return credentialsError(first.code);
  const prefix =
    kind === "credentials"
      ? "Finkok rechazó la solicitud por la cuenta"
      : kind === "unavailable"
        ? "Finkok no pudo completar la solicitud; se reintentará"
        : "Finkok rechazó el CFDI";
  return new PacError(kind, `${prefix}: ${text}`, first.code);
}

/** CodEstatus of a cancel answer without folios: a code ("708"), a code and text, or only text. */
function cancelStatusError(codEstatus: string): PacError {
  if (!codEstatus) return unexpected("cancelación sin folios ni CodEstatus");
  if (INVALID_LOGIN_RE.test(codEstatus)) return credentialsError();
  const code = /^([A-Za-z]*\d+)/.exec(codEstatus)?.[1];
  const message = code && codEstatus === code ? (FINKOK_MESSAGES[code] ?? "") : codEstatus;
  // 300 on cancel is SAT's cancellation service failing its own authentication, not ours
  // (the login was already accepted): transient, as phpcfdi's integration tests treat it.
  const kind = code === "300" ? "unavailable" : code ? kindOf(code) : "unavailable";
  const text = `${code ?? ""} ${message}`.trim();
  if (kind === "credentials") return new PacError(kind, `Finkok rechazó la cancelación por la cuenta: ${text}`, code);
  if (kind === "unavailable")
    return new PacError(kind, `No se pudo cancelar por ahora (${text}); se reintentará.`, code);
  return new PacError(kind, `Finkok rechazó la cancelación: ${text}`, code);
}

function cancelFolioError(code: string, estatusCancelacion: string): PacError {
  const known = FINKOK_MESSAGES[code];
  const detail = [code, estatusCancelacion || known].filter(Boolean).join(" ");
  if (code === "205")
    return new PacError(
      "rejected",
      `El SAT no encuentra el CFDI (${detail}). Si se timbró hace unos minutos, el SAT aún puede no tenerlo; intenta más tarde.`,
      code,
    );
  if (code === "no_cancelable")
    return new PacError("rejected", "El SAT indica que el CFDI no es cancelable (tiene CFDI relacionados).", code);
  const kind = kindOf(code);
  return new PacError(
    kind,
    kind === "unavailable"
      ? `No se pudo cancelar por ahora (${detail}); se reintentará.`
      : `El SAT rechazó la cancelación: ${detail}`,
    code || undefined,
  );
}

function faultError(fault: XmlElement): PacError {
  const faultcode = field(fault, "faultcode");
  const faultstring = field(fault, "faultstring");
  // SOAP 1.1 §4.4.1: Client faults are the request's fault (do not resend it as is), Server
  // faults are the service's own trouble.
  if (/(^|:)Client/.test(faultcode))
    return new PacError("rejected", `Finkok rechazó la solicitud SOAP: ${faultstring || faultcode}`, faultcode);
  return new PacError(
    "unavailable",
    `Error interno de Finkok (${faultstring || faultcode}); se reintentará.`,
    faultcode,
  );
}
