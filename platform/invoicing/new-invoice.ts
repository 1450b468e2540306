import { buildComprobante } from "../../core/cfdi/build.ts";
import { CfdiError, type Issue } from "../../core/cfdi/errors.ts";
import type { InvoiceInput } from "../../core/cfdi/invoice-input.ts";
import type { FiscalProfileRow } from "../../db/fiscal/fiscal-profile-store.ts";
import type { NewInvoice, ProposalToInvoiceRow } from "../../db/invoicing/invoice-store.ts";
import { invoiceFromProposal } from "../../core/invoicing/proposal-invoice.ts";

// An invoice row from an engine model: the engine's verdict decides `draft` or `validation_failed`.
// Shared by POST /v1/invoices and the auto-invoicing of accepted proposals.

/** The engine's verdict: the built amounts, or its issues (never thrown). */
function validate(input: InvoiceInput) {
  try {
    const built = buildComprobante(input);
    const c = built.comprobante;
    return { issues: [] as Issue[], subtotal: c.SubTotal, descuento: c.Descuento ?? "0", total: c.Total };
  } catch (err) {
    if (err instanceof CfdiError) return { issues: [...err.issues], subtotal: "0", descuento: "0", total: null };
    throw err;
  }
}

export function newInvoice(
  tenantId: string,
  userId: string | null,
  input: InvoiceInput,
  refs: { customerId: string | null; proposalId: string | null; fallbackTotal: string },
): NewInvoice {
  const verdict = validate(input);
  return {
    id: crypto.randomUUID(),
    tenantId,
    customerId: refs.customerId,
    proposalId: refs.proposalId,
    status: verdict.issues.length === 0 ? "draft" : "validation_failed",
    input,
    issues: verdict.issues.map((i) => ({ path: i.path, code: i.code, message: i.message })),
    serie: typeof input.serie === "string" ? input.serie : null,
    moneda: typeof input.moneda === "string" ? input.moneda : "MXN",
    tipoCambio: input.tipoCambio === undefined ? null : String(input.tipoCambio),
    metodoPago: typeof input.metodoPago === "string" ? input.metodoPago : null,
    formaPago: typeof input.formaPago === "string" ? input.formaPago : null,
    usoCfdi: typeof input.receptor?.usoCfdi === "string" ? input.receptor.usoCfdi : null,
    receptorRfc: typeof input.receptor?.rfc === "string" ? input.receptor.rfc : null,
    receptorNombre: typeof input.receptor?.nombre === "string" ? input.receptor.nombre : null,
    subtotal: verdict.subtotal,
    descuento: verdict.descuento,
    total: verdict.total ?? refs.fallbackTotal,
    createdBy: userId,
  };
}

/** The proposal (with its customer's fiscal data) as the engine's model, or what is missing. */
export function mapProposal(
  profile: FiscalProfileRow,
  proposal: ProposalToInvoiceRow,
  items: Parameters<typeof invoiceFromProposal>[2]["items"],
  options: Parameters<typeof invoiceFromProposal>[3],
) {
  return invoiceFromProposal(
    issuerOf(profile),
    {
      rfc: proposal.customerRfc,
      razonSocial: proposal.customerRazonSocial ?? "",
      regimenFiscal: proposal.customerRegimenFiscal,
      codigoPostal: proposal.customerCodigoPostal,
      usoCfdi: proposal.customerUsoCfdi ?? "G03",
    },
    {
      proposalNumber: proposal.proposalNumber,
      currency: proposal.currency,
      exchangeRate: proposal.exchangeRate,
      total: proposal.total,
      items,
    },
    options,
  );
}

export function issuerOf(profile: FiscalProfileRow) {
  return {
    rfc: profile.rfc,
    razonSocial: profile.razonSocial,
    regimenFiscal: profile.regimenFiscal,
    lugarExpedicion: profile.lugarExpedicion,
    serie: profile.serie,
  };
}
