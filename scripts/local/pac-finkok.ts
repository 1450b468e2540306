// Local stand-in for Finkok's SOAP web services, so `npm test` and `npm start` stamp and cancel
// over real HTTP without a PAC account. Same paths as https://demo-facturacion.finkok.com:
//   POST /servicios/soap/stamp    (or stamp.wsdl)   operations stamp, quick_stamp, stamped
//   POST /servicios/soap/cancel   (or cancel.wsdl)  operations cancel, get_sat_status
// Point the Finkok adapter's baseUrl (core/invoicing/pacs/finkok.ts) at {url}.
//
// It checks what Finkok checks and answers in its shapes (Spyne SOAP 1.1, result fields in
// "apps.services.soap.core.views"): a well-formed envelope with the operation in the service's
// namespace (else a SOAP Client fault, HTTP 500); the account (incidencia 300 on stamp,
// CodEstatus "Invalid Username or Password" on cancel); `xml` is base64 of a sealed CFDI 4.0 whose
// Sello verifies against its Certificado (301, 302, 303, 305, 306, 308, 712, 707 when it already
// has a TimbreFiscalDigital, 401 when Fecha is over 72 h old). It stamps with a real TFD 1.1 signed
// by a certificate it makes at start (core/invoicing/sandbox-pac.ts; `certificateDer` verifies
// SelloSAT) and remembers each stamp by emisor RFC + Sello: the same sealed XML again answers 307
// with the earlier stamp, and `stamped` returns it. `cancel` needs the CSD as Finkok wants it
// (base64 of PEM; key a PKCS#8 "ENCRYPTED PRIVATE KEY" whose passphrase is the account password,
// 704 otherwise; 711 when cer and key are not a pair), a UUID it stamped (205), the emisor's own
// certificate (203) and a valid Motivo (207). `get_sat_status` answers from what it remembers.
//
// Accounts: one registered with POST /__accounts must present exactly its password; any other
// username is accepted with any non-empty password not starting with "invalid" (a way to try the
// credentials error by hand), as the WhatsApp fake does.
//
// Controls (JSON bodies; the state behind them is shared with the other fake, pac-fake-common.ts):
//   POST /__accounts       {username, password}
//   POST /__fail           {operation, code, times?, delayMs?}  the next `times` (default 1) valid
//                          calls of that operation (stamp, quick_stamp, stamped, cancel,
//                          get_sat_status) fail: a Finkok/SAT code ("301", "CFDI40102", "708",
//                          "205" …) answered in the operation's shape; "5xx" (HTTP 503 from the
//                          proxy); "fault" (SOAP Server fault); "timeout" (the answer comes after
//                          delayMs, default 60 s); "hostile" (1 MiB of nested elements).
//   POST /__duplicate-mode {mode: "inline"|"empty"}  how a repeated stamp answers 307: with the
//                          earlier stamp (inline, default) or without it, as Finkok sometimes does,
//                          so the client must call `stamped`
//   POST /__cancel-mode    {mode: "immediate"|"pending"}  cancel without acceptance (201 "Cancelado
//                          sin aceptación") or with it (201 "En proceso", until /__resolve)
//   POST /__resolve        {uuid, outcome: "accepted"|"rejected"}  the receptor's answer
//   GET  /__requests?operation=                  the SOAP calls received, oldest first
//   GET  /__certificate                          {certificate: base64 DER, noCertificado}
//   POST /__reset                                forgets everything above and every stamp
import { randomUUID } from "node:crypto";
import { fechaNow } from "../../core/cfdi/build.ts";
import { importCertificateKey, parseCertificate } from "../../core/cfdi/certificate.ts";
import { CFDI_NS } from "../../core/cfdi/model.ts";
import { decryptPkcs8, importPrivateKey } from "../../core/cfdi/private-key.ts";
import { signCadena, verifySello } from "../../core/cfdi/sello.ts";
import { findTimbreElement } from "../../core/cfdi/tfd.ts";
import { verifyCfdi } from "../../core/cfdi/verify.ts";
import type { XmlElement } from "../../core/cfdi/xml-parser.ts";
import { attr, elementChildren, firstChild, parseXml } from "../../core/cfdi/xml-parser.ts";
import { escapeAttribute } from "../../core/cfdi/xml-writer.ts";
import { base64ToBytes, pemToDer } from "../../core/encoding/base64.ts";
import {
  FINKOK_APPS_NS,
  FINKOK_CANCEL_NS,
  FINKOK_CANCEL_PATH,
  FINKOK_MESSAGES,
  FINKOK_STAMP_NS,
  FINKOK_STAMP_PATH,
  SOAP_ENV_NS,
} from "../../core/invoicing/pacs/finkok.ts";
import { createSandboxPacKeys, importSandboxKey, sandboxStamp } from "../../core/invoicing/sandbox-pac.ts";
import { jsonObject, LocalPacState, serveFake, type SatRecord } from "./pac-fake-common.ts";

