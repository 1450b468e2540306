/**
 * SW sapien (SmarterWeb, sw.com.mx) as a PacClient: REST + JSON, every answer an envelope
 * `{ status: "success" | "error", message, messageDetail, data }`, errors named by a code at the
 * start of `message` ("307. El comprobante contiene un timbre previo.", "CFDI40102 - …",
 * "AU2000 - El usuario y/o contraseña son inválidos…").
 *
 * What this follows, and where it was read:
 * - Hosts: https://services.test.sw.com.mx and https://services.sw.com.mx
 *   (https://developers.sw.com.mx/knowledge-base/autenticacion-v2).
 * - Auth: POST /v2/security/authenticate, JSON {user, password} → data.token (a 2-hour token) and
 *   data.expires_in, an epoch in seconds (same page; lunasoft/sdk-java18 Services.setupRequest reads
 *   it with Instant.ofEpochSecond). An account's "token infinito" from the ADT portal is used as is
 *   (https://developers.sw.com.mx/knowledge-base/generate-access-token). Every call sends
 *   `Authorization: Bearer <token>`.
 * - Stamp: POST /cfdi33/v2/stamp/v4, multipart/form-data with the sealed XML as the file field
 *   `xml` ("/cfdi33" is kept for compatibility and takes CFDI 4.0:
 *   https://developers.sw.com.mx/knowledge-base/stamp). Response version v4 returns
 *   data {cfdi, uuid, fechaTimbrado, noCertificadoSAT, selloSAT, selloCFDI, cadenaOriginalSAT,
 *   noCertificadoCFDI, qrCode} (lunasoft/sw-sdk-php README "Timbrar CFDI V4"; v1 returns only the
 *   TFD, v2 TFD + CFDI, v3 the CFDI). The "/cfdi33/v2/" service (rather than "/cfdi33/stamp/")
 *   is the one that, on "307. El comprobante contiene un timbre previo.", still answers with the
 *   earlier stamp in `data` (lunasoft/sdk-java18 StampV2.java javadoc; lunasoft/sw-sdk-dotnet
 *   Test_SW-sdk-45/Services/Stamp/StampV2_Test.cs checks data.cfdi on the 307; the same shape is
 *   documented for CustomId at https://developers.sw.com.mx/knowledge-base/timbrado-customid-2/).
 * - Error codes: https://developers.sw.com.mx/knowledge-base/error-codes (301–308, 401–403,
 *   CFDI40xxx from SAT's matrix, CO1000 "uncontrolled error", AU… authentication).
 * - Cancel by CSD: POST /cfdi33/cancel/csd, JSON {uuid, password, rfc, motivo, folioSustitucion,
 *   b64Cer, b64Key} with the SAT `.cer` and password-protected `.key` in base64
 *   (https://developers.sw.com.mx/knowledge-base/cancelacion-cfdi-3-3/, lunasoft/sw-sdk-nodejs
 *   CancelationService.js, lunasoft/sdk-java18 CancelationRequestCSD.java). Success:
 *   data {acuse, uuid: {<UUID>: "201" | "202" | …}} with SAT's folio codes (sw-sdk-php README
 *   "Códigos de respuesta de folios de cancelación").
 * - Status: SW exposes no REST status; its SDKs call SAT's ConsultaCFDIService (SOAP, action
 *   http://tempuri.org/IConsultaCFDIService/Consulta, expresionImpresa "?re=…&rr=…&tt=…&id=…")
 *   and read CodigoEstatus / Estado / EsCancelable / EstatusCancelacion (sw-sdk-php
 *   SatQueryRequest.php; sdk-java18 StatusCfdiRequest.java; SW's test mirror of the service:
 *   sw-sdk-php README "Consulta Estatus SAT").
 *
 * Runtime-free (Web Crypto and the given `fetch`): it runs inside workerd and in plain Node.
 */
import { bytesToBase64 } from "../../encoding/base64.ts";
import { CFDI_NS } from "../../cfdi/model.ts";
import type { XmlElement } from "../../cfdi/xml-parser.ts";
import { attr, elementChildren, parseXml } from "../../cfdi/xml-parser.ts";
import type {
  CancelOutcome,
  CancelRequest,
  Fetch,
  PacClient,
  PacStamp,
  SatStatus,
  StatusQuery,
} from "../pac-client.ts";
import { PacError } from "../pac-client.ts";
import { encryptPkcs8, randomKeyPassword } from "./key-encryption.ts";
import { isStampOf, readStampedCfdi, toPacStamp } from "./stamped-cfdi.ts";

