import { z } from "@hono/zod-openapi";
import { compare, formatDecimal, formatMinimal, parseDecimal } from "../../core/money/decimal.ts";
import { checkLine, computeTotals, exceedsMaxAmount, MAX_AMOUNT, type LineInput } from "../../core/proposals/totals.ts";
import { PROPOSAL_STATUSES } from "../../core/proposals/proposal-status.ts";
import type { LineItemRow, ProposalRow } from "../../db/proposals/proposal-store.ts";

// ---------------------------------------------------------------------------------------------
// API shapes. Money is a decimal string with exactly 2 decimals ("1234.50"); quantities, prices
// with more than 2 decimals, percentages and rates keep their significant decimals.

const Money = z.string().openapi({ example: "1160.00", description: "Decimal string, 2 decimals" });

export const LineItemSchema = z
  .object({
    id: z.uuid(),
    position: z.number().int(),
    name: z.string().openapi({ example: "Póliza de mantenimiento anual" }),
    description: z.string().nullable(),
    quantity: z.string().openapi({ example: "2" }),
    unitPrice: z.string().openapi({ example: "1500.00", description: "At least 2 decimals, up to 4" }),
    discountPercent: z.string().openapi({ example: "10" }),
    taxRate: z.string().nullable().openapi({ example: "0.16", description: "null = exento" }),
    satProductKey: z.string().nullable(),
    satUnitKey: z.string().nullable(),
    subtotal: Money,
    discount: Money,
    taxableBase: Money,
    tax: Money,
    total: Money,
  })
  .openapi("ProposalLineItem");