export const FINKOK_OPERATIONS = ["stamp", "quick_stamp", "stamped", "cancel", "get_sat_status"] as const;
export type FinkokOperation = (typeof FINKOK_OPERATIONS)[number];

export interface FinkokRecordedRequest {
  operation: FinkokOperation | "unknown";
  path: string;
  soapAction: string;
  username: string;
  /** The UUID a cancel or get_sat_status asked about. */
  uuid?: string;
  /** HTTP status answered, and the Finkok codes (incidencias, EstatusUUID, CodEstatus) in the answer. */
  status: number;
  codes: string[];
  at: number;
}

export interface FinkokFakeOptions {
  /** 0 (default) asks the OS for a free port. */
  port?: number;
  host?: string;
}

export interface LocalFinkok {
  url: string;
  /** DER of the certificate that signs SelloSAT; its serial is `noCertificadoSat`. */
  certificateDer: Uint8Array;
  noCertificadoSat: string;
  stop(): Promise<void>;
}

export type { CancelMode } from "./pac-fake-common.ts";

interface StampRecord extends SatRecord {
  xml: string;
  fecha: string;
  selloSat: string;
  esCancelable: string;
  acuse?: string;
}

interface Answer {
  status: number;
  body: string;
  contentType?: string;
  codes?: string[];
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;
const DAY_MS = 86_400_000;
/** Mexico City has kept UTC−6 all year since 2022; CFDI Fecha is local time without a zone. */
const MEXICO_CITY_OFFSET_MS = 6 * 3600 * 1000;
const ACUSE_NOTE = "SIN VALIDEZ FISCAL — local Finkok";

// ---- SOAP writing -----------------------------------------------------------------------------------

const esc = escapeAttribute;

function envelope(tns: string, inner: string): string {
  return (
    `<?xml version='1.0' encoding='UTF-8'?>\n` +
    `<senv:Envelope xmlns:senv="${SOAP_ENV_NS}" xmlns:tns="${tns}" xmlns:s0="${FINKOK_APPS_NS}"` +
    ` xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><senv:Body>${inner}</senv:Body></senv:Envelope>`
  );
}

function result(tns: string, operation: string, fields: string): string {
  return envelope(
    tns,
    `<tns:${operation}Response><tns:${operation}Result>${fields}</tns:${operation}Result></tns:${operation}Response>`,
  );
}

const s0 = (name: string, value: string | undefined) =>
  value === undefined || value === "" ? `<s0:${name}/>` : `<s0:${name}>${esc(value)}</s0:${name}>`;

function fault(code: "Client" | "Server", message: string): Answer {
  return {
    status: 500,
    body: envelope(
      "",
      `<senv:Fault><faultcode>senv:${code}</faultcode><faultstring>${esc(message)}</faultstring><faultactor/></senv:Fault>`,
    ).replace(' xmlns:tns=""', ""),
    codes: [`senv:${code}`],
  };
}

function incidencias(list: { code: string; message?: string }[], now: string): string {
  if (list.length === 0) return "<s0:Incidencias/>";
  return `<s0:Incidencias>${list
    .map(
      (i) =>
        `<s0:Incidencia>${s0("IdIncidencia", randomUUID())}<s0:Uuid/>${s0("CodigoError", i.code)}` +
        `${s0("WorkProcessId", randomUUID())}${s0("MensajeIncidencia", i.message ?? FINKOK_MESSAGES[i.code] ?? "Error de validación")}` +
        `<s0:ExtraInfo/><s0:NoCertificadoPac/>${s0("FechaRegistro", now)}</s0:Incidencia>`,
    )
    .join("")}</s0:Incidencias>`;
}

/** 1 MiB of nested elements: the parser's depth limit must refuse it at once. */
function hostileBody(): string {
  const depth = 150_000;
  return `<?xml version="1.0"?><senv:Envelope xmlns:senv="${SOAP_ENV_NS}"><senv:Body>${"<a>".repeat(depth)}${"</a>".repeat(depth)}</senv:Body></senv:Envelope>`;
}

// ---- request reading --------------------------------------------------------------------------------

interface SoapCall {
  operation: string;
  ns: string;
  params: XmlElement;
}

function readCall(text: string): SoapCall | string {
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (e) {
    return `the request is not well-formed XML: ${(e as Error).message}`;
  }
  if (root.ns !== SOAP_ENV_NS || root.local !== "Envelope")
    return `the root element must be {${SOAP_ENV_NS}}Envelope (SOAP 1.1)`;
  const body = firstChild(root, SOAP_ENV_NS, "Body");
  if (!body) return "the envelope has no Body";
  const ops = elementChildren(body);
  if (ops.length !== 1) return "the Body must hold exactly one operation element";
  const op = ops[0] as XmlElement;
  return { operation: op.local, ns: op.ns, params: op };
}

/** A parameter: Spyne reads only children in the service's namespace (qualified elements). */
function param(call: SoapCall, name: string): string {
  const el = firstChild(call.params, call.ns, name);
  if (!el) return "";
  return el.children.filter((c): c is string => typeof c === "string").join("");
}

function decodeBase64Text(value: string): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(base64ToBytes(value));
  } catch {
    return undefined;
  }
}

