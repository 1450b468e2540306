/**
 * The stamped CFDI a PAC answers with, read the same way by every adapter (finkok.ts, sw.ts): its
 * TimbreFiscalDigital, whether that stamp is of the document sent, and the PacStamp made of it.
 * What a missing or foreign stamp means, and in which words, stays with each adapter.
 *
 * Runtime-free (no Node or Workers imports): the adapters run in workerd and in plain Node.
 */
import { findTimbreElement, readTimbre, type Timbre } from "../../cfdi/tfd.ts";
import { attr, parseXml, type XmlElement } from "../../cfdi/xml-parser.ts";
import type { PacStamp } from "../pac-client.ts";

export interface StampedCfdi {
  root: XmlElement;
  timbre: Timbre;
}

export type StampedCfdiReading =
  | ({ problem: null } & StampedCfdi)
  /** Not XML the parser accepts (its limits included). */
  | { problem: "unreadable"; cause: unknown }
  /** XML, but with no cfdi:Complemento/tfd:TimbreFiscalDigital under its root. */
  | { problem: "no-timbre" };

/** The PAC's answer parsed as untrusted XML, and its TimbreFiscalDigital. */
export function readStampedCfdi(xml: string): StampedCfdiReading {
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (cause) {
    return { problem: "unreadable", cause };
  }
  const tfd = findTimbreElement(root);
  return tfd ? { problem: null, root, timbre: readTimbre(tfd) } : { problem: "no-timbre" };
}

/**
 * Whether the stamp is of the CFDI sent: a PAC stamps the sealed document as it is, so both the
 * TFD's SelloCFD and the Comprobante's Sello are the Sello sent. Another one is not our CFDI.
 */
export function isStampOf(stamped: StampedCfdi, sentSello: string): boolean {
  return stamped.timbre.selloCfd === sentSello && attr(stamped.root, "Sello") === sentSello;
}

/** The PacStamp of a stamped CFDI (its UUID in upper case, as SAT lists it). */
export function toPacStamp(xml: string, timbre: Timbre, recovered: boolean): PacStamp {
  return {
    xml,
    uuid: timbre.uuid.toUpperCase(),
    fechaTimbrado: timbre.fechaTimbrado,
    noCertificadoSat: timbre.noCertificadoSat,
    selloSat: timbre.selloSat,
    recovered,
  };
}
