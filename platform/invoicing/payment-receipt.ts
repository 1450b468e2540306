import { CfdiError } from "../../core/cfdi/errors.ts";
import type { InvoiceInput } from "../../core/cfdi/invoice-input.ts";
import { validatePagoInput } from "../../core/cfdi/pagos.ts";
import { paymentReceiptInput } from "../../core/invoicing/payment-receipt.ts";
import { getFiscalProfile } from "../../db/fiscal/fiscal-profile-store.ts";
import { findPgError } from "../../db/pg-error.ts";
import {
  insertInvoice,
  paymentForReceipt,
  PAYMENT_RECEIPT_KEY,
  validationFailedEvent,
} from "../../db/invoicing/invoice-store.ts";
import { issuerOf } from "./new-invoice.ts";
import { stampInvoice, type StampOutcome, type StampingContext } from "./stamping.ts";

// The recibo de pago (CFDI type P, Pagos 2.0) for an MSI payment on a PPD invoice (issue 14):
// MSI.PaymentReceived → the stamping queue → this. One receipt per payment (a unique index on
// cfdi_invoices.msi_payment_id), stamped through the account's PAC like any invoice: same sealing,
// same retries, same R2 archive. Listed with GET /v1/invoices?type=P&relatedTo={uuid}.

export type ReceiptResult =
  | { kind: "not-needed"; reason: string }
  | { kind: "refused"; invoiceId: string; reason: string }
  | { kind: "stamp"; invoiceId: string; outcome: StampOutcome };

export async function issuePaymentReceipt(ctx: StampingContext, paymentId: string): Promise<ReceiptResult> {
  const { tenantId, work } = ctx;
  const [[payments, invoices, before, existing], [profiles]] = await Promise.all([
    work.run(paymentForReceipt(tenantId, paymentId)),
    work.run([getFiscalProfile(tenantId)]),
  ]);
  const payment = payments[0];
  if (!payment) return { kind: "not-needed", reason: "the payment does not exist" };
  if (!payment.invoiceId) return { kind: "not-needed", reason: "the plan has no invoice" };
  const invoice = invoices[0];
  if (!invoice?.uuid || invoice.status === "cancelled" || invoice.status === "cancel_pending")
    return { kind: "not-needed", reason: `the plan's invoice is ${invoice?.status ?? "gone"}` };
  if (invoice.metodoPago !== "PPD") return { kind: "not-needed", reason: "the plan's invoice is not PPD" };
  const profile = profiles[0];
  if (!profile) return { kind: "not-needed", reason: "the account has no fiscal profile" };

  let receiptId = existing[0]?.id;
  if (!receiptId) {
    let input;
    try {
      input = paymentReceiptInput(
        issuerOf(profile),
        { uuid: invoice.uuid.toUpperCase(), serie: invoice.serie, folio: invoice.folio, input: invoice.input },
        {
          amount: payment.amount,
          formaPago: payment.formaPago,
          paidAt: payment.paidAt,
          currency: payment.currency,
          exchangeRate: payment.exchangeRate,
          reference: payment.reference,
        },
        before,
      );
    } catch (err) {
      // The stamped invoice's own model no longer builds: nothing to prorate its taxes from.
      if (!(err instanceof CfdiError)) throw err;
      return { kind: "not-needed", reason: `the invoice's model does not build: ${err.message}` };
    }
    const { issues } = validatePagoInput(input);
    const id = crypto.randomUUID();
    try {
      const [, events] = await work.run([
        insertInvoice({
          id,
          tenantId,
          customerId: payment.customerId,
          proposalId: null,
          status: issues.length === 0 ? "draft" : "validation_failed",
          input: input as unknown as InvoiceInput,
          issues: issues.map((i) => ({ path: i.path, code: i.code, message: i.message })),
          serie: input.serie ?? null,
          moneda: "XXX",
          tipoCambio: null,
          metodoPago: null,
          formaPago: null,
          usoCfdi: "CP01",
          receptorRfc: input.receptor.rfc,
          receptorNombre: input.receptor.nombre,
          subtotal: "0",
          descuento: "0",
          total: "0",
          createdBy: null,
          tipoComprobante: "P",
          msiPaymentId: payment.id,
          relatedUuid: invoice.uuid,
        }),
        validationFailedEvent(tenantId, id, null),
      ]);
      ctx.publish(events);
      receiptId = id;
      if (issues.length > 0) return { kind: "refused", invoiceId: id, reason: issues.map((i) => i.message).join("; ") };
    } catch (err) {
      if (findPgError(err)?.constraint !== PAYMENT_RECEIPT_KEY) throw err;
      const [, , , again] = await work.run(paymentForReceipt(tenantId, paymentId));
      if (!again[0]) throw err;
      receiptId = again[0].id;
    }
  }
  return { kind: "stamp", invoiceId: receiptId, outcome: await stampInvoice(ctx, receiptId) };
}
