/**
 * A tenant's CSD (certificado de sello digital): the `.cer` plus the password-protected `.key`
 * exactly as the SAT (Certifica / CertiSAT) hands them to the taxpayer.
 */
import type { CertificateInfo } from "./certificate.ts";
import { importCertificateKey, parseCertificate } from "./certificate.ts";
import type { Issue } from "./errors.ts";
import { CfdiError } from "./errors.ts";
import { importPrivateKey } from "./private-key.ts";
import { signCadena, verifySello } from "./sello.ts";

export type Csd = {
  readonly certificate: CertificateInfo;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
};

/**
 * Loads and cross-checks a CSD: the certificate must parse, the key must decrypt with the
 * password and must be the certificate's pair (checked by signing and verifying a probe, which
 * catches the frequent mistake of uploading the .key of another certificate).
 */
export function loadCsd(cer: Uint8Array | string, key: Uint8Array | string, password: string): Promise<Csd> {
  return openCsd(cer, key, password, false);
}

/**
 * loadCsd for storing the key: also the key's PKCS#8 bytes, to seal (key-envelope.ts). The SAT
 * `.key` is decrypted once (PBKDF2 + cipher), not once to check and again to export.
 */
export async function loadCsdForSealing(
  cer: Uint8Array | string,
  key: Uint8Array | string,
  password: string,
): Promise<{ csd: Csd; pkcs8: Uint8Array }> {
  const csd = await openCsd(cer, key, password, true);
  return { csd, pkcs8: new Uint8Array(await crypto.subtle.exportKey("pkcs8", csd.privateKey)) };
}

async function openCsd(
  cer: Uint8Array | string,
  key: Uint8Array | string,
  password: string,
  extractable: boolean,
): Promise<Csd> {
  const certificate = parseCertificate(cer);
  const privateKey = await importPrivateKey(key, password, extractable);
  const publicKey = await importCertificateKey(certificate);
  const probe = `||zuclubit-csd-probe|${certificate.noCertificado}||`;
  if (!(await verifySello(publicKey, probe, await signCadena(privateKey, probe)))) {
    throw new CfdiError([
      { path: "key", code: "CSD_KEY_MISMATCH", message: "La llave privada no corresponde al certificado." },
    ]);
  }
  return { certificate, privateKey, publicKey };
}

/**
 * Certificate rules SAT applies when stamping (Anexo 20 validations CFDI40102–CFDI40104): a CSD,
 * not an e.firma; valid on the invoice's Fecha; issued to the emisor's RFC.
 * `fecha` is the CFDI Fecha (local time of LugarExpedicion, no zone); it is compared with 14 h of
 * slack each side, which covers every Mexican UTC offset (−5 h to −8 h) without knowing the
 * expedition place's zone.
 */
export function checkCertificateForInvoice(cert: CertificateInfo, emisorRfc: string, fecha: string | Date): Issue[] {
  const issues: Issue[] = [];
  if (cert.kind === "FIEL") {
    issues.push({
      path: "certificado",
      code: "CSD_IS_FIEL",
      message:
        "El certificado es de e.firma (FIEL); para sellar CFDI se requiere un Certificado de Sello Digital (CSD).",
    });
  } else if (cert.kind !== "CSD") {
    issues.push({
      path: "certificado",
      code: "CSD_NOT_CSD",
      message: "El certificado no es un Certificado de Sello Digital (CSD) del SAT.",
    });
  }
  const at = typeof fecha === "string" ? new Date(`${fecha}Z`) : fecha;
  if (Number.isNaN(at.getTime())) {
    issues.push({ path: "Fecha", code: "FECHA_INVALID", message: "La fecha del comprobante no es válida." });
  } else {
    const slack = 14 * 3600 * 1000;
    if (at.getTime() + slack < cert.notBefore.getTime()) {
      issues.push({
        path: "certificado",
        code: "CSD_NOT_YET_VALID",
        message: `El certificado aún no es vigente (vigente desde ${cert.notBefore.toISOString()}).`,
      });
    }
    if (at.getTime() - slack > cert.notAfter.getTime()) {
      issues.push({
        path: "certificado",
        code: "CSD_EXPIRED",
        message: `El certificado venció el ${cert.notAfter.toISOString()}.`,
      });
    }
  }
  if (cert.rfc.toUpperCase() !== emisorRfc.trim().toUpperCase()) {
    issues.push({
      path: "emisor.rfc",
      code: "CSD_RFC_MISMATCH",
      message: `El RFC del emisor (${emisorRfc}) no coincide con el RFC del certificado (${cert.rfc}).`,
    });
  }
  return issues;
}