/** The numeric value of an amount as text, for comparing totals without floats ("100.50" = "100.5"). */
function canonicalAmount(s: string): string {
  const m = /^\s*(\d+)(?:\.(\d*))?\s*$/.exec(s);
  if (!m) return s.trim();
  const int = (m[1] as string).replace(/^0+(?=\d)/, "");
  const frac = (m[2] ?? "").replace(/0+$/, "");
  return frac ? `${int}.${frac}` : int;
}

/** CFDI Fecha (Mexico City local time) as an instant. */
function fechaInstant(fecha: string): number {
  return new Date(`${fecha}Z`).getTime() + MEXICO_CITY_OFFSET_MS;
}

const VERIFY_CODES: Record<string, string> = {
  XML_INVALID: "301",
  NOT_CFDI40: "301",
  CERT_MISSING: "302",
  SELLO_INVALID: "302",
  CSD_RFC_MISMATCH: "303",
  CSD_EXPIRED: "305",
  CSD_NOT_YET_VALID: "305",
  CSD_IS_FIEL: "306",
  CSD_NOT_CSD: "306",
  CERT_INVALID: "308",
  NOCERTIFICADO_MISMATCH: "712",
};

// ---- server -----------------------------------------------------------------------------------------

export async function startFinkokFake(options: FinkokFakeOptions = {}): Promise<LocalFinkok> {
  const keys = await createSandboxPacKeys();
  const pacKey = await importSandboxKey(keys.pkcs8);

  const state = new LocalPacState<FinkokOperation, FinkokRecordedRequest, StampRecord>(FINKOK_OPERATIONS, keys);
  const { failures, stamps } = state;
  let accounts = new Map<string, string>();
  let duplicateMode: "inline" | "empty" = "inline";
  const timers = new Set<NodeJS.Timeout>();

  function accepted(username: string, password: string): boolean {
    const registered = accounts.get(username);
    if (registered !== undefined) return password === registered;
    return username.length > 0 && password.length > 0 && !password.startsWith("invalid");
  }

  // -- stamping

  function stampAnswer(
    operation: "stamp" | "quick_stamp" | "stamped",
    record: StampRecord | undefined,
    list: { code: string; message?: string }[],
    codEstatus: string,
    withStamp: boolean,
  ): Answer {
    const now = fechaNow();
    const data = withStamp && record;
    const fields =
      s0("xml", data ? record.xml : "") +
      (data ? s0("UUID", record.uuid) + s0("Fecha", record.fecha) : "") +
      s0("CodEstatus", codEstatus) +
      (data ? s0("SatSeal", record.selloSat) : "") +
      incidencias(list, now) +
      (data ? s0("NoCertificadoSAT", keys.noCertificado) : "");
    return { status: 200, body: result(FINKOK_STAMP_NS, operation, fields), codes: list.map((i) => i.code) };
  }

  /** The checks Finkok makes of the `xml` it is sent: the sealed CFDI, or an incidencia code. */
  async function checkCfdi(
    b64: string,
  ): Promise<{ xml: string; root: XmlElement } | { code: string; message?: string }> {
    const xml = b64 ? decodeBase64Text(b64.trim()) : undefined;
    if (xml === undefined) return { code: "301", message: "XML mal formado (el parámetro xml no es base64 de un XML)" };
    let root: XmlElement;
    try {
      root = parseXml(xml);
    } catch {
      return { code: "301" };
    }
    if (root.ns !== CFDI_NS || root.local !== "Comprobante" || attr(root, "Version") !== "4.0")
      return { code: "301", message: "XML mal formado (se esperaba un cfdi:Comprobante versión 4.0)" };
    if (findTimbreElement(root)) return { code: "707" };
    if (!attr(root, "Sello") || !attr(root, "Certificado") || !attr(root, "NoCertificado")) return { code: "302" };
    const report = await verifyCfdi(xml);
    for (const issue of report.errors) {
      const code = VERIFY_CODES[issue.code];
      if (code) return { code, message: `${FINKOK_MESSAGES[code] ?? "Error de validación"}: ${issue.message}` };
    }
    if (!report.selloValid) return { code: "302" };
    const at = fechaInstant(attr(root, "Fecha") ?? "");
    if (Number.isNaN(at) || Date.now() - at > 3 * DAY_MS || at - Date.now() > 3600_000) return { code: "401" };
    return { xml, root };
  }

  async function stampOperation(operation: "stamp" | "quick_stamp" | "stamped", call: SoapCall): Promise<Answer> {
    if (!accepted(param(call, "username"), param(call, "password")))
      return stampAnswer(operation, undefined, [{ code: "300" }], "", false);
    const checked = await checkCfdi(param(call, "xml"));
    if ("code" in checked) return stampAnswer(operation, undefined, [checked], "", false);
    const injected = failures.take(operation);
    if (injected) return stampAnswer(operation, undefined, [{ code: injected.code }], "", false);
    const { xml, root } = checked;
    const emisorRfc = attr(firstChild(root, CFDI_NS, "Emisor") ?? root, "Rfc") ?? "";
    const key = `${emisorRfc.toUpperCase()}|${attr(root, "Sello")}`;
    const earlier = stamps.earlier(key);
    if (operation === "stamped") {
      return earlier
        ? stampAnswer(operation, earlier, [], "Comprobante timbrado previamente", true)
        : stampAnswer(operation, undefined, [{ code: "603" }], "", false);
    }
    if (earlier) {
      // quick_stamp never returns the earlier stamp; stamp does, unless told to act like the
      // Finkok of phpcfdi's StampServiceDobleEstampado issue.
      const inline = operation === "stamp" && duplicateMode === "inline";
      return stampAnswer(operation, earlier, [{ code: "307" }], "Comprobante timbrado previamente", inline);
    }
    const fecha = fechaNow();
    const stamped = await sandboxStamp(
      xml,
      { privateKey: pacKey, noCertificado: keys.noCertificado },
      { fechaTimbrado: fecha },
    );
    const receptor = firstChild(root, CFDI_NS, "Receptor");
    const record: StampRecord = {
      uuid: stamped.timbre.uuid,
      xml: stamped.xml,
      fecha,
      selloSat: stamped.timbre.selloSat,
      emisorRfc: emisorRfc.toUpperCase(),
      receptorRfc: (receptor ? (attr(receptor, "Rfc") ?? "") : "").toUpperCase(),
      total: attr(root, "Total") ?? "",
      estado: "Vigente",
      esCancelable: stamps.cancelMode === "pending" ? "Cancelable con aceptación" : "Cancelable sin aceptación",
      estatusCancelacion: "",
    };
    stamps.remember(key, record);
    return stampAnswer(operation, record, [], "Comprobante timbrado satisfactoriamente", true);
  }

  // -- cancelling

  function cancelAnswer(
    folio: { uuid: string; status: string; estatusCancelacion: string } | undefined,
    codEstatus: string,
    acuse?: string,
    rfc?: string,
  ): Answer {
    const fields = folio
      ? `<s0:Folios><s0:Folio>${s0("UUID", folio.uuid)}${s0("EstatusUUID", folio.status)}${s0("EstatusCancelacion", folio.estatusCancelacion)}</s0:Folio></s0:Folios>` +
        s0("Acuse", acuse) +
        s0("Fecha", fechaNow()) +
        s0("RfcEmisor", rfc)
      : s0("CodEstatus", codEstatus);
    return {
      status: 200,
      body: result(FINKOK_CANCEL_NS, "cancel", fields),
      codes: [folio ? folio.status : codEstatus],
    };
  }

  function acuseFor(record: StampRecord, status: string): string {
    return (
      `<Acuse xmlns="http://cancelacfd.sat.gob.mx" Fecha="${fechaNow()}" RfcEmisor="${record.emisorRfc}"` +
      ` Leyenda="${ACUSE_NOTE}"><Folios><UUID>${record.uuid}</UUID><EstatusUUID>${status}</EstatusUUID></Folios></Acuse>`
    );
  }

  /** The CSD as Finkok's cancel wants it, opened with the account password; a CodEstatus when it is not. */
  async function openCsd(
    cerB64: string,
    keyB64: string,
    password: string,
  ): Promise<{ rfc: string } | { code: string }> {
    const cerText = decodeBase64Text(cerB64.trim());
    const keyText = decodeBase64Text(keyB64.trim());
    if (!cerText || !keyText) return { code: "711" };
    let cert;
    try {
      cert = parseCertificate(pemToDer(cerText, "CERTIFICATE"));
    } catch {
      return { code: "711" };
    }
    let pkcs8: Uint8Array;
    try {
      pkcs8 = await decryptPkcs8(pemToDer(keyText, "ENCRYPTED PRIVATE KEY"), password);
    } catch {
      return { code: "704" };
    }
    try {
      const privateKey = await importPrivateKey(pkcs8);
      const probe = `||finkok-fake|${cert.noCertificado}||`;
      if (!(await verifySello(await importCertificateKey(cert), probe, await signCadena(privateKey, probe))))
        return { code: "711" };
    } catch {
      return { code: "711" };
    }
    return { rfc: cert.rfc.toUpperCase() };
  }

  async function cancelOperation(call: SoapCall): Promise<Answer> {
    const password = param(call, "password");
    if (!accepted(param(call, "username"), password)) return cancelAnswer(undefined, "Invalid Username or Password");
    const uuidsEl = firstChild(call.params, call.ns, "UUIDS");
    const items = uuidsEl ? elementChildren(uuidsEl).filter((e) => e.ns === FINKOK_APPS_NS && e.local === "UUID") : [];
    if (items.length !== 1) return cancelAnswer(undefined, items.length === 0 ? "206" : "Envíe un UUID por solicitud");
    const item = items[0] as XmlElement;
    const uuid = (attr(item, "UUID") ?? "").toUpperCase();
    const motivo = attr(item, "Motivo") ?? "";
    const sustitucion = attr(item, "FolioSustitucion") ?? "";
    const csd = await openCsd(param(call, "cer"), param(call, "key"), password);
    if ("code" in csd) return cancelAnswer(undefined, csd.code);
    const taxpayer = param(call, "taxpayer_id").toUpperCase();
    const folio = (status: string, estatusCancelacion = "") => ({ uuid, status, estatusCancelacion });
    if (csd.rfc !== taxpayer) return cancelAnswer(folio("203"), "");
    if (!/^0[1-4]$/.test(motivo) || (motivo === "01" && !/^[0-9A-Fa-f-]{36}$/.test(sustitucion)))
      return cancelAnswer(folio("207"), "");
    const injected = failures.take("cancel");
    if (injected) {
      const folioLevel = /^2\d\d$/.test(injected.code) || injected.code === "no_cancelable";
      return folioLevel ? cancelAnswer(folio(injected.code), "") : cancelAnswer(undefined, injected.code);
    }
    const record = stamps.find(uuid);
    if (!record) return cancelAnswer(folio("205"), "");
    if (record.emisorRfc !== taxpayer) return cancelAnswer(folio("203"), "");
    if (record.estado === "Cancelado" || record.estatusCancelacion === "En proceso") {
      return cancelAnswer(folio("202", record.estatusCancelacion), "", record.acuse, record.emisorRfc);
    }
    stamps.cancel(record);
    if (record.cancelMode === "pending") record.esCancelable = "Cancelable con aceptación";
    record.acuse = acuseFor(record, "201");
    return cancelAnswer(folio("201", record.estatusCancelacion), "", record.acuse, record.emisorRfc);
  }

  function satStatusAnswer(fields: string, codes: string[]): Answer {
    return { status: 200, body: result(FINKOK_CANCEL_NS, "get_sat_status", fields), codes };
  }

  function statusOperation(call: SoapCall): Answer {
    if (!accepted(param(call, "username"), param(call, "password")))
      return satStatusAnswer(s0("error", "Invalid Username or Password"), ["Invalid Username or Password"]);
    const injected = failures.take("get_sat_status");
    if (injected)
      return satStatusAnswer(
        `<s0:sat>${s0("CodigoEstatus", `N - ${injected.code}: ${FINKOK_MESSAGES[injected.code] ?? "Error"}`)}${s0("Estado", "No Encontrado")}</s0:sat>`,
        [injected.code],
      );
    const record = stamps.find(param(call, "uuid"));
    const matches =
      record &&
      record.emisorRfc === param(call, "taxpayer_id").toUpperCase() &&
      record.receptorRfc === param(call, "rtaxpayer_id").toUpperCase() &&
      canonicalAmount(record.total) === canonicalAmount(param(call, "total"));
    if (!record || !matches)
      return satStatusAnswer(
        `<s0:sat>${s0("CodigoEstatus", "N - 602: Comprobante no encontrado.")}${s0("Estado", "No Encontrado")}<s0:EsCancelable/><s0:EstatusCancelacion/></s0:sat>`,
        ["602"],
      );
    return satStatusAnswer(
      `<s0:sat>${s0("CodigoEstatus", "S - Comprobante obtenido satisfactoriamente.")}${s0("Estado", record.estado)}` +
        `${s0("EsCancelable", record.esCancelable)}${s0("EstatusCancelacion", record.estatusCancelacion)}</s0:sat>`,
      ["S"],
    );
  }

  // -- routing

  const SERVICES: Record<string, { ns: string; operations: readonly FinkokOperation[] }> = {
    [FINKOK_STAMP_PATH]: { ns: FINKOK_STAMP_NS, operations: ["stamp", "quick_stamp", "stamped"] },
    [FINKOK_CANCEL_PATH]: { ns: FINKOK_CANCEL_NS, operations: ["cancel", "get_sat_status"] },
  };

  async function soap(
    path: string,
    text: string,
  ): Promise<{ answer: Answer; operation: FinkokOperation | "unknown"; call?: SoapCall; delayMs: number }> {
    const service = SERVICES[path.replace(/\.wsdl$/, "")];
    if (!service)
      return {
        answer: { status: 404, body: "Not Found", contentType: "text/plain" },
        operation: "unknown",
        delayMs: 0,
      };
    const call = readCall(text);
    if (typeof call === "string") return { answer: fault("Client", call), operation: "unknown", delayMs: 0 };
    const operation = service.operations.find((o) => o === call.operation);
    if (call.ns !== service.ns || !operation)
      return {
        answer: fault("Client", `Requested resource {${call.ns}}${call.operation} not found`),
        operation: "unknown",
        call,
        delayMs: 0,
      };
    // Failures of the service itself come before any check, as from the proxy in front of it.
    const infra = failures.find(operation, (code) => ["5xx", "fault", "timeout", "hostile"].includes(code));
    let delayMs = 0;
    if (infra) {
      failures.take(operation);
      if (infra.code === "5xx")
        return {
          answer: {
            status: 503,
            body: "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>",
            contentType: "text/html",
            codes: ["503"],
          },
          operation,
          call,
          delayMs,
        };
      if (infra.code === "fault") return { answer: fault("Server", "Internal Error"), operation, call, delayMs };
      if (infra.code === "hostile")
        return { answer: { status: 200, body: hostileBody(), codes: ["hostile"] }, operation, call, delayMs };
      delayMs = infra.delayMs;
    }
    let answer: Answer;
    if (operation === "cancel") answer = await cancelOperation(call);
    else if (operation === "get_sat_status") answer = statusOperation(call);
    else answer = await stampOperation(operation, call);
    return { answer, operation, call, delayMs };
  }

  function control(method: string, path: string, query: URLSearchParams, text: string): Answer | null {
    const json = ({ status, body }: { status: number; body: unknown }): Answer => ({
      status,
      body: JSON.stringify(body),
      contentType: "application/json",
    });
    const read = state.read(method, path, query);
    if (read) return json(read);
    if (method !== "POST" || !path.startsWith("/__")) return null;
    if (path === "/__reset") {
      state.reset();
      accounts = new Map();
      duplicateMode = "inline";
      return json({ status: 200, body: { reset: true } });
    }
    const input = jsonObject(text);
    if (!input) return json({ status: 400, body: { error: "the body must be a JSON object" } });
    const shared = state.write(path, input);
    if (shared) return json(shared);
    switch (path) {
      case "/__accounts": {
        if (typeof input.username !== "string" || !input.username || typeof input.password !== "string")
          return json({ status: 400, body: { error: "username and password are required" } });
        accounts.set(input.username, input.password);
        return json({ status: 201, body: { registered: input.username } });
      }
      case "/__duplicate-mode": {
        if (input.mode !== "inline" && input.mode !== "empty")
          return json({ status: 400, body: { error: "mode must be inline or empty" } });
        duplicateMode = input.mode;
        return json({ status: 200, body: { mode: duplicateMode } });
      }
      default:
        return json({ status: 404, body: { error: "not_found" } });
    }
  }

  const server = await serveFake(options, MAX_BODY_BYTES, (req, res, body) => {
    const url = new URL(req.url ?? "/", "http://fake.local");
    const send = (a: Answer) => {
      if (res.destroyed || res.headersSent) return;
      res.writeHead(a.status, { "content-type": a.contentType ?? "text/xml; charset=utf-8" });
      res.end(a.body);
    };
    if (!body) return send({ status: 413, body: "Request Entity Too Large", contentType: "text/plain" });
    const text = body.toString("utf8");
    const ctl = control(req.method ?? "GET", url.pathname, url.searchParams, text);
    if (ctl) return send(ctl);
    if (req.method !== "POST") return send({ status: 405, body: "Method Not Allowed", contentType: "text/plain" });
    soap(url.pathname, text).then(
      ({ answer, operation, call, delayMs }) => {
        state.record({
          operation,
          path: url.pathname,
          soapAction: String(req.headers.soapaction ?? ""),
          username: call ? param(call, "username") : "",
          ...(call && (operation === "get_sat_status" || operation === "cancel")
            ? { uuid: (param(call, "uuid") || attrOfUuidItem(call)).toUpperCase() }
            : {}),
          status: answer.status,
          codes: answer.codes ?? [],
          at: Date.now(),
        });
        if (delayMs <= 0) return send(answer);
        const timer = setTimeout(() => {
          timers.delete(timer);
          send(answer);
        }, delayMs);
        timers.add(timer);
      },
      (err: unknown) => send(fault("Server", err instanceof Error ? err.message : "Internal Error")),
    );
  });
  return {
    url: server.url,
    certificateDer: keys.certificateDer,
    noCertificadoSat: keys.noCertificado,
    stop: () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return server.close();
    },
  };
}

function attrOfUuidItem(call: SoapCall): string {
  const uuids = firstChild(call.params, call.ns, "UUIDS");
  const item = uuids ? elementChildren(uuids)[0] : undefined;
  return item ? (attr(item, "UUID") ?? "") : "";
}
