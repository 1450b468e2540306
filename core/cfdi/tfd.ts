/**
 * TimbreFiscalDigital 1.1 (the PAC's stamp inside cfdi:Complemento) and its cadena original, per
 * the SAT stylesheet `cadenaoriginal_TFD_1_1.xslt`: "||Version|UUID|FechaTimbrado|RfcProvCertif|
 * [Leyenda|]SelloCFD|NoCertificadoSAT||", each value through normalize-space. This is the cadena
 * printed on the PDF as "cadena original del complemento de certificación digital del SAT".
 */
import { normalizeSpace } from "./cadena.ts";
import { CFDI_NS, TFD_NS } from "./model.ts";
import type { XmlElement } from "./xml-parser.ts";
import { attr, childElements, elementChildren, parseXml } from "./xml-parser.ts";

export type Timbre = {
  readonly version: string;
  readonly uuid: string;
  readonly fechaTimbrado: string;
  readonly rfcProvCertif: string;
  readonly leyenda?: string;
  readonly selloCfd: string;
  readonly noCertificadoSat: string;
  readonly selloSat: string;
};

export function cadenaTfdFromElement(tfd: XmlElement): string {
  if (tfd.ns !== TFD_NS || tfd.local !== "TimbreFiscalDigital") return "|||";
  const req = (n: string) => "|" + normalizeSpace(attr(tfd, n) ?? "");
  const leyenda = attr(tfd, "Leyenda");
  return (
    "|" +
    req("Version") +
    req("UUID") +
    req("FechaTimbrado") +
    req("RfcProvCertif") +
    (leyenda !== undefined ? "|" + normalizeSpace(leyenda) : "") +
    req("SelloCFD") +
    req("NoCertificadoSAT") +
    "||"
  );
}

/** Cadena of a standalone TFD document or of the TFD inside a CFDI. */
export function cadenaTfdFromXml(xml: string): string {
  const root = parseXml(xml);
  const tfd = root.ns === TFD_NS ? root : findTimbreElement(root);
  return tfd ? cadenaTfdFromElement(tfd) : "|||";
}

export function findTimbreElement(comprobante: XmlElement): XmlElement | undefined {
  for (const comp of childElements(comprobante, CFDI_NS, "Complemento")) {
    for (const c of elementChildren(comp)) if (c.ns === TFD_NS && c.local === "TimbreFiscalDigital") return c;
  }
  return undefined;
}

export function readTimbre(tfd: XmlElement): Timbre {
  const leyenda = attr(tfd, "Leyenda");
  return {
    version: attr(tfd, "Version") ?? "",
    uuid: attr(tfd, "UUID") ?? "",
    fechaTimbrado: attr(tfd, "FechaTimbrado") ?? "",
    rfcProvCertif: attr(tfd, "RfcProvCertif") ?? "",
    ...(leyenda !== undefined ? { leyenda } : {}),
    selloCfd: attr(tfd, "SelloCFD") ?? "",
    noCertificadoSat: attr(tfd, "NoCertificadoSAT") ?? "",
    selloSat: attr(tfd, "SelloSAT") ?? "",
  };
}
