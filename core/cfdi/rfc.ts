/**
 * RFC (Registro Federal de Contribuyentes) syntax, per tdCFDI.xsd t_RFC and the SAT's RFC
 * structure: 3 letters (persona moral) or 4 (persona física), the date of incorporation / birth as
 * YYMMDD, and a 3-character homoclave. The check digit is not verified here: SAT validates RFCs
 * against its list of registered taxpayers (LCO) when stamping, which is the authoritative test.
 */
import type { Persona } from "./catalogs.ts";

export const RFC_RE = /^([A-ZÑ&]{3,4})([0-9]{2})(0[1-9]|1[012])(0[1-9]|[12][0-9]|3[01])[A-Z0-9]{2}[0-9A]$/;

/** Público en general (ventas a consumidores finales) — Anexo 20, guía de llenado. */
export const RFC_PUBLICO_EN_GENERAL = "XAXX010101000";
/** Residentes en el extranjero sin RFC. */
export const RFC_EXTRANJERO = "XEXX010101000";

export type RfcCheck = { ok: true; persona: Persona } | { ok: false; code: string; message: string };

export function checkRfc(rfc: string): RfcCheck {
  const m = RFC_RE.exec(rfc);
  if (!m) {
    return {
      ok: false,
      code: "RFC_FORMAT",
      message: `El RFC "${rfc}" no tiene un formato válido: 3 letras (persona moral) o 4 (persona física), fecha AAMMDD y homoclave de 3 caracteres, en mayúsculas.`,
    };
  }
  // The embedded date must exist (no 30 de febrero); two-digit years cover 1900–2099 and both
  // readings must be checked for 29 de febrero (e.g. "000229" is valid because 2000 was leap).
  const yy = Number(m[2]);
  const mm = Number(m[3]);
  const dd = Number(m[4]);
  const validIn = (year: number) => {
    const d = new Date(Date.UTC(year, mm - 1, dd));
    return d.getUTCMonth() === mm - 1 && d.getUTCDate() === dd;
  };
  if (!validIn(1900 + yy) && !validIn(2000 + yy)) {
    return {
      ok: false,
      code: "RFC_DATE",
      message: `El RFC "${rfc}" contiene una fecha inexistente (${m[2]}-${m[3]}-${m[4]}).`,
    };
  }
  return { ok: true, persona: (m[1] as string).length === 3 ? "moral" : "fisica" };
}