export const SW_SERVICES_URLS = {
  test: "https://services.test.sw.com.mx",
  production: "https://services.sw.com.mx",
} as const;

/** SAT's ConsultaCFDIService: SW's test mirror (sw-sdk-php README) and SAT's production service. */
export const SAT_CONSULTA_URLS = {
  test: "http://consultaqrfacturaelectronicatest.sw.com.mx/ConsultaCFDIService.svc",
  production: "https://consultaqr.facturaelectronica.sat.gob.mx/ConsultaCFDIService.svc",
} as const;

const PATH_AUTHENTICATE = "/v2/security/authenticate";
const PATH_STAMP = "/cfdi33/v2/stamp/v4";
const PATH_CANCEL_CSD = "/cfdi33/cancel/csd";
const PATH_CONSULTA = "/ConsultaCFDIService.svc";
/** The SOAPAction of SAT's ConsultaCFDIService query (the local fake checks it). */
export const SAT_CONSULTA_ACTION = "http://tempuri.org/IConsultaCFDIService/Consulta";

const DEFAULT_TIMEOUT_MS = 30_000;
/** SW's temporary tokens last two hours (autenticacion-v2); used when expires_in is unusable. */
const TOKEN_LIFETIME_MS = 2 * 3600_000;
/** Renew a little early so a token does not expire between the check and SW reading it. */
const TOKEN_MARGIN_MS = 60_000;
/** Answers other than a stamp: a token, an acuse (a few KB), a SOAP status. */
const SMALL_BODY_LIMIT = 256 * 1024;
/** A stamp answer carries the CFDI (JSON-escaped, so up to ~2× its size) plus the TFD, cadena and QR. */
const stampBodyLimit = (sealedXml: string) => 2 * sealedXml.length + 512 * 1024;
const MAX_MESSAGE_CHARS = 400;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface SwClientOptions {
  environment: "test" | "production";
  /** SW account (an e-mail) and password, exchanged for a 2-hour token when needed. */
  user?: string;
  password?: string;
  /** A long-lived ("infinito") token from SW's ADT portal; preferred when given. */
  token?: string;
  fetch: Fetch;
  /** Overrides the services host (tests point it at scripts/local/pac-sw.ts). */
  baseUrl?: string;
  /**
   * SAT's ConsultaCFDIService endpoint. Defaults to `${baseUrl}/ConsultaCFDIService.svc` when
   * baseUrl is given (the local fake serves it), else to SAT_CONSULTA_URLS[environment].
   */
  statusUrl?: string;
  /** Per HTTP call, body included. Default 30 s. */
  timeoutMs?: number;
  /** Clock for token expiry (tests). */
  now?: () => number;
}

interface Envelope {
  status: "success" | "error";
  message: string;
  messageDetail: string;
  data: unknown;
}

