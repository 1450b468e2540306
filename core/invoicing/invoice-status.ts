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
