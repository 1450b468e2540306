/**
 * An invoice's life (issue 13): `draft` (built and valid, not yet stamped) or `validation_failed`
 * (the engine's issues are kept; nothing reaches the PAC) → `stamping` → `stamped` or
 * `stamp_failed` (retried) → `cancel_pending` (the receptor must accept) → `cancelled`.
 */
export const INVOICE_STATUSES = [
  "draft",
  "validation_failed",
  "stamping",
  "stamped",
  "stamp_failed",
  "cancel_pending",
  "cancelled",
] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

export function isInvoiceStatus(value: unknown): value is InvoiceStatus {
  return typeof value === "string" && (INVOICE_STATUSES as readonly string[]).includes(value);
}

/**
 * SAT's cancellation reasons (since 2022): 01 comprobante emitido con errores con relación (needs the
 * substitute's UUID), 02 con errores sin relación, 03 no se llevó a cabo la operación, 04 operación
 * nominativa relacionada en una factura global.
 */
export const CANCEL_MOTIVOS = ["01", "02", "03", "04"] as const;
export type CancelMotivo = (typeof CANCEL_MOTIVOS)[number];
