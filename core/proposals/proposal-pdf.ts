import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from "pdf-lib";
import type { ProposalView } from "./proposal-view.ts";
import { encodableText } from "../pdf/encodable-text.ts";

// The proposal as a PDF (Letter size), from the same view model as the public page, so both show
// the same numbers. pdf-lib and web APIs only: it renders inside the Worker.

const W = 612;
const H = 792;
const MARGIN = 40;
const INK = rgb(0.1, 0.12, 0.14);
const MUTED = rgb(0.3, 0.33, 0.37);
const RULE = rgb(0.82, 0.85, 0.88);
const BRAND = rgb(0.04, 0.36, 0.68);

interface Column {
  title: string;
  width: number;
  align: "left" | "right";
  value: (item: ProposalView["items"][number]) => string;
}

class Canvas {
  readonly doc: PDFDocument;
  readonly regular: PDFFont;
  readonly bold: PDFFont;
  page: PDFPage;
  y = H - MARGIN;

  constructor(doc: PDFDocument, regular: PDFFont, bold: PDFFont) {
    this.doc = doc;
    this.regular = regular;
    this.bold = bold;
    this.page = doc.addPage([W, H]);
  }

  clean(text: string): string {
    return encodableText(this.regular, text.replace(/\s+/g, " "));
  }

  room(height: number): void {
    if (this.y - height < MARGIN) {
      this.page = this.doc.addPage([W, H]);
      this.y = H - MARGIN;
    }
  }

  text(
    text: string,
    x: number,
    size: number,
    opts: { bold?: boolean; color?: ReturnType<typeof rgb>; align?: "left" | "right"; width?: number } = {},
  ): void {
    const font = opts.bold ? this.bold : this.regular;
    const s = this.clean(text);
    const dx = opts.align === "right" && opts.width !== undefined ? opts.width - font.widthOfTextAtSize(s, size) : 0;
    this.page.drawText(s, { x: x + dx, y: this.y, size, font, color: opts.color ?? INK });
  }

  /** Word wrap to a width; returns the lines. */
  wrap(text: string, width: number, size: number, bold = false): string[] {
    const font = bold ? this.bold : this.regular;
    const lines: string[] = [];
    let line = "";
    for (const word of this.clean(text).split(" ")) {
      const next = line ? `${line} ${word}` : word;
      if (font.widthOfTextAtSize(next, size) <= width || !line) line = next;
      else {
        lines.push(line);
        line = word;
      }
    }
    if (line) lines.push(line);
    return lines;
  }

  rule(): void {
    this.page.drawLine({
      start: { x: MARGIN, y: this.y },
      end: { x: W - MARGIN, y: this.y },
      thickness: 0.7,
      color: RULE,
    });
  }
}

