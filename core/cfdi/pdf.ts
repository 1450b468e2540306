/**
 * Printed representation of a CFDI 4.0 (Anexo 20, "representación impresa"): issuer and receptor
 * data, conceptos with their taxes, totals, amount in words, folio fiscal, certificate numbers,
 * sellos, the TFD cadena original and the SAT verification QR code. Reads any CFDI XML (not only
 * ours) and uses only pdf-lib + web APIs, so it renders in a Worker as well as in the CLI.
 */
import type { PDFFont, PDFPage } from "pdf-lib";
import { PDFDocument, StandardFonts, rgb } from "pdf-lib";
import { amountInWords } from "./amount-in-words.ts";
import {
  FORMA_PAGO,
  IMPUESTO,
  METODO_PAGO,
  MONEDA,
  REGIMEN_FISCAL,
  TIPO_DE_COMPROBANTE,
  TIPO_RELACION,
  USO_CFDI,
  EXPORTACION,
} from "./catalogs.ts";
import { CFDI_NS } from "./model.ts";
import { encodeQr } from "./qr.ts";
import { cadenaTfdFromElement, findTimbreElement, readTimbre } from "./tfd.ts";
import type { XmlElement } from "./xml-parser.ts";
import { attr, childElements, firstChild, parseXml } from "./xml-parser.ts";
import { fail } from "./errors.ts";
import { LIMIT_MESSAGES, amountLimit } from "./limits.ts";
import { encodableText } from "../pdf/encodable-text.ts";

const SAT_VERIFY_URL = "https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx";

/**
 * SAT verification URL for the QR (Anexo 20, apéndice "código de barras bidimensional"):
 * id = folio fiscal (UUID), re/rr = RFCs of emisor/receptor, tt = Total without non-significant
 * zeros (at least one decimal), fe = last 8 characters of the emisor's Sello. `&` in RFCs is
 * percent-encoded so the URL stays parseable.
 */
export function satVerificationUrl(p: {
  uuid: string;
  rfcEmisor: string;
  rfcReceptor: string;
  total: string;
  sello: string;
}): string {
  let [i = "0", f = ""] = p.total.split(".");
  i = i.replace(/^0+(?=\d)/, "");
  f = f.replace(/0+$/, "");
  const tt = `${i}.${f || "0"}`;
  const enc = (s: string) => s.replace(/&/g, "%26").replace(/Ñ/g, "%C3%91");
  return `${SAT_VERIFY_URL}?id=${p.uuid}&re=${enc(p.rfcEmisor)}&rr=${enc(p.rfcReceptor)}&tt=${tt}&fe=${p.sello.slice(-8)}`;
}

const PAGE_W = 612;
const PAGE_H = 792;
const M = 36;
const GREY = rgb(0.35, 0.35, 0.35);
const LINE = rgb(0.8, 0.8, 0.8);
const HEAD = rgb(0.93, 0.95, 0.98);

type Fonts = { regular: PDFFont; bold: PDFFont; mono: PDFFont };

class Writer {
  readonly doc: PDFDocument;
  readonly f: Fonts;
  page: PDFPage;
  y: number;

  constructor(doc: PDFDocument, f: Fonts) {
    this.doc = doc;
    this.f = f;
    this.page = doc.addPage([PAGE_W, PAGE_H]);
    this.y = PAGE_H - M;
  }

  safe(text: string, font: PDFFont): string {
    return encodableText(font, text);
  }

  ensure(height: number): void {
    if (this.y - height < M + 20) {
      this.page = this.doc.addPage([PAGE_W, PAGE_H]);
      this.y = PAGE_H - M;
    }
  }

  text(s: string, x: number, y: number, size: number, font: PDFFont = this.f.regular, color = rgb(0, 0, 0)): void {
    this.page.drawText(this.safe(s, font), { x, y, size, font, color });
  }

