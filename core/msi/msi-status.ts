/**
 * An MSI plan (issue 14): `active` → `completed` when everything is paid (or waived), `defaulted`
 * after N overdue installments (tenant setting, default 3), or `cancelled` by a person.
 */
export const MSI_PLAN_STATUSES = ["active", "completed", "defaulted", "cancelled"] as const;
export type MsiPlanStatus = (typeof MSI_PLAN_STATUSES)[number];

/**
 * An installment: `pending` until its due date passes unpaid (`overdue`, decided daily in the
 * tenant's zone); `paid` once payments cover it; `waived` by a manager; `cancelled` with its plan.
 */
export const MSI_INSTALLMENT_STATUSES = ["pending", "paid", "overdue", "waived", "cancelled"] as const;
export type MsiInstallmentStatus = (typeof MSI_INSTALLMENT_STATUSES)[number];

/**
 * Reminders per installment: `before` (N days before the due date, tenant setting, default 3), `due`
 * (on the due date), `overdue_1` and `overdue_7` (1 and 7 days after it, while still unpaid).
 */
export const MSI_REMINDER_KINDS = ["before", "due", "overdue_1", "overdue_7"] as const;
export type MsiReminderKind = (typeof MSI_REMINDER_KINDS)[number];
