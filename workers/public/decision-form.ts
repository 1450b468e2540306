import { checkRfc } from "../../core/cfdi/rfc.ts";
import type { AcceptInput } from "../../db/proposals/public-link-store.ts";

// Validation of the accept/reject forms (application/x-www-form-urlencoded), with Spanish messages
// shown next to the fields.

export type AcceptForm =
  { ok: true; input: AcceptInput } | { ok: false; errors: Record<string, string>; values: Record<string, string> };

const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;

function field(form: Record<string, unknown>, name: string): string {
  const v = form[name];
  return typeof v === "string" ? v.trim() : "";
}

export function parseAcceptForm(form: Record<string, unknown>): AcceptForm {
  const fullName = field(form, "fullName").replace(/\s+/g, " ");
  const rfc = field(form, "rfc").toUpperCase();
  const email = field(form, "email").toLowerCase();
  const errors: Record<string, string> = {};
  if (fullName.length < 3 || fullName.length > 200)
    errors.fullName = "Escribe tu nombre completo (de 3 a 200 caracteres).";
  if (rfc) {
    const check = checkRfc(rfc);
    if (!check.ok) errors.rfc = check.message;
  }
  if (email && (email.length > 254 || !EMAIL.test(email))) errors.email = "El correo no es válido.";
  if (field(form, "confirm") !== "si") errors.confirm = "Marca la casilla para confirmar que aceptas la propuesta.";
  if (Object.keys(errors).length > 0) return { ok: false, errors, values: { fullName, rfc, email } };
  return { ok: true, input: { fullName, rfc: rfc || null, email: email || null } };
}

export function parseRejectReason(form: Record<string, unknown>): string | null {
  const reason = field(form, "reason").slice(0, 1000);
  return reason.length > 0 ? reason : null;
}
