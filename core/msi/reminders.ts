/**
 * MSI reminders (issue 14): which reminder an installment is due for on a tenant-local date, and
 * what it says. Runtime-free; the claims that make each one go out once are db/msi/msi-reminders-store.ts,
 * the run workers/cron/msi-reminders.ts.
 *
 * The rules:
 * - **Kinds and windows** (days from the due date to `today`, the tenant's calendar): `before` from
 *   N days before until the day before (N = `settings.msi.reminderDaysBefore`, 1–30, default 3);
 *   `due` on the due date; `overdue_1` from 1 to 6 days after; `overdue_7` from 7 to 13 days after.
 *   A run sends only the kind whose window `today` is in, so a missed day catches up with the
 *   current kind and never sends a stale one next to it (no "vence pronto" beside "venció").
 * - **Retries.** A failed send is taken again by the next run while its kind is still current; a
 *   kind whose window has passed is superseded by the next kind. Failures that reached a provider
 *   (or found no contact) count towards REMINDER_MAX_ATTEMPTS; a refusal by the tenant's daily
 *   WhatsApp quota does not (it is retried each run while current).
 * - **When.** Runs start at the tenant's local 08:00 (hourly cron); the first run of the day sends,
 *   later ones retry what failed.
 */
import type { MsiReminderKind } from "./msi-status.ts";
import { daysBetween } from "./schedule.ts";

export const DEFAULT_REMINDER_DAYS_BEFORE = 3;
export const MAX_REMINDER_DAYS_BEFORE = 30;
/** The last day of `overdue_7`'s window, in days after the due date. */
export const LAST_REMINDER_DAY = 13;
/** Tenant-local hour from which reminders and the morning summary go out. */
export const REMINDER_MORNING_HOUR = 8;
/** Claims per reminder (first send and retries) before a failing one is left failed. */
export const REMINDER_MAX_ATTEMPTS = 5;
/** A claim whose sender has not recorded an outcome in this long is taken to have died. */
export const STALE_CLAIM_MS = 15 * 60_000;

/** `settings.msi.reminderDaysBefore` of the tenant's settings jsonb, when it is an integer 1–30. */
export function reminderDaysBefore(settings: unknown): number {
  const msi = isRecord(settings) ? settings.msi : undefined;
  const n = isRecord(msi) ? msi.reminderDaysBefore : undefined;
  return typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= MAX_REMINDER_DAYS_BEFORE
    ? n
    : DEFAULT_REMINDER_DAYS_BEFORE;
}

/** The kind whose window `today` is in for an installment due `dueDate` (see the rules above), or null. */
export function currentReminderKind(dueDate: string, today: string, daysBefore: number): MsiReminderKind | null {
  const after = daysBetween(dueDate, today);
  if (after < 0) return -after <= daysBefore ? "before" : null;
  if (after === 0) return "due";
  if (after < 7) return "overdue_1";
  if (after <= LAST_REMINDER_DAY) return "overdue_7";
  return null;
}

/** `date` plus `days` calendar days (YYYY-MM-DD). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The hour (0–23) of `now` in `timeZone`. */
export function localHour(now: Date, timeZone: string): number {
  const hour = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", hourCycle: "h23" }).format(now);
  return Number(hour);
}

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

/** "2027-01-15" → "15 de enero de 2027". */
export function spanishDate(date: string): string {
  const [y, m, d] = date.split("-").map(Number);
  return `${d} de ${MONTHS[m! - 1]} de ${y}`;
}

/** What a reminder is about; `amount` is the outstanding rest in MXN, already formatted ("$1,234.56 MXN"). */
export interface ReminderFacts {
  kind: MsiReminderKind;
  customerName: string;
  number: number;
  count: number;
  amount: string;
  dueDate: string;
  today: string;
}

export interface ReminderMessage {
  subject: string;
  /** The sentence the customer reads (email body, timeline activity). */
  text: string;
  html: string;
  /** WhatsApp template: its name per kind and the body parameters {{1}}…{{4}}. */
  template: { name: string; language: string; parameters: string[] };
}

/**
 * The approved WhatsApp templates the reminders use, one per kind (language es_MX), each with body
 * parameters {{1}} customer, {{2}} "2 de 6", {{3}} amount, {{4}} due date. Twilio channels send by
 * Content SID instead: `settings.msi.twilioContentSids` maps each kind to its HX… SID.
 */
export const REMINDER_TEMPLATES: Record<MsiReminderKind, string> = {
  before: "msi_recordatorio_previo",
  due: "msi_recordatorio_vence_hoy",
  overdue_1: "msi_recordatorio_vencido",
  overdue_7: "msi_recordatorio_vencido_7_dias",
};
export const REMINDER_TEMPLATE_LANGUAGE = "es_MX";

/** `settings.msi.twilioContentSids[kind]` when it is a Content SID. */
export function twilioContentSid(settings: unknown, kind: MsiReminderKind): string | null {
  const msi = isRecord(settings) ? settings.msi : undefined;
  const sids = isRecord(msi) ? msi.twilioContentSids : undefined;
  const sid = isRecord(sids) ? sids[kind] : undefined;
  return typeof sid === "string" && /^HX[0-9a-fA-F]{32}$/.test(sid) ? sid : null;
}

export function reminderMessage(f: ReminderFacts): ReminderMessage {
  const which = `${f.number} de ${f.count}`;
  const date = spanishDate(f.dueDate);
  const lead = `tu mensualidad ${which} por ${f.amount}`;
  let subject: string;
  let text: string;
  switch (f.kind) {
    case "before":
      subject = `Recordatorio: mensualidad ${which} vence el ${date}`;
      text = `Recordatorio: ${lead} vence el ${date}.`;
      break;
    case "due":
      subject = `Recordatorio: mensualidad ${which} vence hoy`;
      text = `Recordatorio: ${lead} vence hoy, ${date}.`;
      break;
    case "overdue_1":
      subject = `Aviso: mensualidad ${which} vencida`;
      text = `Aviso: ${lead} venció el ${date} y sigue pendiente de pago.`;
      break;
    case "overdue_7": {
      const days = daysBetween(f.dueDate, f.today);
      subject = `Aviso: mensualidad ${which} con ${days} días de atraso`;
      text = `Aviso: ${lead} venció el ${date} y lleva ${days} días sin pagarse. Comunícate con nosotros para ponerte al corriente.`;
      break;
    }
  }
  const greeting = `Hola ${f.customerName}:`;
  return {
    subject,
    text: `${greeting}\n\n${text}\n\nSi ya realizaste el pago, ignora este mensaje.`,
    html: `<p>${escapeHtml(greeting)}</p><p>${escapeHtml(text)}</p><p>Si ya realizaste el pago, ignora este mensaje.</p>`,
    template: {
      name: REMINDER_TEMPLATES[f.kind],
      language: REMINDER_TEMPLATE_LANGUAGE,
      parameters: [f.customerName, which, f.amount, date],
    },
  };
}

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
