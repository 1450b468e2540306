/**
 * An accepted proposal as the CFDI 4.0 the engine builds (core/cfdi InvoiceInput), following the
 * mapping core/proposals/totals.ts documents, so the invoice shows the amounts the customer
 * accepted or the engine refuses it (totalEsperado → TOTAL_MISMATCH), never another amount:
 *
 * - each line: Cantidad = quantity, ValorUnitario = unitPrice, Descuento = the line's discount
 *   AMOUNT, ClaveProdServ / ClaveUnidad = the line's SAT keys (required: guessing a fiscal
 *   classification is not ours to do), Descripcion = name (— description);
 * - IVA traslado per line: rate → Tasa with that rate; no rate → Exento (ObjetoImp 02); a line
 *   whose taxable base is 0 (100 % discount) → ObjetoImp 01 without taxes (SAT refuses Base 0);
 * - a free line (unitPrice 0) is left out: SAT requires ValorUnitario > 0, and it adds nothing;
 * - moneda = the proposal's currency, TipoCambio = its exchange rate when not MXN;
 * - emisor from the tenant's fiscal profile, receptor from the customer's fiscal data;
 * - payment: given by the caller, else PPD with forma 99 ("por definir"), the SAT's rule when the
 *   payment is not settled at issuance (a complemento de pago follows each payment).
 *
 * Problems come back together (Spanish, with paths), never thrown. Runtime-free.
 */
import type { Issue } from "../cfdi/errors.ts";
import type { ConceptoInput, InvoiceInput } from "../cfdi/invoice-input.ts";
import { compare, parseDecimal } from "../money/decimal.ts";
import { computeLine } from "../proposals/totals.ts";

export interface IssuerProfile {
  rfc: string;
  razonSocial: string;
  regimenFiscal: string;
  lugarExpedicion: string;
  serie: string | null;
}

export interface ReceptorData {
  rfc: string | null;
  razonSocial: string;
  regimenFiscal: string | null;
  codigoPostal: string | null;
  usoCfdi: string;
}

export interface ProposalForInvoice {
  proposalNumber: string;
  currency: string;
  exchangeRate: string;
  total: string;
  items: {
    name: string;
    description: string | null;
    quantity: string;
    unitPrice: string;
    discountPercent: string;
    taxRate: string | null;
    satProductKey: string | null;
    satUnitKey: string | null;
  }[];
}

export interface InvoiceOptions {
  formaPago?: string | undefined;
  metodoPago?: string | undefined;
  usoCfdi?: string | undefined;
  condicionesDePago?: string | undefined;
}

export type ProposalInvoice = { ok: true; input: InvoiceInput } | { ok: false; issues: Issue[] };

const MAX_DESCRIPCION = 1_000;

function concepto(item: ProposalForInvoice["items"][number]): ConceptoInput {
  const amounts = computeLine(item);
  const descripcion = (item.description ? `${item.name} — ${item.description}` : item.name).slice(0, MAX_DESCRIPCION);
  const base: ConceptoInput = {
    claveProdServ: item.satProductKey ?? "",
    claveUnidad: item.satUnitKey ?? "",
    cantidad: item.quantity,
    descripcion,
    valorUnitario: item.unitPrice,
    ...(amounts.discount !== "0.00" ? { descuento: amounts.discount } : {}),
    objetoImp: "02",
  };
  if (amounts.taxableBase === "0.00" && item.taxRate !== null) return { ...base, objetoImp: "01" };
  return {
    ...base,
    traslados: [
      item.taxRate === null
        ? { impuesto: "002", tipoFactor: "Exento" }
        : { impuesto: "002", tipoFactor: "Tasa", tasaOCuota: item.taxRate },
    ],
  };
}

export function invoiceFromProposal(
  issuer: IssuerProfile,
  receptor: ReceptorData,
  proposal: ProposalForInvoice,
  options: InvoiceOptions = {},
): ProposalInvoice {
  const issues: Issue[] = [];
  const missing = (path: string, what: string) =>
    issues.push({
      path,
      code: "CUSTOMER_FISCAL_DATA",
      message: `Falta ${what} del cliente para facturar; complétalo en el cliente (PATCH /v1/customers/{id}).`,
    });
  if (!receptor.rfc) missing("customer.rfc", "el RFC");
  if (!receptor.regimenFiscal) missing("customer.regimenFiscal", "el régimen fiscal");
  if (!receptor.codigoPostal) missing("customer.codigoPostal", "el código postal del domicilio fiscal");

  const billable = proposal.items
    .map((item, index) => ({ item, index }))
    .filter(({ item }) => compare(parseDecimal(item.unitPrice), parseDecimal("0")) > 0);
  if (billable.length === 0)
    issues.push({
      path: "proposal.items",
      code: "NO_BILLABLE_ITEMS",
      message: `La cotización ${proposal.proposalNumber} no tiene partidas con precio; no hay nada que facturar.`,
    });
  for (const { item, index } of billable) {
    if (!item.satProductKey)
      issues.push({
        path: `proposal.items[${index}].satProductKey`,
        code: "SAT_PRODUCT_KEY_MISSING",
        message: `La partida «${item.name}» no tiene clave de producto o servicio del SAT (c_ClaveProdServ).`,
      });
    if (!item.satUnitKey)
      issues.push({
        path: `proposal.items[${index}].satUnitKey`,
        code: "SAT_UNIT_KEY_MISSING",
        message: `La partida «${item.name}» no tiene clave de unidad del SAT (c_ClaveUnidad).`,
      });
  }
  if (issues.length > 0) return { ok: false, issues };

  const metodoPago = options.metodoPago ?? "PPD";
  const formaPago = options.formaPago ?? (metodoPago === "PPD" ? "99" : undefined);
  const input: InvoiceInput = {
    tipoDeComprobante: "I",
    ...(issuer.serie ? { serie: issuer.serie } : {}),
    moneda: proposal.currency,
    ...(proposal.currency !== "MXN" ? { tipoCambio: proposal.exchangeRate } : {}),
    metodoPago,
    ...(formaPago ? { formaPago } : {}),
    ...(options.condicionesDePago ? { condicionesDePago: options.condicionesDePago } : {}),
    lugarExpedicion: issuer.lugarExpedicion,
    emisor: { rfc: issuer.rfc, nombre: issuer.razonSocial, regimenFiscal: issuer.regimenFiscal },
    receptor: {
      rfc: receptor.rfc!,
      nombre: receptor.razonSocial,
      domicilioFiscal: receptor.codigoPostal!,
      regimenFiscal: receptor.regimenFiscal!,
      usoCfdi: options.usoCfdi ?? receptor.usoCfdi,
    },
    conceptos: billable.map(({ item }) => concepto(item)),
    totalEsperado: proposal.total,
  };
  return { ok: true, input };
}
