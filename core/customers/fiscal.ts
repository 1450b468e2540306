/**
 * Fiscal data of a customer, checked when it is saved so that the CFDI built for it later does not
 * fail on the receptor. The rules are the receptor rules of the CFDI 4.0 validator
 * (core/cfdi/validation.ts, Anexo 20 "Guía de llenado"), with the same issue codes, applied to
 * whatever part of the data is present:
 *
 * - RFC: format and an existing embedded date (core/cfdi/rfc.ts `checkRfc`). 12 characters =
 *   persona moral, 13 = persona física.
 * - Generic RFCs XAXX010101000 (público en general) and XEXX010101000 (residente en el extranjero)
 *   are allowed; with them SAT requires régimen 616 "Sin obligaciones fiscales" and uso S01 (CP01
 *   for payment receipts). Their domicilio fiscal on the CFDI is the issuer's LugarExpedicion, which
 *   the CFDI builder supplies; the customer's own código postal is not compared here.
 * - Régimen fiscal in c_RegimenFiscal and applicable to the RFC's persona.
 * - Código postal: 5 digits (c_CodigoPostal is too large to embed; the PAC checks it, and SAT also
 *   requires it to match the taxpayer's registered address, which only the PAC can verify).
 * - Uso CFDI in c_UsoCFDI, applicable to the persona and to the régimen ("Régimen Fiscal
 *   Receptor" column).
 *
 * null / undefined fields are not checked on their own; combination rules apply between the fields
 * that are present (e.g. régimen + uso without an RFC still checks the uso against the régimen).
 */
import { REGIMEN_FISCAL, USO_CFDI } from "../cfdi/catalogs.ts";
import type { Persona } from "../cfdi/catalogs.ts";
import { RFC_EXTRANJERO, RFC_PUBLICO_EN_GENERAL, checkRfc } from "../cfdi/rfc.ts";

export interface FiscalInput {
  rfc?: string | null;
  regimenFiscal?: string | null;
  codigoPostal?: string | null;
  usoCfdi?: string | null;
}

export interface FiscalIssue {
  field: "rfc" | "regimenFiscal" | "codigoPostal" | "usoCfdi";
  code: string;
  /** Spanish (es-MX), for the end user. */
  message: string;
}

const CP_RE = /^[0-9]{5}$/;

/** The form RFCs are stored and compared in: trimmed, upper-case ("ñ" → "Ñ"). */
export function normalizeRfc(rfc: string): string {
  return rfc.trim().toUpperCase();
}

export function isGenericRfc(rfc: string): boolean {
  const r = normalizeRfc(rfc);
  return r === RFC_PUBLICO_EN_GENERAL || r === RFC_EXTRANJERO;
}

const present = (v: string | null | undefined): v is string => v !== null && v !== undefined;
const personaText = (p: Persona) => (p === "moral" ? "moral (RFC de 12 caracteres)" : "física (RFC de 13 caracteres)");

/**
 * Returns every problem found, [] when the data is usable for a CFDI. The RFC is checked in its
 * normalised form (`normalizeRfc`), which is also the form to store.
 */
export function checkFiscalData(input: FiscalInput): FiscalIssue[] {
  const issues: FiscalIssue[] = [];

  // --- each field on its own -------------------------------------------------------------------
  let persona: Persona | undefined;
  let generic = false;
  if (present(input.rfc)) {
    const rfc = normalizeRfc(input.rfc);
    const r = checkRfc(rfc);
    if (r.ok) {
      persona = r.persona;
      generic = rfc === RFC_PUBLICO_EN_GENERAL || rfc === RFC_EXTRANJERO;
    } else {
      issues.push({ field: "rfc", code: r.code, message: r.message });
    }
  }

  let regimen: string | undefined;
  if (present(input.regimenFiscal)) {
    if (Object.hasOwn(REGIMEN_FISCAL, input.regimenFiscal)) regimen = input.regimenFiscal;
    else
      issues.push({
        field: "regimenFiscal",
        code: "CATALOG",
        message: `El régimen fiscal "${input.regimenFiscal}" no existe en el catálogo c_RegimenFiscal.`,
      });
  }

  if (present(input.codigoPostal) && !CP_RE.test(input.codigoPostal)) {
    issues.push({
      field: "codigoPostal",
      code: "CP_FORMAT",
      message: "El código postal debe tener exactamente 5 dígitos.",
    });
  }

  let uso: string | undefined;
  if (present(input.usoCfdi)) {
    if (Object.hasOwn(USO_CFDI, input.usoCfdi)) uso = input.usoCfdi;
    else
      issues.push({
        field: "usoCfdi",
        code: "CATALOG",
        message: `El uso de CFDI "${input.usoCfdi}" no existe en el catálogo c_UsoCFDI.`,
      });
  }

  // --- combinations ----------------------------------------------------------------------------
  if (generic) {
    if (regimen && regimen !== "616") {
      issues.push({
        field: "regimenFiscal",
        code: "REGIMEN_RFC_GENERICO",
        message: 'Con RFC genérico el régimen fiscal debe ser "616" (Sin obligaciones fiscales).',
      });
    }
    if (uso && uso !== "S01" && uso !== "CP01") {
      issues.push({
        field: "usoCfdi",
        code: "USO_RFC_GENERICO",
        message: 'Con RFC genérico el uso del CFDI debe ser "S01" (Sin efectos fiscales).',
      });
    }
    return issues;
  }

  const reg = regimen ? REGIMEN_FISCAL[regimen] : undefined;
  if (persona && regimen && reg && !reg[persona]) {
    issues.push({
      field: "regimenFiscal",
      code: "REGIMEN_PERSONA",
      message: `El régimen ${regimen} (${reg.descripcion}) no aplica a una persona ${personaText(persona)}.`,
    });
  }
  const u = uso ? USO_CFDI[uso] : undefined;
  if (uso && u) {
    if (persona && !u[persona]) {
      issues.push({
        field: "usoCfdi",
        code: "USO_PERSONA",
        message: `El uso ${uso} (${u.descripcion}) no aplica a una persona ${personaText(persona)}.`,
      });
    } else if (regimen && !u.regimenes.includes(regimen)) {
      issues.push({
        field: "usoCfdi",
        code: "USO_REGIMEN",
        message: `El uso ${uso} (${u.descripcion}) no es válido para el régimen fiscal ${regimen}.`,
      });
    }
  }
  return issues;
}
