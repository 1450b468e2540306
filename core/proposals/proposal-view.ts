import { formatMoneyMx } from "./totals.ts";
import type { ProposalStatus } from "./proposal-status.ts";

// The proposal as the client sees it (public page and PDF): one model, formatted for es-MX, so the
// page and the PDF can never show different numbers.

export interface ProposalViewInput {
  tenantName: string;
  number: string;
  title: string;
  status: ProposalStatus;
  clientName: string | null;
  currency: string;
  /** ISO timestamps / dates as stored. */
  sentAt: string | null;
  validUntil: string | null;
  decidedAt: string | null;
  acceptedByName: string | null;
  rejectionReason: string | null;
  notes: string | null;
  terms: string | null;
  timezone: string;
  items: {
    name: string;
    description: string | null;
    quantity: string;
    unitPrice: string;
    discountPercent: string;
    taxRate: string | null;
    total: string;
  }[];
  totals: { subtotal: string; discountTotal: string; taxTotal: string; total: string };
}

export interface ProposalView {
  tenantName: string;
  number: string;
  title: string;
  status: ProposalStatus;
  statusLabel: string;
  clientName: string | null;
  sentOn: string | null;
  validUntil: string | null;
  decidedOn: string | null;
  acceptedByName: string | null;
  rejectionReason: string | null;
  notes: string | null;
  terms: string | null;
  items: {
    name: string;
    description: string | null;
    quantity: string;
    unitPrice: string;
    discount: string;
    tax: string;
    total: string;
  }[];
  subtotal: string;
  discount: string;
  tax: string;
  total: string;
  hasDiscount: boolean;
}

export const STATUS_LABELS: Record<ProposalStatus, string> = {
  draft: "Borrador",
  sent: "Enviada",
  viewed: "Vista",
  accepted: "Aceptada",
  rejected: "Rechazada",
  expired: "Vencida",
};

const MONTHS = [
  "enero",
  "febrero",
  "marzo",
  "abril",
  "mayo",
  "junio",
  "julio",
  "agosto",
  "septiembre",
  "octubre",
  "noviembre",
  "diciembre",
];

/** "2026-12-15" or an ISO timestamp → "15 de diciembre de 2026", in the tenant's time zone. */
export function formatDateMx(value: string, timezone: string): string {
  let y: number, m: number, d: number;
  const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (dateOnly) {
    [y, m, d] = [Number(dateOnly[1]), Number(dateOnly[2]), Number(dateOnly[3])];
  } else {
    const parts = new Intl.DateTimeFormat("en-CA", {
      timeZone: timezone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    }).formatToParts(new Date(value));
    const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
    [y, m, d] = [get("year"), get("month"), get("day")];
  }
  return `${d} de ${MONTHS[m - 1] ?? ""} de ${y}`;
}

/** "2.5000" → "2.5", "3.0000" → "3" (quantities are stored with 4 decimals). */
export function formatQuantity(value: string): string {
  return value.includes(".") ? value.replace(/0+$/, "").replace(/\.$/, "") : value;
}

/** "0.160000" → "16 %", null → "Exento". */
export function formatTaxRate(rate: string | null): string {
  if (rate === null) return "Exento";
  return `${formatQuantity(shiftTwo(rate))} %`;
}

export function formatPercent(value: string): string {
  return `${formatQuantity(value)} %`;
}

/** Multiplies a decimal string by 100 without floats ("0.160000" → "16.0000"). */
function shiftTwo(value: string): string {
  const [int = "0", frac = ""] = value.split(".");
  const padded = frac.padEnd(2, "0");
  const whole = `${int}${padded.slice(0, 2)}`.replace(/^0+(?=\d)/, "");
  const rest = padded.slice(2);
  return rest ? `${whole}.${rest}` : whole;
}

export function buildProposalView(p: ProposalViewInput): ProposalView {
  const money = (v: string) => formatMoneyMx(v, p.currency);
  return {
    tenantName: p.tenantName,
    number: p.number,
    title: p.title,
    status: p.status,
    statusLabel: STATUS_LABELS[p.status],
    clientName: p.clientName,
    sentOn: p.sentAt ? formatDateMx(p.sentAt, p.timezone) : null,
    validUntil: p.validUntil ? formatDateMx(p.validUntil, p.timezone) : null,
    decidedOn: p.decidedAt ? formatDateMx(p.decidedAt, p.timezone) : null,
    acceptedByName: p.acceptedByName,
    rejectionReason: p.rejectionReason,
    notes: p.notes,
    terms: p.terms,
    items: p.items.map((i) => ({
      name: i.name,
      description: i.description,
      quantity: formatQuantity(i.quantity),
      unitPrice: money(i.unitPrice),
      discount: formatPercent(i.discountPercent),
      tax: formatTaxRate(i.taxRate),
      total: money(i.total),
    })),
    subtotal: money(p.totals.subtotal),
    discount: money(p.totals.discountTotal),
    tax: money(p.totals.taxTotal),
    total: money(p.totals.total),
    hasDiscount: p.items.some((i) => Number(i.discountPercent) !== 0),
  };
}