interface Exchange {
  httpStatus: number;
  /** Null when the body is not SW's JSON envelope. */
  envelope: Envelope | null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** SW text as it may appear to users: bounded, one line, no control characters. */
function clean(text: string): string {
  const oneLine = text.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
  return oneLine.length > MAX_MESSAGE_CHARS ? `${oneLine.slice(0, MAX_MESSAGE_CHARS)}…` : oneLine;
}

/** The code SW writes at the start of `message`: "307. …", "CFDI40102 - …", "AU2000 - …". */
export function swErrorCode(message: string): string | undefined {
  return /^\s*([A-Z]{0,10}\d{3,6})(?=[\s.:-]|$)/.exec(message)?.[1];
}

function toEnvelope(body: unknown): Envelope | null {
  if (!isRecord(body) || (body.status !== "success" && body.status !== "error")) return null;
  return {
    status: body.status,
    message: typeof body.message === "string" ? body.message : "",
    messageDetail: typeof body.messageDetail === "string" ? body.messageDetail : "",
    data: body.data,
  };
}

function describe(e: Envelope): string {
  const detail = e.messageDetail && e.messageDetail !== e.message ? ` (${clean(e.messageDetail)})` : "";
  return `${clean(e.message) || "sin mensaje"}${detail}`;
}

const unavailable = (message: string, code?: string, cause?: unknown) =>
  new PacError("unavailable", message, code, cause === undefined ? undefined : { cause });

/** Reads at most `limit` bytes; null past it (the rest is not downloaded). */
async function readLimited(res: Response, limit: number): Promise<string | null> {
  const declared = Number(res.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > limit) {
    await res.body?.cancel().catch(() => undefined);
    return null;
  }
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

/** tt of SAT's expresión impresa: Total without non-significant zeros, at least one decimal (Anexo 20). */
function expresionTotal(total: string): string {
  let [i = "0", f = ""] = total.trim().split(".");
  i = i.replace(/^0+(?=\d)/, "");
  f = f.replace(/0+$/, "");
  return `${i}.${f || "0"}`;
}

function escapeXmlText(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** An element's own text (its text children, joined). */
export function textOf(el: XmlElement): string {
  return el.children.filter((c): c is string => typeof c === "string").join("");
}

/** The first descendant named `local` in any namespace, depth first (SOAP answers mix prefixes). */
export function findByLocal(el: XmlElement, local: string): XmlElement | undefined {
  for (const c of elementChildren(el)) {
    if (c.local === local) return c;
    const inner = findByLocal(c, local);
    if (inner) return inner;
  }
  return undefined;
}

const ESTADOS = new Set<SatStatus["estado"]>(["Vigente", "Cancelado", "No Encontrado"]);

export function createSwClient(options: SwClientOptions): PacClient {
  const base = (options.baseUrl ?? SW_SERVICES_URLS[options.environment]).replace(/\/+$/, "");
  const statusUrl =
    options.statusUrl ?? (options.baseUrl ? `${base}${PATH_CONSULTA}` : SAT_CONSULTA_URLS[options.environment]);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = options.now ?? Date.now;
  const canAuthenticate = Boolean(options.user && options.password);
  let session: { token: string; expiresAt: number } | undefined = options.token
    ? { token: options.token, expiresAt: Number.POSITIVE_INFINITY }
    : undefined;
  let authenticating: Promise<string> | undefined;

  /** One HTTP call; transport failures, 5xx and oversized bodies become `unavailable`. */
  async function call(url: string, init: RequestInit, limit: number): Promise<{ httpStatus: number; text: string }> {
    let res: Response;
    try {
      res = await options.fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
      const timedOut = e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError");
      throw timedOut
        ? unavailable(`SW no respondió en ${Math.ceil(timeoutMs / 1000)} s.`, undefined, e)
        : unavailable("No se pudo conectar con SW.", undefined, e);
    }
    if (res.status >= 500 || res.status === 429) {
      await res.body?.cancel().catch(() => undefined);
      throw unavailable(`SW respondió HTTP ${res.status}; se reintentará.`);
    }
    let text: string | null;
    try {
      text = await readLimited(res, limit);
    } catch (e) {
      throw unavailable("La respuesta de SW se interrumpió.", undefined, e);
    }
    if (text === null) throw unavailable("La respuesta de SW excede el tamaño esperado.");
    return { httpStatus: res.status, text };
  }

  async function exchange(url: string, init: RequestInit, limit: number): Promise<Exchange> {
    const { httpStatus, text } = await call(url, init, limit);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { httpStatus, envelope: null };
    }
    return { httpStatus, envelope: toEnvelope(body) };
  }

  async function authenticate(): Promise<string> {
    const { httpStatus, envelope } = await exchange(
      `${base}${PATH_AUTHENTICATE}`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ user: options.user, password: options.password }),
      },
      SMALL_BODY_LIMIT,
    );
    if (envelope?.status === "success" && isRecord(envelope.data)) {
      const { token, expires_in: expiresIn } = envelope.data;
      if (typeof token === "string" && token.length > 0 && token.length <= 16_384) {
        const t = now();
        const declared = typeof expiresIn === "number" ? expiresIn * 1000 : NaN;
        const expiresAt = declared > t && declared < t + 24 * TOKEN_LIFETIME_MS ? declared : t + TOKEN_LIFETIME_MS;
        session = { token, expiresAt };
        return token;
      }
    }
    if (envelope?.status === "error" || httpStatus === 401 || httpStatus === 403) {
      const message = envelope ? describe(envelope) : `HTTP ${httpStatus}`;
      throw new PacError(
        "credentials",
        `SW rechazó el usuario o la contraseña de la cuenta: ${message}`,
        envelope ? swErrorCode(envelope.message) : undefined,
      );
    }
    throw unavailable("SW respondió a la autenticación con un formato inesperado.");
  }

  async function currentToken(): Promise<string> {
    if (session && now() < session.expiresAt - TOKEN_MARGIN_MS) return session.token;
    if (!canAuthenticate) {
      throw new PacError("credentials", "La cuenta de SW no tiene token ni usuario y contraseña configurados.");
    }
    authenticating ??= authenticate().finally(() => {
      authenticating = undefined;
    });
    return authenticating;
  }

  const isAuthFailure = (x: Exchange) =>
    x.httpStatus === 401 ||
    x.httpStatus === 403 ||
    (x.envelope?.status === "error" && (swErrorCode(x.envelope.message) ?? "").startsWith("AU"));

  /**
   * A call with the bearer token. A refused token (expired, revoked) is exchanged for a new one
   * once when user and password are known; refused again, it is a credentials failure.
   */
  async function authorized(path: string, init: (token: string) => RequestInit, limit: number): Promise<Envelope> {
    let token = await currentToken();
    let result = await exchange(`${base}${path}`, init(token), limit);
    if (isAuthFailure(result) && canAuthenticate) {
      if (session?.token === token) session = undefined;
      token = await currentToken();
      result = await exchange(`${base}${path}`, init(token), limit);
    }
    if (isAuthFailure(result)) {
      const message = result.envelope ? describe(result.envelope) : `HTTP ${result.httpStatus}`;
      throw new PacError(
        "credentials",
        `SW rechazó las credenciales de la cuenta: ${message}`,
        result.envelope ? swErrorCode(result.envelope.message) : undefined,
      );
    }
    if (!result.envelope) throw unavailable(`SW respondió HTTP ${result.httpStatus} con un cuerpo inesperado.`);
    return result.envelope;
  }

  function stampFrom(data: unknown, sentSello: string, recovered: boolean): PacStamp {
    if (!isRecord(data) || typeof data.cfdi !== "string" || data.cfdi.length === 0) {
      throw unavailable("SW respondió sin el CFDI timbrado.", recovered ? "307" : undefined);
    }
    const xml = data.cfdi;
    const stamped = readStampedCfdi(xml);
    if (stamped.problem === "unreadable") {
      throw unavailable("El CFDI timbrado que devolvió SW no es XML válido.", undefined, stamped.cause);
    }
    if (stamped.problem || stamped.root.ns !== CFDI_NS || stamped.root.local !== "Comprobante") {
      throw unavailable("El CFDI que devolvió SW no contiene el TimbreFiscalDigital.");
    }
    const t = stamped.timbre;
    if (!UUID_RE.test(t.uuid) || !isStampOf(stamped, sentSello)) {
      throw unavailable("El timbre que devolvió SW no corresponde al CFDI enviado.");
    }
    if (typeof data.uuid === "string" && data.uuid.toUpperCase() !== t.uuid.toUpperCase()) {
      throw unavailable("SW devolvió un UUID distinto del que trae el timbre.");
    }
    return toPacStamp(xml, t, recovered);
  }

  async function stamp(sealedXml: string): Promise<PacStamp> {
    let sello: string | undefined;
    try {
      sello = attr(parseXml(sealedXml), "Sello");
    } catch {
      sello = undefined;
    }
    if (!sello) throw new PacError("rejected", "El CFDI a timbrar no es XML válido o no está sellado.");
    const envelope = await authorized(
      PATH_STAMP,
      (token) => {
        const form = new FormData();
        form.append("xml", new Blob([sealedXml], { type: "text/xml" }), "xml");
        return { method: "POST", headers: { authorization: `Bearer ${token}` }, body: form };
      },
      stampBodyLimit(sealedXml),
    );
    if (envelope.status === "success") return stampFrom(envelope.data, sello, false);
    const code = swErrorCode(envelope.message);
    if (code === "307") return stampFrom(envelope.data, sello, true);
    // CO1000 is SW's "error no controlado": theirs, not the CFDI's.
    if (code === "CO1000") throw unavailable(`SW tuvo un error interno: ${describe(envelope)}`, code);
    throw new PacError("rejected", `SW rechazó el CFDI: ${describe(envelope)}`, code);
  }

  async function status(q: StatusQuery): Promise<SatStatus> {
    const expresion = `?re=${q.emisorRfc}&rr=${q.receptorRfc}&tt=${expresionTotal(q.total)}&id=${q.uuid}`;
    const body =
      '<?xml version="1.0" encoding="utf-8"?>' +
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:tem="http://tempuri.org/">' +
      "<soapenv:Header/><soapenv:Body><tem:Consulta>" +
      `<tem:expresionImpresa>${escapeXmlText(expresion)}</tem:expresionImpresa>` +
      "</tem:Consulta></soapenv:Body></soapenv:Envelope>";
    const { text } = await call(
      statusUrl,
      {
        method: "POST",
        headers: { "content-type": 'text/xml; charset="utf-8"', accept: "text/xml", soapaction: SAT_CONSULTA_ACTION },
        body,
      },
      SMALL_BODY_LIMIT,
    );
    let root: XmlElement;
    try {
      root = parseXml(text);
    } catch (e) {
      throw unavailable("La consulta de estatus del SAT devolvió una respuesta ilegible.", undefined, e);
    }
    const result = findByLocal(root, "ConsultaResult");
    if (!result) throw unavailable("La consulta de estatus del SAT no devolvió ConsultaResult.");
    const field = (name: string) => {
      const el = findByLocal(result, name);
      return el ? clean(textOf(el)) : undefined;
    };
    const codigo = field("CodigoEstatus") ?? "";
    const estado = field("Estado") ?? "";
    // "N - 601: La expresión impresa proporcionada no es válida." — our query is malformed.
    if (/^N\s*-\s*601/.test(codigo)) throw new PacError("rejected", `El SAT rechazó la consulta: ${codigo}`, "601");
    if (!ESTADOS.has(estado as SatStatus["estado"])) {
      throw unavailable(`La consulta de estatus del SAT devolvió un estado desconocido: ${codigo || estado}`);
    }
    const esCancelable = field("EsCancelable");
    const estatusCancelacion = field("EstatusCancelacion");
    return {
      estado: estado as SatStatus["estado"],
      ...(esCancelable !== undefined ? { esCancelable } : {}),
      ...(estatusCancelacion !== undefined ? { estatusCancelacion } : {}),
    };
  }

  async function cancel(req: CancelRequest): Promise<CancelOutcome> {
    const keyPassword = randomKeyPassword();
    const body = JSON.stringify({
      uuid: req.uuid,
      password: keyPassword,
      rfc: req.emisorRfc,
      motivo: req.motivo,
      ...(req.folioSustitucion ? { folioSustitucion: req.folioSustitucion } : {}),
      b64Cer: bytesToBase64(req.csd.certificateDer),
      b64Key: bytesToBase64(await encryptPkcs8(req.csd.privateKeyPkcs8, keyPassword)),
    });
    const envelope = await authorized(
      PATH_CANCEL_CSD,
      (token) => ({
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body,
      }),
      SMALL_BODY_LIMIT,
    );
    let code: string | undefined;
    let acuse: string | undefined;
    if (envelope.status === "success") {
      const data = envelope.data;
      if (isRecord(data)) {
        if (typeof data.acuse === "string") acuse = data.acuse;
        if (isRecord(data.uuid)) {
          const entry = Object.entries(data.uuid).find(([k]) => k.toUpperCase() === req.uuid.toUpperCase());
          if (entry && (typeof entry[1] === "string" || typeof entry[1] === "number")) code = String(entry[1]);
        }
      }
      if (!code) throw unavailable("SW respondió a la cancelación sin el estatus del folio.");
    } else {
      code = swErrorCode(envelope.message);
    }
    const withAcuse = (o: CancelOutcome): CancelOutcome => (acuse === undefined ? o : { ...o, acuse });
    switch (code) {
      case "202": // Previamente cancelado: it is cancelled at SAT.
        return withAcuse({ status: "cancelled", code });
      case "201": {
        // 201 only says SAT received the request ("no asegura su cancelación"): a CFDI that needs
        // the receptor's acceptance stays "En proceso", so SAT's status decides.
        let estado: SatStatus["estado"] | undefined;
        try {
          estado = (
            await status({ uuid: req.uuid, emisorRfc: req.emisorRfc, receptorRfc: req.receptorRfc, total: req.total })
          ).estado;
        } catch {
          estado = undefined;
        }
        return withAcuse({ status: estado === "Cancelado" ? "cancelled" : "pending", code });
      }
      case "205":
        // "Folio Fiscal No Existe": SAT can take up to 48 h to list a new CFDI (sw-sdk-php README,
        // cancel codes), so this is worth retrying rather than final.
        throw unavailable("El SAT aún no registra el folio fiscal; se reintentará la cancelación.", code);
      case "CO1000":
        throw unavailable(`SW tuvo un error interno: ${describe(envelope)}`, code);
      default: {
        const detail = envelope.status === "error" ? describe(envelope) : `código ${code ?? "desconocido"}`;
        throw new PacError("rejected", `SW rechazó la cancelación: ${detail}`, code);
      }
    }
  }

  return { provider: "sw", stamp, cancel, status };
}
