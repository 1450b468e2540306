// Local stand-in for SW sapien's REST services (the PAC behind core/invoicing/pacs/sw.ts) and for
// SAT's ConsultaCFDIService, so tests and `npm start` stamp and cancel over real HTTP without an
// SW account. One server, the real paths:
//   POST /v2/security/authenticate       JSON {user, password} → data.token, data.expires_in (epoch s)
//   POST /security/authenticate          the older form: headers `user` and `password`
//   POST /cfdi33/v2/stamp/{v1..v4}[/b64] multipart/form-data, file field `xml`; on a duplicate the
//                                        307 answer carries the earlier stamp in `data`
//   POST /cfdi33/stamp/{v1..v4}[/b64]    the same, but the 307 answer has `data: null`
//   POST /cfdi33/cancel/csd              JSON {uuid, password, rfc, motivo, folioSustitucion?, b64Cer, b64Key}
//   POST /ConsultaCFDIService.svc        SAT's SOAP Consulta (SOAPAction http://tempuri.org/IConsultaCFDIService/Consulta)
// Point createSwClient's `baseUrl` at {url}; it derives the status endpoint from it.
//
// It checks what SW checks: a bearer token it issued (or one registered with /__accounts) on every
// call, the multipart `xml` field, a CFDI 4.0 whose Sello verifies against its own Certificado
// (core/cfdi/verify.ts: certificate RFC, kind and validity too), and it remembers each stamp by
// its Sello so the same sealed XML again gets "307. El comprobante contiene un timbre previo.".
// Stamps are real TFD 1.1 signed with a key made at start (core/invoicing/sandbox-pac.ts); the
// certificate is `pacCertificate` / GET /__certificate. Cancel by CSD opens the `.key` with its
// password, pairs it with the `.cer`, checks the RFC and that the UUID is one it stamped for that
// emisor; the answer and later statuses follow the cancel mode. Accounts: any user whose password
// does not start with "invalid" authenticates (a way to try the credentials error by hand), unless
// registered with /__accounts, which then need exactly their password (or token).
// It does not check the 72-hour window on Fecha (401): the test fixtures have fixed dates.
//
// Controls (JSON bodies; the state behind them is shared with the other fake, pac-fake-common.ts):
//   POST /__accounts     {user, password, token?}   register an account (and a long-lived token)
//   POST /__fail         {operation, code, times?, delayMs?}   the next matching call(s) fail:
//                        operation "authenticate" | "stamp" | "cancel" | "status"; code a SW code
//                        ("301", "CFDI40102", "AU2000", "CO1000", …), "5xx" (HTTP 500), "timeout"
//                        (does the work, answers after delayMs, default 60 s) or "garbage" (1 MiB of junk, HTTP 200)
//   POST /__cancel-mode  {mode: "immediate" | "pending"}  cancelled at once (sin aceptación) or
//                        waiting for the receptor (con aceptación) — default immediate
//   POST /__resolve      {uuid, outcome: "accepted" | "rejected"}  the receptor answers a pending one
//   POST /__expire-tokens                              every issued token stops working (401)
//   GET  /__requests?operation=                        the calls received, oldest first (no secrets)
//   GET  /__certificate                                {certificate (base64 DER), noCertificado}
//   POST /__reset                                      forgets everything above, stamps included
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import { fechaNow } from "../../core/cfdi/build.ts";
import { loadCsd } from "../../core/cfdi/csd.ts";
import { CFDI_NS } from "../../core/cfdi/model.ts";
import { cadenaTfdFromXml, findTimbreElement } from "../../core/cfdi/tfd.ts";
import { verifyCfdi } from "../../core/cfdi/verify.ts";
import { attr, firstChild, parseXml, type XmlElement } from "../../core/cfdi/xml-parser.ts";
import { findByLocal, SAT_CONSULTA_ACTION, textOf } from "../../core/invoicing/pacs/sw.ts";
import {
  createSandboxPacKeys,
  importSandboxKey,
  sandboxStamp,
  type SandboxPacKeys,
} from "../../core/invoicing/sandbox-pac.ts";
import {
  jsonObject,
  LocalPacState,
  serveFake,
  type CancelMode,
  type Failure,
  type SatRecord,
} from "./pac-fake-common.ts";

