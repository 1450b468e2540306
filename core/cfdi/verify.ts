/**
 * Verifies any CFDI 4.0, ours or a third party's: recompute the cadena original from the XML,
 * check `Sello` against the certificate embedded in `Certificado`, and report the certificate
 * facts SAT checks (serial = NoCertificado, RFC = Emisor/@Rfc, CSD not FIEL, valid on Fecha).
 * When a TimbreFiscalDigital is present its data and its cadena are reported, and its SelloCFD
 * must equal the comprobante's Sello (the PAC stamps exactly the sealed document).
 *
 * SelloSAT is verified only when the caller supplies the SAT certificate named by
 * NoCertificadoSAT (`options.satCertificate`): the SAT publishes those certificates, but they are
 * not embedded in the CFDI.
 *
 * Any document is answered with a report: one past the limits in limits.ts is invalid with that
 * limit's code, and the work it costs stays linear in its size.
 */
import { checkComprobanteAmounts } from "./amount-checks.ts";
import { cadenaFromElement } from "./cadena.ts";
import type { CertificateInfo } from "./certificate.ts";
import { importCertificateKey, parseCertificate } from "./certificate.ts";
import { checkCertificateForInvoice } from "./csd.ts";
import type { Issue } from "./errors.ts";
import { CfdiError } from "./errors.ts";
import { LIMIT_MESSAGES } from "./limits.ts";
import { CFDI_NS } from "./model.ts";
import { verifySello } from "./sello.ts";
import type { Timbre } from "./tfd.ts";
import { cadenaTfdFromElement, findTimbreElement, readTimbre } from "./tfd.ts";
import type { XmlElement } from "./xml-parser.ts";
import { XmlLimitError, attr, firstChild, parseXml } from "./xml-parser.ts";

export type VerifyReport = {
  /** True only when the XML is a CFDI 4.0, the sello verifies and no error was found. */
  valid: boolean;
  selloValid: boolean;
  version?: string;
  serie?: string;
  folio?: string;
  fecha?: string;
  tipoDeComprobante?: string;
  moneda?: string;
  total?: string;
  emisor?: { rfc: string; nombre: string };
  receptor?: { rfc: string; nombre: string };
  noCertificado?: string;
  certificate?: {
    noCertificado: string;
    rfc: string;
    legalName: string;
    kind: string;
    notBefore: string;
    notAfter: string;
  };
  cadenaOriginal?: string;
  /** `selloSatValid` is present only when the SAT certificate was supplied. */
  timbre?: Timbre & { cadenaOriginal: string; selloSatValid?: boolean };
  errors: Issue[];
  /** Arithmetic inconsistencies (amount-checks.ts); they do not change `valid`. */
  warnings: Issue[];
};

export type VerifyOptions = {
  /** Looks up the PAC-side SAT certificate (DER, PEM or base64) by its NoCertificadoSAT. */
  satCertificate?: (
    noCertificadoSat: string,
  ) => Promise<Uint8Array | string | undefined> | Uint8Array | string | undefined;
};