  /** Greedy wrap by width; breaks inside words (base64 sellos have no spaces). */
  wrap(s: string, width: number, size: number, font: PDFFont = this.f.regular): string[] {
    const text = this.safe(s, font);
    const lines: string[] = [];
    let cur = "";
    for (const word of text.split(/(\s+)/)) {
      if (font.widthOfTextAtSize(cur + word, size) <= width) {
        cur += word;
        continue;
      }
      if (cur.trim()) lines.push(cur.trimEnd());
      cur = "";
      for (const ch of word.trimStart()) {
        if (font.widthOfTextAtSize(cur + ch, size) > width && cur) {
          lines.push(cur);
          cur = "";
        }
        cur += ch;
      }
    }
    if (cur.trim()) lines.push(cur.trimEnd());
    return lines.length ? lines : [""];
  }

  paragraph(label: string, value: string, size = 6.5, font: PDFFont = this.f.mono): void {
    const lines = this.wrap(value, PAGE_W - 2 * M, size, font);
    this.ensure(10 + lines.length * (size + 1.5));
    this.text(label, M, this.y, 7.5, this.f.bold);
    this.y -= 9;
    for (const l of lines) {
      this.ensure(size + 1.5);
      this.text(l, M, this.y, size, font);
      this.y -= size + 1.5;
    }
    this.y -= 4;
  }
}

const catalogLabel = (code: string | undefined, table: Readonly<Record<string, unknown>>) => {
  if (code === undefined) return "";
  const d = table[code];
  const text = typeof d === "string" ? d : (d as { descripcion?: string } | undefined)?.descripcion;
  return text ? `${code} - ${text}` : code;
};

function money(v: string | undefined): string {
  if (v === undefined) return "";
  const [i, f] = v.split(".");
  const grouped = (i ?? "0").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `$${grouped}${f !== undefined ? `.${f}` : ""}`;
}

function taxName(impuesto: string | undefined): string {
  return (impuesto && IMPUESTO[impuesto]?.descripcion) || impuesto || "";
}

function rateText(t: XmlElement): string {
  const factor = attr(t, "TipoFactor");
  const rate = attr(t, "TasaOCuota");
  if (factor === "Exento" || rate === undefined) return factor ?? "";
  if (factor === "Tasa") {
    const pct = (Number(rate) * 100).toFixed(4).replace(/\.?0+$/, "");
    return `${pct}%`;
  }
  return `Cuota ${rate}`;
}