export const SW_FAKE_OPERATIONS = ["authenticate", "stamp", "cancel", "status"] as const;
export type SwFakeOperation = (typeof SW_FAKE_OPERATIONS)[number];
export type SwCancelMode = CancelMode;

export interface SwFakeOptions {
  port?: number;
  host?: string;
  /** The PAC certificate and key to stamp with; new ones when absent. */
  keys?: SandboxPacKeys;
}

export interface SwFakeRequest {
  operation: SwFakeOperation;
  method: string;
  path: string;
  /** Content-Type, SOAPAction and whether a bearer token came; never the token or passwords. */
  headers: { contentType: string; soapAction?: string; bearer: boolean };
  /** What was asked, without secrets (lengths instead of keys and passwords). */
  summary: Record<string, unknown>;
  status: number;
  at: number;
}

export interface SwFake {
  url: string;
  /** DER of the certificate whose key signs every SelloSAT (verify stamps with it). */
  pacCertificate: Uint8Array;
  noCertificadoSat: string;
  stop(): Promise<void>;
}

interface StampedCfdi extends SatRecord {
  xml: string;
  tfd: string;
  sello: string;
  noCertificadoCfdi: string;
  fechaTimbrado: string;
  selloSat: string;
  noCertificadoSat: string;
}

interface Answer {
  status: number;
  body: string;
  contentType: string;
  /** Streams `body` in 16 KiB chunks without Content-Length (the "garbage" failure). */
  chunked?: boolean;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;
const TOKEN_LIFETIME_S = 2 * 3600;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** SW's messages for the codes the fake answers (https://developers.sw.com.mx/knowledge-base/error-codes). */
const SW_MESSAGES: Record<string, string> = {
  "301": "301. La estructura del comprobante es incorrecta.",
  "302": "302. Sello mal formado o inválido.",
  "303": "303. Sello no corresponde a emisor.",
  "304": "304. Certificado revocado o caduco.",
  "305": "305. La fecha de emisión no esta dentro de la vigencia del CSD del Emisor.",
  "306": "306. El certificado no es de tipo CSD.",
  "307": "307. El comprobante contiene un timbre previo.",
  "401": "401. El rango de la fecha de generación no debe de ser mayor a 72 horas para la emisión del timbre.",
  "402": "402. El RFC del emisor no se encuentra en el régimen de contribuyentes (Lista de validación de régimen) LCO.",
  CFDI40102: "CFDI40102 - El resultado de la digestión debe ser igual al resultado de la desencripción del sello.",
  CO1000: "CO1000 - Error no controlado. Si el problema persiste, contacte a soporte técnico.",
  AU2000: "AU2000 - El usuario y/o contraseña son inválidos, no se puede autenticar el servicio.",
  AU4000: "AU4000 - No fue posible validar el token.",
  AU4101: "AU4101 - El token proporcionado viene vacio.",
  "203": "203 - Folio Fiscal No corresponde al emisor.",
  "205": "205 - Folio Fiscal No Existe.",
  "207": "207 - No se especificó el motivo de cancelación o el motivo no es valido.",
  "208": "208 - Folio Sustitución invalido.",
  "209": "209 - Folio Sustitución no requerido.",
  "310": "310 - CSD Inválido.",
};

function json(status: number, body: unknown): Answer {
  return { status, body: JSON.stringify(body), contentType: "application/json; charset=utf-8" };
}

function swError(code: string, messageDetail: string | null = null, data: unknown = null, status?: number): Answer {
  const message = SW_MESSAGES[code] ?? `${code} - Error de validación.`;
  return json(status ?? (code.startsWith("AU") ? 401 : 400), { message, messageDetail, data, status: "error" });
}

const success = (data: unknown) => json(200, { data, status: "success" });

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Decimal text compared by value ("1160.00" = "1160.0"), as SAT compares tt. */
function sameAmount(a: string, b: string): boolean {
  const norm = (s: string) => {
    const m = /^0*(\d*)(?:\.(\d*?))?0*$/.exec(s.trim());
    return m ? `${m[1] || "0"}.${m[2] ?? ""}` : `?${s}`;
  };
  return norm(a) === norm(b);
}

/** The file parts of a multipart/form-data body, by field name (RFC 7578). */
export function multipartFields(body: Buffer, contentType: string): Map<string, Buffer> | null {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const b = boundary?.[1] ?? boundary?.[2];
  if (!contentType.toLowerCase().startsWith("multipart/form-data") || !b) return null;
  const delimiter = Buffer.from(`--${b}`);
  const fields = new Map<string, Buffer>();
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) return null;
    const part = body.subarray(start + 2, next - 2); // after the CRLF, before the CRLF ahead of the delimiter
    const split = part.indexOf("\r\n\r\n");
    if (split < 0) return null;
    const headers = part.subarray(0, split).toString("utf8");
    const name = /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(headers)?.[1];
    if (name !== undefined) fields.set(name, part.subarray(split + 4));
    at = next;
  }
  return fields;
}