export async function renderProposalPdf(view: ProposalView): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(`${view.number} · ${view.title}`);
  doc.setAuthor(view.tenantName);
  doc.setSubject("Propuesta comercial");
  doc.setLanguage("es-MX");
  doc.setCreator("Zuclubit Smart CRM");
  const c = new Canvas(
    doc,
    await doc.embedFont(StandardFonts.Helvetica),
    await doc.embedFont(StandardFonts.HelveticaBold),
  );

  c.text(view.tenantName, MARGIN, 11, { bold: true, color: BRAND });
  c.y -= 24;
  for (const line of c.wrap(view.title, W - 2 * MARGIN, 18, true)) {
    c.text(line, MARGIN, 18, { bold: true });
    c.y -= 22;
  }
  c.text(`Propuesta ${view.number}${view.clientName ? ` · para ${view.clientName}` : ""}`, MARGIN, 10.5, {
    color: MUTED,
  });
  c.y -= 15;
  const dates = [
    view.sentOn ? `Enviada el ${view.sentOn}` : "",
    view.validUntil ? `Válida hasta el ${view.validUntil}` : "",
  ]
    .filter(Boolean)
    .join(" · ");
  if (dates) {
    c.text(dates, MARGIN, 10.5, { color: MUTED });
    c.y -= 15;
  }
  c.text(`Estado: ${view.statusLabel}`, MARGIN, 10.5, { bold: true });
  c.y -= 24;

  const columns: Column[] = [
    { title: "Concepto", width: 0, align: "left", value: (i) => i.name },
    { title: "Cant.", width: 42, align: "right", value: (i) => i.quantity },
    { title: "Precio unitario", width: 92, align: "right", value: (i) => i.unitPrice },
    ...(view.hasDiscount
      ? [
          {
            title: "Desc.",
            width: 42,
            align: "right" as const,
            value: (i: ProposalView["items"][number]) => i.discount,
          },
        ]
      : []),
    { title: "IVA", width: 46, align: "right", value: (i) => i.tax },
    { title: "Importe", width: 96, align: "right", value: (i) => i.total },
  ];
  const fixed = columns.reduce((sum, col) => sum + col.width, 0);
  const first = columns[0];
  if (first) first.width = W - 2 * MARGIN - fixed - 8 * (columns.length - 1);
  const xs: number[] = [];
  let x = MARGIN;
  for (const col of columns) {
    xs.push(x);
    x += col.width + 8;
  }

  const header = () => {
    c.room(30);
    columns.forEach((col, i) =>
      c.text(col.title.toUpperCase(), xs[i] ?? MARGIN, 8, {
        bold: true,
        color: MUTED,
        align: col.align,
        width: col.width,
      }),
    );
    c.y -= 6;
    c.rule();
    c.y -= 13;
  };
  header();
  for (const item of view.items) {
    const nameLines = c.wrap(item.name, first?.width ?? 200, 9.5, true);
    const descLines = item.description ? c.wrap(item.description, first?.width ?? 200, 8.5) : [];
    const height = nameLines.length * 12 + descLines.length * 11 + 8;
    if (c.y - height < MARGIN) {
      c.room(H);
      header();
    }
    const top = c.y;
    columns.forEach((col, i) => {
      if (i > 0) c.text(col.value(item), xs[i] ?? MARGIN, 9.5, { align: col.align, width: col.width });
    });
    for (const line of nameLines) {
      c.text(line, MARGIN, 9.5, { bold: true });
      c.y -= 12;
    }
    for (const line of descLines) {
      c.text(line, MARGIN, 8.5, { color: MUTED });
      c.y -= 11;
    }
    c.y = Math.min(c.y, top - 12) - 2;
    c.rule();
    c.y -= 13;
  }

  const totals: [string, string, boolean][] = [
    ["Subtotal", view.subtotal, false],
    ...(view.hasDiscount ? ([["Descuento", `-${view.discount}`, false]] as [string, string, boolean][]) : []),
    ["IVA", view.tax, false],
    ["Total", view.total, true],
  ];
  c.room(totals.length * 18 + 10);
  for (const [label, value, strong] of totals) {
    const size = strong ? 13 : 10.5;
    c.text(label, W - MARGIN - 240, size, { bold: strong, color: strong ? INK : MUTED });
    c.text(value, W - MARGIN - 150, size, { bold: strong, align: "right", width: 150 });
    c.y -= strong ? 20 : 15;
  }

  for (const [title, body] of [
    ["Notas", view.notes],
    ["Términos y condiciones", view.terms],
  ] as const) {
    if (!body) continue;
    c.y -= 10;
    c.room(30);
    c.text(title, MARGIN, 11, { bold: true });
    c.y -= 15;
    for (const line of c.wrap(body, W - 2 * MARGIN, 9.5)) {
      c.room(12);
      c.text(line, MARGIN, 9.5);
      c.y -= 12;
    }
  }
  if (view.status === "accepted" && view.acceptedByName) {
    c.y -= 12;
    c.room(16);
    c.text(`Aceptada por ${view.acceptedByName}${view.decidedOn ? ` el ${view.decidedOn}` : ""}.`, MARGIN, 10.5, {
      bold: true,
      color: rgb(0.08, 0.39, 0.18),
    });
  }
  return doc.save();
}
