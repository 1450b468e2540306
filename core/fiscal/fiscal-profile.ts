// The tenant as CFDI issuer: the closed sets of its PAC set-up and the rules its data follows
// (Spanish messages, as the CFDI engine's). Runtime-free.
import { REGIMEN_FISCAL } from "../cfdi/catalogs.ts";
import type { Issue } from "../cfdi/errors.ts";
import { checkRfc, RFC_EXTRANJERO, RFC_PUBLICO_EN_GENERAL } from "../cfdi/rfc.ts";

export const PAC_PROVIDERS = ["sandbox", "finkok", "sw"] as const;
export type PacProvider = (typeof PAC_PROVIDERS)[number];
export const PAC_ENVIRONMENTS = ["test", "production"] as const;
export type PacEnvironment = (typeof PAC_ENVIRONMENTS)[number];

export interface FiscalProfileInput {
  rfc: string;
  razonSocial: string;
  regimenFiscal: string;
  lugarExpedicion: string;
  serie?: string | null | undefined;
  nextFolio?: number | undefined;
}

/** Every problem of `p` at once (empty when it is a valid issuer profile). */
export function fiscalProfileIssues(p: FiscalProfileInput): Issue[] {
  const issues: Issue[] = [];
  const rfc = checkRfc(p.rfc);
  if (!rfc.ok) issues.push({ path: "rfc", code: rfc.code, message: rfc.message });
  else if (p.rfc === RFC_PUBLICO_EN_GENERAL || p.rfc === RFC_EXTRANJERO)
    issues.push({
      path: "rfc",
      code: "RFC_GENERIC",
      message: `${p.rfc} es un RFC genérico de receptor; el emisor usa su propio RFC.`,
    });
  const regimen = REGIMEN_FISCAL[p.regimenFiscal];
  if (!regimen) {
    issues.push({
      path: "regimenFiscal",
      code: "REGIMEN_UNKNOWN",
      message: `El régimen fiscal ${p.regimenFiscal} no existe en el catálogo c_RegimenFiscal del SAT.`,
    });
  } else if (rfc.ok && !regimen[rfc.persona]) {
    issues.push({
      path: "regimenFiscal",
      code: "REGIMEN_PERSONA",
      message: `El régimen ${p.regimenFiscal} (${regimen.descripcion}) no aplica a una persona ${rfc.persona === "moral" ? "moral" : "física"}.`,
    });
  }
  if (!/^[0-9]{5}$/.test(p.lugarExpedicion))
    issues.push({
      path: "lugarExpedicion",
      code: "CP_FORMAT",
      message: "El lugar de expedición es un código postal de 5 dígitos.",
    });
  if (p.razonSocial.trim() !== p.razonSocial || p.razonSocial.length === 0)
    issues.push({
      path: "razonSocial",
      code: "RAZON_SOCIAL_FORMAT",
      message: "La razón social no puede estar vacía ni empezar o terminar con espacios.",
    });
  if (
    p.serie !== undefined &&
    p.serie !== null &&
    (p.serie.length === 0 || p.serie.length > 25 || p.serie.includes("|"))
  )
    issues.push({
      path: "serie",
      code: "SERIE_FORMAT",
      message: "La serie tiene de 1 a 25 caracteres y no lleva «|».",
    });
  return issues;
}