function soapEnvelope(inner: string): string {
  return `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${inner}</s:Body></s:Envelope>`;
}

function soapFault(message: string): Answer {
  return {
    status: 500,
    contentType: "text/xml; charset=utf-8",
    body: soapEnvelope(
      `<s:Fault><faultcode xmlns:a="http://schemas.microsoft.com/ws/2005/05/addressing/none">a:ActionNotSupported</faultcode><faultstring xml:lang="en-US">${escapeXml(message)}</faultstring></s:Fault>`,
    ),
  };
}

function consultaAnswer(r: {
  codigo: string;
  estado: string;
  esCancelable?: string;
  estatusCancelacion?: string;
}): Answer {
  const el = (name: string, v: string | undefined) => (v ? `<a:${name}>${escapeXml(v)}</a:${name}>` : `<a:${name}/>`);
  return {
    status: 200,
    contentType: "text/xml; charset=utf-8",
    body: soapEnvelope(
      '<ConsultaResponse xmlns="http://tempuri.org/"><ConsultaResult xmlns:a="http://schemas.datacontract.org/2004/07/Sat.Cfdi.Negocio.ConsultaCfdi.Servicio" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">' +
        el("CodigoEstatus", r.codigo) +
        el("EsCancelable", r.esCancelable) +
        el("Estado", r.estado) +
        el("EstatusCancelacion", r.estatusCancelacion) +
        el("ValidacionEFOS", "200") +
        "</ConsultaResult></ConsultaResponse>",
    ),
  };
}

// ---- server -----------------------------------------------------------------------------------------