export const ProposalSchema = z
  .object({
    id: z.uuid(),
    proposalNumber: z.string().openapi({ example: "COT-2026-00042" }),
    title: z.string(),
    leadId: z.uuid().nullable(),
    customerId: z.uuid().nullable(),
    currency: z.string().openapi({ example: "MXN" }),
    exchangeRate: z.string().openapi({ example: "1" }),
    validUntil: z.string().nullable().openapi({ example: "2026-12-31" }),
    notes: z.string().nullable(),
    terms: z.string().nullable(),
    status: z.enum(PROPOSAL_STATUSES),
    subtotal: Money,
    discountTotal: Money,
    taxTotal: Money,
    total: Money,
    sentAt: z.string().nullable(),
    viewedAt: z.string().nullable(),
    acceptedAt: z.string().nullable(),
    rejectedAt: z.string().nullable(),
    expiredAt: z.string().nullable(),
    linkCreatedAt: z
      .string()
      .nullable()
      .openapi({ description: "When the public link was issued (the token itself is never shown again)" }),
    linkRevokedAt: z.string().nullable(),
    version: z.number().int(),
    createdBy: z.uuid().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Proposal");

export const ProposalWithItemsSchema = ProposalSchema.extend({ items: z.array(LineItemSchema) }).openapi(
  "ProposalWithItems",
);

export type Proposal = z.infer<typeof ProposalSchema>;
export type LineItem = z.infer<typeof LineItemSchema>;

const money = (v: string) => formatDecimal(parseDecimal(v), 2);
const minimal = (v: string) => formatMinimal(parseDecimal(v));
/** Unit prices: at least the 2 decimals of money, up to the 4 stored. */
const price = (v: string) => {
  const text = minimal(v);
  const decimals = text.includes(".") ? text.length - text.indexOf(".") - 1 : 0;
  return decimals >= 2 ? text : money(v);
};

export function toProposal(row: ProposalRow): Proposal {
  return {
    id: row.id,
    proposalNumber: row.proposalNumber,
    title: row.title,
    leadId: row.leadId,
    customerId: row.customerId,
    currency: row.currency,
    exchangeRate: minimal(row.exchangeRate),
    validUntil: row.validUntil,
    notes: row.notes,
    terms: row.terms,
    status: row.status,
    subtotal: money(row.subtotal),
    discountTotal: money(row.discountTotal),
    taxTotal: money(row.taxTotal),
    total: money(row.total),
    sentAt: row.sentAt,
    viewedAt: row.viewedAt,
    acceptedAt: row.acceptedAt,
    rejectedAt: row.rejectedAt,
    expiredAt: row.expiredAt,
    linkCreatedAt: row.publicTokenCreatedAt,
    linkRevokedAt: row.publicTokenRevokedAt,
    version: row.version,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function toLineItem(row: LineItemRow): LineItem {
  return {
    id: row.id,
    position: row.position,
    name: row.name,
    description: row.description,
    quantity: minimal(row.quantity),
    unitPrice: price(row.unitPrice),
    discountPercent: minimal(row.discountPercent),
    taxRate: row.taxRate === null ? null : minimal(row.taxRate),
    satProductKey: row.satProductKey,
    satUnitKey: row.satUnitKey,
    subtotal: money(row.subtotal),
    discount: money(row.discount),
    taxableBase: money(row.taxableBase),
    tax: money(row.tax),
    total: money(row.total),
  };
}

export function toProposalWithItems(row: ProposalRow, items: LineItemRow[]): Proposal & { items: LineItem[] } {
  return { ...toProposal(row), items: [...items].sort((a, b) => a.position - b.position).map(toLineItem) };
}

// ---------------------------------------------------------------------------------------------
// Input. Amounts are decimal strings, never JSON numbers (binary floats); core/proposals/totals.ts
// decides what a valid line is (checkLine) and what it costs (computeTotals).

const DecimalText = (example: string, description: string) => z.string().max(40).openapi({ example, description });

export const LineItemInputSchema = z
  .object({
    name: z.string().trim().min(1).max(300),
    description: z.string().max(5_000).nullish(),
    quantity: DecimalText("2", "Decimal string > 0, up to 4 decimals"),
    unitPrice: DecimalText("1500.00", "Decimal string ≥ 0, up to 4 decimals"),
    discountPercent: DecimalText("10", "0–100, up to 2 decimals").optional(),
    taxRate: DecimalText(
      "0.16",
      'Fraction 0–1 (IVA 16 % = "0.16"); null = exento. Required: no rate is assumed',
    ).nullable(),
    satProductKey: z
      .string()
      .regex(/^\d{8}$/, "clave de producto SAT: 8 dígitos")
      .nullish(),
    satUnitKey: z
      .string()
      .regex(/^[A-Z0-9]{1,3}$/, "clave de unidad SAT: hasta 3 letras o dígitos")
      .nullish(),
  })
  .superRefine((line, ctx) => {
    for (const issue of checkLine(lineInput(line)))
      ctx.addIssue({ code: "custom", path: [issue.field], message: issue.message });
  })
  .openapi("ProposalLineItemInput");

export type LineItemInput = z.infer<typeof LineItemInputSchema>;

export function lineInput(line: {
  quantity: string;
  unitPrice: string;
  discountPercent?: string | null | undefined;
  taxRate: string | null;
}): LineInput {
  return {
    quantity: line.quantity,
    unitPrice: line.unitPrice,
    ...(line.discountPercent !== undefined && line.discountPercent !== null
      ? { discountPercent: line.discountPercent }
      : {}),
    taxRate: line.taxRate,
  };
}

export const MAX_ITEMS = 200;

/** Totals of a whole proposal, with the MAX_AMOUNT limit of the money columns as a field error. */
export const ItemsInputSchema = z
  .array(LineItemInputSchema)
  .max(MAX_ITEMS)
  .superRefine((items, ctx) => {
    // Only when every line is valid (each reported its own problems already).
    if (items.some((l) => checkLine(lineInput(l)).length > 0)) return;
    if (exceedsMaxAmount(computeTotals(items.map(lineInput)).totals)) {
      ctx.addIssue({ code: "custom", message: `el total de la propuesta excede el máximo permitido (${MAX_AMOUNT})` });
    }
  });

const CURRENCY_RE = /^[A-Z]{3}$/;

/** ISO 4217 as the runtime knows it (V8's Intl data), so "XYZ" is refused. */
function isIsoCurrency(code: string): boolean {
  try {
    return Intl.supportedValuesOf("currency").includes(code);
  } catch {
    return CURRENCY_RE.test(code);
  }
}

export const CurrencySchema = z
  .string()
  .regex(CURRENCY_RE, "código de moneda ISO 4217 en mayúsculas, p. ej. MXN o USD")
  .refine(isIsoCurrency, { message: "moneda ISO 4217 desconocida" })
  .openapi({ example: "MXN" });

export const ExchangeRateSchema = z
  .string()
  .regex(/^\d{1,12}(?:\.\d{1,6})?$/, "tipo de cambio: decimal positivo con hasta 6 decimales")
  .refine((v) => compare(parseDecimal(v), parseDecimal("0")) > 0, {
    message: "el tipo de cambio debe ser mayor que cero",
  })
  .openapi({ example: "17.254300", description: "MXN per unit of `currency`; required when currency is not MXN" });

export const DateSchema = z.iso.date({ error: "fecha en formato AAAA-MM-DD" }).openapi({ example: "2026-12-31" });

const ProposalFields = {
  title: z.string().trim().min(1).max(300),
  leadId: z.uuid().nullish(),
  customerId: z.uuid().nullish(),
  currency: CurrencySchema.optional(),
  exchangeRate: ExchangeRateSchema.optional(),
  validUntil: DateSchema.nullish(),
  notes: z.string().max(20_000).nullish(),
  terms: z.string().max(20_000).nullish(),
  items: ItemsInputSchema.optional(),
};

/** MXN is the tenant's own currency (rate 1); any other needs the rate it was quoted at. */
function checkCurrency(
  v: { currency?: string | undefined; exchangeRate?: string | undefined },
  ctx: z.RefinementCtx,
  requireCurrencyWithRate: boolean,
): void {
  if (v.currency === undefined) {
    if (requireCurrencyWithRate && v.exchangeRate !== undefined) {
      ctx.addIssue({ code: "custom", path: ["currency"], message: "envíe currency junto con exchangeRate" });
    } else if (
      !requireCurrencyWithRate &&
      v.exchangeRate !== undefined &&
      compare(parseDecimal(v.exchangeRate), parseDecimal("1")) !== 0
    ) {
      ctx.addIssue({ code: "custom", path: ["exchangeRate"], message: "una propuesta en MXN tiene tipo de cambio 1" });
    }
    return;
  }
  if (v.currency === "MXN") {
    if (v.exchangeRate !== undefined && compare(parseDecimal(v.exchangeRate), parseDecimal("1")) !== 0) {
      ctx.addIssue({ code: "custom", path: ["exchangeRate"], message: "una propuesta en MXN tiene tipo de cambio 1" });
    }
  } else if (v.exchangeRate === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["exchangeRate"],
      message: `el tipo de cambio es obligatorio para ${v.currency}`,
    });
  }
}

export const ProposalCreateSchema = z
  .object(ProposalFields)
  .superRefine((v, ctx) => {
    if (!v.leadId && !v.customerId)
      ctx.addIssue({ code: "custom", path: ["leadId"], message: "indique leadId o customerId" });
    checkCurrency(v, ctx, false);
  })
  .openapi("ProposalCreate");

export const ProposalPatchSchema = z
  .object({ ...ProposalFields, title: ProposalFields.title.optional() })
  .superRefine((v, ctx) => {
    if (Object.keys(v).length === 0) ctx.addIssue({ code: "custom", message: "send at least one field" });
    checkCurrency(v, ctx, true);
  })
  .openapi("ProposalPatch");