/** Renders the CFDI XML as a PDF (bytes). */
export async function cfdiToPdf(xml: string): Promise<Uint8Array> {
  const root = parseXml(xml);
  if (root.ns !== CFDI_NS || root.local !== "Comprobante") fail("NOT_CFDI40", "El documento no es un CFDI 4.0.");
  const a = (n: string) => attr(root, n);
  // Total is the one amount turned into a number here (its words); held to the verify limits.
  const totalLimit = amountLimit((a("Total") ?? "").trim());
  if (totalLimit) fail(totalLimit, `Total: ${LIMIT_MESSAGES[totalLimit]}`, "/Comprobante/@Total");
  const emisor = firstChild(root, CFDI_NS, "Emisor");
  const receptor = firstChild(root, CFDI_NS, "Receptor");
  const tfdEl = findTimbreElement(root);
  const tfd = tfdEl ? readTimbre(tfdEl) : undefined;

  const doc = await PDFDocument.create();
  doc.setTitle(`CFDI ${a("Serie") ?? ""}${a("Folio") ?? ""} ${tfd?.uuid ?? ""}`.trim());
  doc.setProducer("Zuclubit Smart CRM");
  doc.setCreator("Zuclubit Smart CRM");
  const f: Fonts = {
    regular: await doc.embedFont(StandardFonts.Helvetica),
    bold: await doc.embedFont(StandardFonts.HelveticaBold),
    mono: await doc.embedFont(StandardFonts.Courier),
  };
  const w = new Writer(doc, f);

  // The TFD's Leyenda (TimbreFiscalDigital 1.1) goes on top, where nobody misses it: a PAC's
  // notice such as a sandbox's "SIN VALIDEZ FISCAL".
  if (tfd?.leyenda) {
    for (const l of w.wrap(tfd.leyenda.toUpperCase(), PAGE_W - 2 * M, 12, f.bold).slice(0, 2)) {
      w.text(l, M, w.y, 12, f.bold, rgb(0.75, 0, 0));
      w.y -= 16;
    }
    w.y -= 4;
  }

  // --- header: emisor left, comprobante data right ---
  const top = w.y;
  const leftW = 300;
  for (const l of w.wrap(attr(emisor ?? root, "Nombre") ?? "", leftW, 13, f.bold).slice(0, 3)) {
    w.text(l, M, w.y, 13, f.bold);
    w.y -= 15;
  }
  const eLines = [
    `RFC: ${attr(emisor ?? root, "Rfc") ?? ""}`,
    `Régimen fiscal: ${catalogLabel(emisor ? attr(emisor, "RegimenFiscal") : undefined, REGIMEN_FISCAL)}`,
    `Lugar de expedición (C.P.): ${a("LugarExpedicion") ?? ""}`,
  ];
  for (const l of eLines)
    for (const wl of w.wrap(l, leftW, 8)) {
      w.text(wl, M, w.y, 8);
      w.y -= 10;
    }
  const leftBottom = w.y;
  let ry = top;
  const rx = M + leftW + 20;
  const rw = PAGE_W - M - rx;
  const tipo = a("TipoDeComprobante");
  w.page.drawRectangle({ x: rx - 6, y: top - 118, width: rw + 6, height: 130, color: HEAD });
  w.text(
    `CFDI 4.0 · ${tipo === "E" ? "NOTA DE CRÉDITO / EGRESO" : (TIPO_DE_COMPROBANTE[tipo ?? ""] ?? tipo ?? "").toUpperCase()}`,
    rx,
    ry,
    10,
    f.bold,
  );
  ry -= 14;
  const right: [string, string][] = [
    ["Serie y folio", `${a("Serie") ?? ""}${a("Serie") && a("Folio") ? "-" : ""}${a("Folio") ?? ""}` || "—"],
    ["Fecha de emisión", a("Fecha") ?? ""],
    ["Folio fiscal (UUID)", tfd?.uuid ?? "SIN TIMBRAR"],
    ["No. de serie del CSD del emisor", a("NoCertificado") ?? ""],
    ["Fecha de certificación", tfd?.fechaTimbrado ?? "—"],
    ["No. de serie del certificado SAT", tfd?.noCertificadoSat ?? "—"],
    ["RFC del proveedor de certificación", tfd?.rfcProvCertif ?? "—"],
    ["Exportación", catalogLabel(a("Exportacion"), EXPORTACION)],
  ];
  for (const [k, v] of right) {
    w.text(k, rx, ry, 6.5, f.bold, GREY);
    ry -= 8;
    w.text(w.wrap(v, rw, 8)[0] ?? "", rx, ry, 8);
    ry -= 10;
  }
  w.y = Math.min(leftBottom, ry) - 8;

  // --- receptor ---
  w.page.drawLine({ start: { x: M, y: w.y + 4 }, end: { x: PAGE_W - M, y: w.y + 4 }, thickness: 0.5, color: LINE });
  w.y -= 8;
  w.text("RECEPTOR", M, w.y, 8, f.bold, GREY);
  w.y -= 11;
  const r = receptor ?? root;
  w.text(attr(r, "Nombre") ?? "", M, w.y, 10, f.bold);
  w.y -= 12;
  const rInfo = `RFC: ${attr(r, "Rfc") ?? ""}    Domicilio fiscal (C.P.): ${attr(r, "DomicilioFiscalReceptor") ?? ""}    Régimen fiscal: ${catalogLabel(attr(r, "RegimenFiscalReceptor"), REGIMEN_FISCAL)}`;
  for (const l of w.wrap(rInfo, PAGE_W - 2 * M, 8)) {
    w.text(l, M, w.y, 8);
    w.y -= 10;
  }
  w.text(
    `Uso del CFDI: ${catalogLabel(attr(r, "UsoCFDI"), USO_CFDI)}${attr(r, "ResidenciaFiscal") ? `    Residencia fiscal: ${attr(r, "ResidenciaFiscal")}    NumRegIdTrib: ${attr(r, "NumRegIdTrib") ?? ""}` : ""}`,
    M,
    w.y,
    8,
  );
  w.y -= 14;

  const global = firstChild(root, CFDI_NS, "InformacionGlobal");
  if (global) {
    w.text(
      `Información global: periodicidad ${attr(global, "Periodicidad")}, meses ${attr(global, "Meses")}, año ${attr(global, "Año")}`,
      M,
      w.y,
      8,
    );
    w.y -= 12;
  }
  for (const rel of childElements(root, CFDI_NS, "CfdiRelacionados")) {
    const uuids = childElements(rel, CFDI_NS, "CfdiRelacionado").map((u) => attr(u, "UUID") ?? "");
    w.paragraph(
      `CFDI relacionados (${catalogLabel(attr(rel, "TipoRelacion"), TIPO_RELACION)})`,
      uuids.join("  "),
      7.5,
      f.regular,
    );
  }

  // --- conceptos ---
  const cols = [
    { h: "Clave / Unidad", w: 62, align: "l" },
    { h: "Cantidad", w: 46, align: "r" },
    { h: "Descripción", w: 212, align: "l" },
    { h: "Valor unitario", w: 66, align: "r" },
    { h: "Descuento", w: 56, align: "r" },
    { h: "Importe", w: 68, align: "r" },
    { h: "Obj. imp.", w: 30, align: "l" },
  ] as const;
  const header = () => {
    w.ensure(16);
    w.page.drawRectangle({ x: M, y: w.y - 3, width: PAGE_W - 2 * M, height: 12, color: HEAD });
    let x = M + 2;
    for (const c of cols) {
      const tw = f.bold.widthOfTextAtSize(c.h, 7);
      w.text(c.h, c.align === "r" ? x + c.w - 4 - tw : x, w.y, 7, f.bold);
      x += c.w;
    }
    w.y -= 14;
  };
  header();
  for (const cs of childElements(root, CFDI_NS, "Conceptos")) {
    for (const k of childElements(cs, CFDI_NS, "Concepto")) {
      const desc = w.wrap(
        `${attr(k, "Descripcion") ?? ""}${attr(k, "NoIdentificacion") ? ` (${attr(k, "NoIdentificacion")})` : ""}`,
        cols[2].w - 6,
        7.5,
      );
      const taxLines: string[] = [];
      for (const imp of childElements(k, CFDI_NS, "Impuestos")) {
        for (const ts of childElements(imp, CFDI_NS, "Traslados"))
          for (const t of childElements(ts, CFDI_NS, "Traslado")) {
            taxLines.push(
              `Traslado ${taxName(attr(t, "Impuesto"))} ${rateText(t)} · base ${money(attr(t, "Base"))}${attr(t, "Importe") !== undefined ? ` · importe ${money(attr(t, "Importe"))}` : ""}`,
            );
          }
        for (const rs of childElements(imp, CFDI_NS, "Retenciones"))
          for (const t of childElements(rs, CFDI_NS, "Retencion")) {
            taxLines.push(
              `Retención ${taxName(attr(t, "Impuesto"))} ${rateText(t)} · base ${money(attr(t, "Base"))} · importe ${money(attr(t, "Importe"))}`,
            );
          }
      }
      const terceros = firstChild(k, CFDI_NS, "ACuentaTerceros");
      if (terceros)
        taxLines.push(
          `A cuenta de terceros: ${attr(terceros, "NombreACuentaTerceros")} (RFC ${attr(terceros, "RfcACuentaTerceros")}, régimen ${attr(terceros, "RegimenFiscalACuentaTerceros")}, C.P. ${attr(terceros, "DomicilioFiscalACuentaTerceros")})`,
        );
      for (const p of childElements(k, CFDI_NS, "CuentaPredial")) taxLines.push(`Cuenta predial: ${attr(p, "Numero")}`);
      for (const p of childElements(k, CFDI_NS, "InformacionAduanera"))
        taxLines.push(`Pedimento: ${attr(p, "NumeroPedimento")}`);
      const extra = taxLines.flatMap((t) => w.wrap(t, cols[2].w + cols[3].w + cols[4].w - 6, 6.5));
      const height = Math.max(2, desc.length) * 9 + extra.length * 8 + 4;
      if (w.y - height < M + 20) {
        w.ensure(height + 20);
        header();
      }
      const rowTop = w.y;
      let x = M + 2;
      const cells = [
        [
          attr(k, "ClaveProdServ") ?? "",
          `${attr(k, "ClaveUnidad") ?? ""}${attr(k, "Unidad") ? ` ${attr(k, "Unidad")}` : ""}`,
        ],
        [attr(k, "Cantidad") ?? ""],
        desc,
        [money(attr(k, "ValorUnitario"))],
        [attr(k, "Descuento") !== undefined ? money(attr(k, "Descuento")) : ""],
        [money(attr(k, "Importe"))],
        [attr(k, "ObjetoImp") ?? ""],
      ];
      cells.forEach((lines, ci) => {
        const c = cols[ci] as (typeof cols)[number];
        lines.forEach((l, li) => {
          const s = w.wrap(l, c.w - 4, 7.5)[0] ?? "";
          const tw = f.regular.widthOfTextAtSize(w.safe(s, f.regular), 7.5);
          w.text(s, c.align === "r" ? x + c.w - 4 - tw : x, rowTop - li * 9, 7.5);
        });
        x += c.w;
      });
      w.y = rowTop - Math.max(2, desc.length) * 9;
      for (const l of extra) {
        w.text(l, M + 2 + cols[0].w + cols[1].w, w.y, 6.5, f.regular, GREY);
        w.y -= 8;
      }
      w.page.drawLine({ start: { x: M, y: w.y + 3 }, end: { x: PAGE_W - M, y: w.y + 3 }, thickness: 0.3, color: LINE });
      w.y -= 6;
    }
  }

  // --- totals (right) and payment data (left) ---
  const impuestos = firstChild(root, CFDI_NS, "Impuestos");
  const totals: [string, string][] = [["Subtotal", money(a("SubTotal"))]];
  if (a("Descuento") !== undefined) totals.push(["Descuento", `-${money(a("Descuento"))}`]);
  if (impuestos) {
    for (const ts of childElements(impuestos, CFDI_NS, "Traslados"))
      for (const t of childElements(ts, CFDI_NS, "Traslado")) {
        totals.push([
          `${taxName(attr(t, "Impuesto"))} trasladado ${rateText(t)}`,
          attr(t, "Importe") !== undefined ? money(attr(t, "Importe")) : `base ${money(attr(t, "Base"))}`,
        ]);
      }
    for (const rs of childElements(impuestos, CFDI_NS, "Retenciones"))
      for (const t of childElements(rs, CFDI_NS, "Retencion")) {
        totals.push([`${taxName(attr(t, "Impuesto"))} retenido`, `-${money(attr(t, "Importe"))}`]);
      }
  }
  totals.push(["Total", money(a("Total"))]);
  w.ensure(totals.length * 11 + 50);
  const boxTop = w.y;
  let ty = boxTop;
  const tx = PAGE_W - M - 200;
  for (const [k, v] of totals) {
    const bold = k === "Total";
    w.text(k, tx, ty, bold ? 9 : 8, bold ? f.bold : f.regular);
    const vw = (bold ? f.bold : f.regular).widthOfTextAtSize(w.safe(v, f.regular), bold ? 9 : 8);
    w.text(v, PAGE_W - M - vw, ty, bold ? 9 : 8, bold ? f.bold : f.regular);
    ty -= bold ? 13 : 11;
  }
  const moneda = a("Moneda") ?? "MXN";
  let ly = boxTop;
  const leftInfo = [
    `Importe con letra: ${amountInWords(a("Total") ?? "0", moneda, MONEDA[moneda]?.decimales ?? 2)}`,
    `Moneda: ${moneda}${a("TipoCambio") ? `    Tipo de cambio: ${a("TipoCambio")}` : ""}`,
    `Forma de pago: ${catalogLabel(a("FormaPago"), FORMA_PAGO)}`,
    `Método de pago: ${catalogLabel(a("MetodoPago"), METODO_PAGO)}`,
    ...(a("CondicionesDePago") ? [`Condiciones de pago: ${a("CondicionesDePago")}`] : []),
  ];
  for (const l of leftInfo)
    for (const wl of w.wrap(l, tx - M - 16, 7.5)) {
      w.text(wl, M, ly, 7.5);
      ly -= 10;
    }
  w.y = Math.min(ly, ty) - 10;

  // --- sellos, cadena TFD, QR ---
  const sello = a("Sello") ?? "";
  const qrSize = 92;
  w.ensure(qrSize + 20);
  if (tfd && tfdEl) {
    const url = satVerificationUrl({
      uuid: tfd.uuid,
      rfcEmisor: attr(emisor ?? root, "Rfc") ?? "",
      rfcReceptor: attr(r, "Rfc") ?? "",
      total: a("Total") ?? "0",
      sello,
    });
    const q = encodeQr(url);
    const cell = qrSize / (q.size + 8);
    const qx = M;
    const qy = w.y - qrSize;
    w.page.drawRectangle({ x: qx, y: qy, width: qrSize, height: qrSize, color: rgb(1, 1, 1) });
    q.modules.forEach((row, y) =>
      row.forEach((dark, x) => {
        if (dark)
          w.page.drawRectangle({
            x: qx + (x + 4) * cell,
            y: qy + qrSize - (y + 5) * cell,
            width: cell,
            height: cell,
            color: rgb(0, 0, 0),
          });
      }),
    );
    const sx = M + qrSize + 12;
    const sw = PAGE_W - M - sx;
    let sy = w.y - 2;
    for (const [label, value] of [
      ["Sello digital del CFDI", sello],
      ["Sello digital del SAT", tfd.selloSat],
    ] as const) {
      w.text(label, sx, sy, 7.5, f.bold);
      sy -= 9;
      for (const l of w.wrap(value, sw, 6, f.mono)) {
        w.text(l, sx, sy, 6, f.mono);
        sy -= 7.5;
      }
      sy -= 3;
    }
    w.y = Math.min(qy, sy) - 8;
    w.paragraph("Cadena original del complemento de certificación digital del SAT", cadenaTfdFromElement(tfdEl));
  } else {
    w.paragraph("Sello digital del CFDI", sello || "—");
    w.ensure(20);
    w.text(
      "COMPROBANTE SIN TIMBRAR: no tiene validez fiscal hasta que un PAC lo certifique.",
      M,
      w.y,
      9,
      f.bold,
      rgb(0.7, 0, 0),
    );
    w.y -= 14;
  }

  // --- footer on every page ---
  const pages = doc.getPages();
  pages.forEach((p, i) => {
    p.drawText("Este documento es una representación impresa de un CFDI.", {
      x: M,
      y: M - 12,
      size: 7,
      font: f.regular,
      color: GREY,
    });
    const label = `Página ${i + 1} de ${pages.length}`;
    p.drawText(label, {
      x: PAGE_W - M - f.regular.widthOfTextAtSize(label, 7),
      y: M - 12,
      size: 7,
      font: f.regular,
      color: GREY,
    });
  });
  return doc.save({ useObjectStreams: false });
}
