import type { Context } from "hono";
import { parseCertificate } from "../../core/cfdi/certificate.ts";
import { fechaNow } from "../../core/cfdi/build.ts";
import { base64ToBytes } from "../../core/encoding/base64.ts";
import type { PacProvider } from "../../core/fiscal/fiscal-profile.ts";
import { importSandboxKey, sandboxStamp } from "../../core/invoicing/sandbox-pac.ts";
import type { HonoEnv } from "../context.ts";
import { AppError } from "../http/problem.ts";

// The PAC behind one interface (issue 13): a sealed CFDI in, the stamped CFDI and its timbre out.
// The sandbox PAC stamps here, with the certificate `npm start` made (SANDBOX_PAC_*). Finkok (SOAP)
// and SW Sapien (REST) join behind the same `stamp` with their adapters and local fakes.

export interface Stamp {
  /** The stamped CFDI byte for byte as the PAC returned it. */
  xml: string;
  uuid: string;
  fechaTimbrado: string;
  noCertificadoSat: string;
  selloSat: string;
}

let sandboxKey: { source: string; key: CryptoKey; noCertificado: string } | undefined;

/** The sandbox PAC's key, imported once per isolate (the resolved key is kept, never a promise). */
async function sandboxPac(c: Context<HonoEnv>): Promise<{ key: CryptoKey; noCertificado: string }> {
  const config = c.get("config");
  if (!config.SANDBOX_PAC_CERTIFICATE || !config.SANDBOX_PAC_KEY) {
    throw new AppError(
      "SERVICE_UNAVAILABLE",
      "El PAC sandbox no está configurado en este servidor (SANDBOX_PAC_CERTIFICATE y SANDBOX_PAC_KEY).",
    );
  }
  const source = config.SANDBOX_PAC_KEY;
  if (sandboxKey?.source !== source) {
    const key = await importSandboxKey(base64ToBytes(source));
    sandboxKey = { source, key, noCertificado: parseCertificate(config.SANDBOX_PAC_CERTIFICATE).noCertificado };
  }
  return sandboxKey;
}

export type Stamper = (sealedXml: string) => Promise<Stamp>;

/**
 * The tenant's PAC, ready to stamp, or the problem that stops it — before the invoice is claimed
 * for stamping, so a PAC that cannot be reached never leaves an invoice half-way.
 */
export async function pacFor(c: Context<HonoEnv>, provider: PacProvider): Promise<Stamper> {
  switch (provider) {
    case "sandbox": {
      const pac = await sandboxPac(c);
      return async (sealedXml) => {
        const { xml, timbre } = await sandboxStamp(
          sealedXml,
          { privateKey: pac.key, noCertificado: pac.noCertificado },
          { fechaTimbrado: fechaNow() },
        );
        return {
          xml,
          uuid: timbre.uuid,
          fechaTimbrado: timbre.fechaTimbrado,
          noCertificadoSat: timbre.noCertificadoSat,
          selloSat: timbre.selloSat,
        };
      };
    }
    case "finkok":
    case "sw":
      // Said plainly rather than pretended: the adapter for this PAC is not in this version yet.
      throw new AppError(
        "SERVICE_UNAVAILABLE",
        `El timbrado con ${provider === "sw" ? "SW Sapien" : "Finkok"} aún no está disponible en esta versión; usa el PAC sandbox para probar el flujo.`,
      );
  }
}