export async function verifyCfdi(xml: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const report: VerifyReport = { valid: false, selloValid: false, errors: [], warnings: [] };
  const err = (code: string, message: string, path = "") => report.errors.push({ code, message, path });
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (e) {
    if (e instanceof XmlLimitError) err(e.code, LIMIT_MESSAGES[e.code]);
    else err("XML_INVALID", `El documento no es XML bien formado: ${(e as Error).message}.`);
    return report;
  }
  if (root.ns !== CFDI_NS || root.local !== "Comprobante") {
    err(
      "NOT_CFDI40",
      "El documento no es un CFDI 4.0 (se esperaba cfdi:Comprobante en http://www.sat.gob.mx/cfd/4).",
      "/",
    );
    return report;
  }
  const a = (n: string) => attr(root, n);
  report.version = a("Version") ?? "";
  if (report.version !== "4.0")
    err("NOT_CFDI40", `La versión del comprobante es "${report.version}"; se esperaba "4.0".`, "/Comprobante/@Version");
  for (const [k, n] of [
    ["serie", "Serie"],
    ["folio", "Folio"],
    ["fecha", "Fecha"],
    ["tipoDeComprobante", "TipoDeComprobante"],
    ["moneda", "Moneda"],
    ["total", "Total"],
    ["noCertificado", "NoCertificado"],
  ] as const) {
    const v = a(n);
    if (v !== undefined) report[k] = v;
  }
  const emisor = firstChild(root, CFDI_NS, "Emisor");
  const receptor = firstChild(root, CFDI_NS, "Receptor");
  if (emisor) report.emisor = { rfc: attr(emisor, "Rfc") ?? "", nombre: attr(emisor, "Nombre") ?? "" };
  if (receptor) report.receptor = { rfc: attr(receptor, "Rfc") ?? "", nombre: attr(receptor, "Nombre") ?? "" };

  const cadena = cadenaFromElement(root);
  report.cadenaOriginal = cadena;
  try {
    report.warnings = checkComprobanteAmounts(root);
  } catch (e) {
    if (!(e instanceof CfdiError)) throw e;
    report.errors.push(...e.issues);
  }

  let cert: CertificateInfo | undefined;
  const certB64 = a("Certificado");
  if (!certB64) {
    err(
      "CERT_MISSING",
      "El comprobante no incluye el certificado (atributo Certificado).",
      "/Comprobante/@Certificado",
    );
  } else {
    try {
      cert = parseCertificate(certB64);
    } catch (e) {
      if (!(e instanceof CfdiError)) throw e;
      if (e.code === "CERT_TOO_LARGE")
        err("CERT_TOO_LARGE", LIMIT_MESSAGES.CERT_TOO_LARGE, "/Comprobante/@Certificado");
      else
        err(
          "CERT_INVALID",
          "El atributo Certificado no contiene un certificado X.509 válido.",
          "/Comprobante/@Certificado",
        );
    }
  }
  if (cert) {
    report.certificate = {
      noCertificado: cert.noCertificado,
      rfc: cert.rfc,
      legalName: cert.legalName,
      kind: cert.kind,
      notBefore: cert.notBefore.toISOString(),
      notAfter: cert.notAfter.toISOString(),
    };
    if ((a("NoCertificado") ?? "") !== cert.noCertificado) {
      err(
        "NOCERTIFICADO_MISMATCH",
        `NoCertificado (${a("NoCertificado") ?? ""}) no coincide con el número de serie del certificado (${cert.noCertificado}).`,
        "/Comprobante/@NoCertificado",
      );
    }
    for (const issue of checkCertificateForInvoice(cert, report.emisor?.rfc ?? "", a("Fecha") ?? "")) {
      report.errors.push({
        ...issue,
        path:
          issue.path === "emisor.rfc"
            ? "/Comprobante/Emisor/@Rfc"
            : issue.path === "Fecha"
              ? "/Comprobante/@Fecha"
              : "/Comprobante/@Certificado",
      });
    }
    const sello = a("Sello") ?? "";
    let key: CryptoKey | undefined;
    try {
      key = await importCertificateKey(cert);
    } catch {
      err(
        "CERT_KEY_UNSUPPORTED",
        "La llave pública del certificado no es RSA; el SAT sella con RSA-SHA256.",
        "/Comprobante/@Certificado",
      );
    }
    if (key) {
      report.selloValid = await verifySello(key, cadena, sello);
      if (!report.selloValid)
        err(
          "SELLO_INVALID",
          "El sello digital no corresponde a la cadena original con el certificado incluido: el comprobante fue alterado o sellado con otra llave.",
          "/Comprobante/@Sello",
        );
    }
  }

  const tfd = findTimbreElement(root);
  if (tfd) {
    const t = readTimbre(tfd);
    report.timbre = { ...t, cadenaOriginal: cadenaTfdFromElement(tfd) };
    if (t.selloCfd !== (a("Sello") ?? "")) {
      err(
        "TFD_SELLOCFD_MISMATCH",
        "El SelloCFD del timbre fiscal no coincide con el Sello del comprobante.",
        "/Comprobante/Complemento/TimbreFiscalDigital/@SelloCFD",
      );
    }
    const satCer = options.satCertificate ? await options.satCertificate(t.noCertificadoSat) : undefined;
    if (satCer !== undefined) {
      const path = "/Comprobante/Complemento/TimbreFiscalDigital/@SelloSAT";
      try {
        const sat = parseCertificate(satCer);
        if (sat.noCertificado !== t.noCertificadoSat) {
          err(
            "TFD_CERT_MISMATCH",
            `El certificado SAT proporcionado (${sat.noCertificado}) no es el del timbre (${t.noCertificadoSat}).`,
            path,
          );
        } else {
          report.timbre.selloSatValid = await verifySello(
            await importCertificateKey(sat),
            report.timbre.cadenaOriginal,
            t.selloSat,
          );
          if (!report.timbre.selloSatValid)
            err(
              "TFD_SELLOSAT_INVALID",
              "El sello del SAT no corresponde a la cadena original del timbre fiscal digital.",
              path,
            );
        }
      } catch (e) {
        if (!(e instanceof CfdiError)) throw e;
        err("TFD_CERT_INVALID", "El certificado SAT proporcionado no es válido.", path);
      }
    }
  }
  report.valid = report.selloValid && report.errors.length === 0;
  return report;
}