export async function startSwFake(options: SwFakeOptions = {}): Promise<SwFake> {
  const keys = options.keys ?? (await createSandboxPacKeys());
  const pac = { privateKey: await importSandboxKey(keys.pkcs8), noCertificado: keys.noCertificado };

  const state = new LocalPacState<SwFakeOperation, SwFakeRequest, StampedCfdi>(SW_FAKE_OPERATIONS, keys);
  const { failures, stamps } = state; // stamps by Sello
  let accounts = new Map<string, { password: string; token?: string }>();
  let issued = new Map<string, { user: string; expiresAt: number }>();

  function passwordAccepted(user: string, password: string): boolean {
    const account = accounts.get(user);
    if (account) return account.password === password;
    return user.length > 0 && password.length > 0 && !password.startsWith("invalid");
  }

  function issueToken(user: string): Answer {
    const token = `swfake.${randomBytes(24).toString("base64url")}`;
    const expiresAt = Math.floor(Date.now() / 1000) + TOKEN_LIFETIME_S;
    issued.set(token, { user, expiresAt });
    return success({ token, expires_in: expiresAt, tokeny_type: "Bearer" });
  }

  /** The bearer token's problem as SW's error, or null when it is good. */
  function tokenProblem(authorization: string | undefined): Answer | null {
    const token = /^bearer\s+(.+)$/i.exec(authorization ?? "")?.[1]?.trim();
    if (!token) return swError("AU4101");
    for (const a of accounts.values()) if (a.token === token) return null;
    const t = issued.get(token);
    if (!t || t.expiresAt * 1000 < Date.now()) return swError("AU4000");
    return null;
  }

  function injected(f: Failure<SwFakeOperation>): Answer {
    if (f.code === "5xx") return json(500, { Message: "An error has occurred." });
    if (f.code === "garbage") {
      return {
        status: 200,
        contentType: "application/json",
        body: `{"data":"${"\u00ff[".repeat(512 * 1024)}`,
        chunked: true,
      };
    }
    return swError(f.code);
  }

  function versionData(s: StampedCfdi, version: string, b64: boolean): Record<string, string> {
    const enc = (v: string) => (b64 ? Buffer.from(v, "utf8").toString("base64") : v);
    const tfdDoc = `<?xml version="1.0" encoding="utf-8"?>${s.tfd}`;
    switch (version) {
      case "v1":
        return { tfd: enc(tfdDoc) };
      case "v2":
        return { tfd: enc(tfdDoc), cfdi: enc(s.xml) };
      case "v3":
        return { cfdi: enc(s.xml) };
      default:
        return {
          cadenaOriginalSAT: cadenaTfdFromXml(s.tfd),
          noCertificadoSAT: s.noCertificadoSat,
          noCertificadoCFDI: s.noCertificadoCfdi,
          uuid: s.uuid.toLowerCase(),
          selloSAT: s.selloSat,
          selloCFDI: s.sello,
          fechaTimbrado: s.fechaTimbrado,
          qrCode: Buffer.from(`qr:${s.uuid}`).toString("base64"),
          cfdi: enc(s.xml),
        };
    }
  }

  /** SW's answer to a sealed CFDI, checked like SW checks it. */
  async function stampXml(xml: string): Promise<{ answer: Answer; duplicate?: StampedCfdi; stamped?: StampedCfdi }> {
    let root: XmlElement;
    try {
      root = parseXml(xml);
    } catch (e) {
      return { answer: swError("301", `El XML no está bien formado: ${(e as Error).message}`) };
    }
    if (root.ns !== CFDI_NS || root.local !== "Comprobante" || attr(root, "Version") !== "4.0")
      return { answer: swError("301", "Se esperaba cfdi:Comprobante versión 4.0 (http://www.sat.gob.mx/cfd/4).") };
    const sello = attr(root, "Sello");
    if (!sello || !attr(root, "Certificado") || !attr(root, "NoCertificado"))
      return { answer: swError("301", "El comprobante no tiene Sello, Certificado o NoCertificado.") };
    const earlier = stamps.earlier(sello);
    if (earlier) return { answer: swError("307"), duplicate: earlier };
    if (findTimbreElement(root)) return { answer: swError("301", "El comprobante ya incluye un TimbreFiscalDigital.") };
    const report = await verifyCfdi(xml);
    const codes = new Set(report.errors.map((e) => e.code));
    if (codes.has("CSD_IS_FIEL") || codes.has("CSD_NOT_CSD")) return { answer: swError("306") };
    if (codes.has("CSD_RFC_MISMATCH")) return { answer: swError("303") };
    if (codes.has("CSD_EXPIRED") || codes.has("CSD_NOT_YET_VALID")) return { answer: swError("305") };
    if (codes.has("SELLO_INVALID") || codes.has("CERT_INVALID") || codes.has("NOCERTIFICADO_MISMATCH"))
      return { answer: swError("CFDI40102", report.errors.map((e) => e.message).join(" ")) };
    if (!report.valid) return { answer: swError("301", report.errors.map((e) => e.message).join(" ")) };
    const result = await sandboxStamp(xml, pac, { fechaTimbrado: fechaNow() });
    const tfdStart = result.xml.indexOf("<tfd:TimbreFiscalDigital");
    const tfdEnd = result.xml.indexOf("/>", tfdStart) + 2;
    const emisor = firstChild(root, CFDI_NS, "Emisor");
    const receptor = firstChild(root, CFDI_NS, "Receptor");
    const stamped: StampedCfdi = {
      uuid: result.timbre.uuid,
      xml: result.xml,
      tfd: result.xml
        .slice(tfdStart, tfdEnd)
        .replace(
          "<tfd:TimbreFiscalDigital ",
          '<tfd:TimbreFiscalDigital xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ',
        ),
      emisorRfc: emisor ? (attr(emisor, "Rfc") ?? "") : "",
      receptorRfc: receptor ? (attr(receptor, "Rfc") ?? "") : "",
      total: attr(root, "Total") ?? "",
      sello,
      noCertificadoCfdi: attr(root, "NoCertificado") ?? "",
      fechaTimbrado: result.timbre.fechaTimbrado,
      selloSat: result.timbre.selloSat,
      noCertificadoSat: result.timbre.noCertificadoSat,
      estado: "Vigente",
      estatusCancelacion: "",
    };
    stamps.remember(sello, stamped);
    return { answer: { status: 200, body: "", contentType: "" }, stamped };
  }

  async function stampRoute(
    req: IncomingMessage,
    raw: Buffer,
    service: "v2" | "plain",
    version: string,
    b64: boolean,
  ): Promise<{ answer: Answer; summary: Record<string, unknown> }> {
    const contentType = String(req.headers["content-type"] ?? "");
    const fields = multipartFields(raw, contentType);
    const file = fields?.get("xml");
    if (!file)
      return {
        answer: json(400, {
          message: "Parámetros incompletos",
          messageDetail: "Se esperaba el XML como archivo `xml` en multipart/form-data.",
          data: null,
          status: "error",
        }),
        summary: { multipart: fields !== null },
      };
    let xml = file.toString("utf8");
    if (b64) xml = Buffer.from(xml.trim(), "base64").toString("utf8");
    const summary = { version, b64, service, xmlChars: xml.length };
    const f = failures.take("stamp");
    if (f && f.code !== "timeout") return { answer: injected(f), summary };
    const { answer, duplicate, stamped } = await stampXml(xml);
    if (duplicate) {
      // Only the /cfdi33/v2/ service returns the earlier stamp with the 307.
      const data = service === "v2" ? versionData(duplicate, version, b64) : null;
      return { answer: swError("307", null, data), summary: { ...summary, duplicateOf: duplicate.uuid } };
    }
    if (!stamped) return { answer, summary };
    return { answer: success(versionData(stamped, version, b64)), summary: { ...summary, uuid: stamped.uuid } };
  }

  function acuse(rfc: string, uuid: string, code: string): string {
    return (
      '<?xml version="1.0" encoding="utf-8"?>' +
      `<Acuse xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" Fecha="${fechaNow()}" RfcEmisor="${escapeXml(rfc)}">` +
      `<Folios xmlns="http://cancelacfd.sat.gob.mx"><UUID>${escapeXml(uuid.toUpperCase())}</UUID><EstatusUUID>${code}</EstatusUUID></Folios>` +
      "</Acuse>"
    );
  }

  async function cancelRoute(text: string): Promise<{ answer: Answer; summary: Record<string, unknown> }> {
    const input: Record<string, unknown> = {};
    // ASP.NET binds JSON properties case-insensitively: folioSustitucion and foliosustitucion alike.
    for (const [k, v] of Object.entries(jsonObject(text) ?? {})) input[k.toLowerCase()] = v;
    const str = (k: string) => (typeof input[k] === "string" ? (input[k] as string) : "");
    const uuid = str("uuid");
    const rfc = str("rfc");
    const motivo = str("motivo");
    const folio = str("foliosustitucion");
    const summary = {
      uuid,
      rfc,
      motivo,
      folioSustitucion: folio,
      passwordChars: str("password").length,
      b64CerChars: str("b64cer").length,
      b64KeyChars: str("b64key").length,
    };
    if (!uuid || !rfc || !motivo || !str("password") || !str("b64cer") || !str("b64key"))
      return {
        answer: json(400, {
          message: "Parámetros incompletos",
          messageDetail:
            "Son necesarios el .Cer y el .Key en formato B64, la contraseña, el RFC y el UUID de la factura que necesita cancelar",
          status: "error",
        }),
        summary,
      };
    const f = failures.take("cancel");
    if (f && f.code !== "timeout") return { answer: injected(f), summary };
    if (!["01", "02", "03", "04"].includes(motivo)) return { answer: swError("207"), summary };
    if (motivo === "01" && !UUID_RE.test(folio)) return { answer: swError("208"), summary };
    if (motivo !== "01" && folio) return { answer: swError("209"), summary };
    let certRfc: string;
    try {
      const csd = await loadCsd(
        Buffer.from(str("b64cer"), "base64"),
        Buffer.from(str("b64key"), "base64"),
        str("password"),
      );
      certRfc = csd.certificate.rfc;
    } catch (e) {
      return { answer: swError("310", `El CSD no se pudo abrir: ${(e as Error).message}`), summary };
    }
    if (certRfc !== rfc)
      return { answer: swError("310", "El RFC del certificado no corresponde al RFC emisor."), summary };
    const s = stamps.find(uuid);
    if (!s) return { answer: swError("205"), summary };
    if (s.emisorRfc !== rfc) return { answer: swError("203"), summary };
    if (s.estado === "Cancelado")
      return { answer: success({ acuse: acuse(rfc, uuid, "202"), uuid: { [uuid.toUpperCase()]: "202" } }), summary };
    stamps.cancel(s);
    return { answer: success({ acuse: acuse(rfc, uuid, "201"), uuid: { [uuid.toUpperCase()]: "201" } }), summary };
  }

  function statusRoute(req: IncomingMessage, text: string): { answer: Answer; summary: Record<string, unknown> } {
    const action = String(req.headers.soapaction ?? "").replace(/^"|"$/g, "");
    if (action !== SAT_CONSULTA_ACTION)
      return { answer: soapFault(`Unknown SOAPAction '${action}'.`), summary: { action } };
    let expresion = "";
    try {
      const el = findByLocal(parseXml(text), "expresionImpresa");
      expresion = el ? textOf(el).trim() : "";
    } catch {
      return { answer: soapFault("The request body is not XML."), summary: {} };
    }
    const q = new URLSearchParams(expresion.startsWith("?") ? expresion.slice(1) : expresion);
    const summary = { expresion };
    const f = failures.take("status");
    if (f && f.code !== "timeout") {
      return { answer: f.code === "garbage" || f.code === "5xx" ? injected(f) : soapFault(f.code), summary };
    }
    const [re, rr, tt, id] = ["re", "rr", "tt", "id"].map((k) => q.get(k) ?? "");
    if (!re || !rr || !tt || !UUID_RE.test(id ?? ""))
      return {
        answer: consultaAnswer({
          codigo: "N - 601: La expresión impresa proporcionada no es válida.",
          estado: "No Encontrado",
        }),
        summary,
      };
    const s = stamps.find(id ?? "");
    if (!s || s.emisorRfc !== re || s.receptorRfc !== rr || !sameAmount(s.total, tt ?? ""))
      return {
        answer: consultaAnswer({ codigo: "N - 602: Comprobante no encontrado.", estado: "No Encontrado" }),
        summary,
      };
    const mode = s.cancelMode ?? stamps.cancelMode;
    return {
      answer: consultaAnswer({
        codigo: "S - Comprobante obtenido satisfactoriamente.",
        estado: s.estado,
        esCancelable:
          s.estado === "Cancelado"
            ? "No cancelable"
            : mode === "immediate"
              ? "Cancelable sin aceptación"
              : "Cancelable con aceptación",
        estatusCancelacion: s.estatusCancelacion,
      }),
      summary,
    };
  }

  function authenticateRoute(req: IncomingMessage, path: string, text: string) {
    let user = "";
    let password = "";
    if (path === "/security/authenticate") {
      user = String(req.headers.user ?? "");
      password = String(req.headers.password ?? "");
    } else {
      const body = jsonObject(text);
      if (body) {
        user = typeof body.user === "string" ? body.user : "";
        password = typeof body.password === "string" ? body.password : "";
      }
    }
    const summary = { user };
    const f = failures.take("authenticate");
    if (f && f.code !== "timeout") return { answer: injected(f), summary };
    if (!passwordAccepted(user, password)) return { answer: swError("AU2000", null, null, 400), summary };
    return { answer: issueToken(user), summary };
  }

  async function route(
    req: IncomingMessage,
    path: string,
    raw: Buffer,
  ): Promise<{ operation: SwFakeOperation; answer: Answer; summary: Record<string, unknown> } | null> {
    const text = raw.toString("utf8");
    if (path === "/v2/security/authenticate" || path === "/security/authenticate")
      return { operation: "authenticate", ...authenticateRoute(req, path, text) };
    if (path === "/ConsultaCFDIService.svc") return { operation: "status", ...statusRoute(req, text) };
    const stampPath = /^\/cfdi33\/(v2\/)?stamp\/(v[1-4])(\/b64)?\/?$/.exec(path);
    if (stampPath) {
      const problem = tokenProblem(req.headers.authorization);
      if (problem) return { operation: "stamp", answer: problem, summary: {} };
      const service = stampPath[1] ? "v2" : "plain";
      return { operation: "stamp", ...(await stampRoute(req, raw, service, stampPath[2]!, Boolean(stampPath[3]))) };
    }
    if (path === "/cfdi33/cancel/csd") {
      const problem = tokenProblem(req.headers.authorization);
      if (problem) return { operation: "cancel", answer: problem, summary: {} };
      return { operation: "cancel", ...(await cancelRoute(text)) };
    }
    return null;
  }

  function control(method: string, path: string, query: URLSearchParams, text: string): Answer | null {
    const read = state.read(method, path, query);
    if (read) return json(read.status, read.body);
    if (method !== "POST" || !path.startsWith("/__")) return null;
    const body = jsonObject(text) ?? {};
    const shared = state.write(path, body);
    if (shared) return json(shared.status, shared.body);
    switch (path) {
      case "/__reset":
        state.reset();
        accounts = new Map();
        issued = new Map();
        return json(200, { reset: true });
      case "/__expire-tokens":
        issued = new Map();
        return json(200, { expired: true });
      case "/__accounts": {
        if (typeof body.user !== "string" || !body.user || typeof body.password !== "string")
          return json(400, { error: "user and password are required" });
        accounts.set(body.user, {
          password: body.password,
          ...(typeof body.token === "string" && body.token ? { token: body.token } : {}),
        });
        return json(201, { registered: true });
      }
      default:
        return json(404, { error: "not_found" });
    }
  }

  /** The operation a path belongs to, to apply a "timeout" failure before answering. */
  function operationOf(path: string): SwFakeOperation | null {
    if (path.endsWith("/security/authenticate")) return "authenticate";
    if (path === "/ConsultaCFDIService.svc") return "status";
    if (path.startsWith("/cfdi33/cancel/")) return "cancel";
    if (/^\/cfdi33\/(v2\/)?stamp\//.test(path)) return "stamp";
    return null;
  }

  function send(res: ServerResponse, a: Answer): void {
    if (res.destroyed) return;
    if (a.chunked) {
      res.writeHead(a.status, { "content-type": a.contentType });
      const CHUNK = 16 * 1024;
      let at = 0;
      const pump = () => {
        while (at < a.body.length) {
          const ok = res.write(a.body.slice(at, at + CHUNK));
          at += CHUNK;
          if (!ok) return void res.once("drain", pump);
        }
        res.end();
      };
      res.on("error", () => undefined);
      pump();
      return;
    }
    res.writeHead(a.status, { "content-type": a.contentType });
    res.end(a.body);
  }

  const server = await serveFake(options, MAX_BODY_BYTES, (req, res, raw) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://fake.local");
      if (!raw) return send(res, json(413, { message: "Request too large", status: "error" }));
      const ctl = control(req.method ?? "GET", url.pathname, url.searchParams, raw.toString("utf8"));
      if (ctl) return send(res, ctl);
      const op = req.method === "POST" ? operationOf(url.pathname) : null;
      const slow = op ? failures.find(op, (code) => code === "timeout") : undefined;
      if (slow && op) failures.take(op);
      // A timeout is an answer that comes too late: the work is done (a stamp is kept), only the
      // reply is held back — the case a client's retry must recover from.
      const routed = req.method === "POST" ? await route(req, url.pathname, raw) : null;
      if (slow) {
        await new Promise((r) => setTimeout(r, slow.delayMs));
        if (res.destroyed) return;
      }
      if (!routed) return send(res, json(404, { message: "No HTTP resource was found.", status: "error" }));
      const soapAction = req.headers.soapaction;
      state.record({
        operation: routed.operation,
        method: req.method ?? "POST",
        path: url.pathname,
        headers: {
          contentType: String(req.headers["content-type"] ?? ""),
          ...(soapAction !== undefined ? { soapAction: String(soapAction) } : {}),
          bearer: /^bearer\s+\S/i.test(req.headers.authorization ?? ""),
        },
        summary: routed.summary,
        status: routed.answer.status,
        at: Date.now(),
      });
      send(res, routed.answer);
    })().catch((err: unknown) => send(res, json(500, { message: String(err), status: "error" })));
  });
  return {
    url: server.url,
    pacCertificate: keys.certificateDer,
    noCertificadoSat: keys.noCertificado,
    stop: () => server.close(),
  };
}
