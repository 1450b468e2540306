import { parseCertificate } from "../../core/cfdi/certificate.ts";
import { base64ToBytes } from "../../core/encoding/base64.ts";
import { SecretEnvelopeError } from "../../core/encoding/secret-envelope.ts";
import { openPacCredentials } from "../../core/fiscal/pac-credentials.ts";
import type { PacClient } from "../../core/invoicing/pac-client.ts";
import { createFinkokClient } from "../../core/invoicing/pacs/finkok.ts";
import { createSwClient } from "../../core/invoicing/pacs/sw.ts";
import { createSandboxClient, importSandboxKey } from "../../core/invoicing/sandbox-pac.ts";
import type { FiscalProfileRow } from "../../db/fiscal/fiscal-profile-store.ts";
import type { Config } from "../env.ts";

// The account's PAC as a PacClient (core/invoicing/pac-client.ts): the sandbox with the certificate
// `npm start` made, or Finkok / SW Sapien with the account's sealed credentials.

/** Why there is no PAC to stamp with; said before an invoice is taken for stamping. */
export interface PacUnavailable {
  code: "CONFLICT" | "SERVICE_UNAVAILABLE" | "ENCRYPTION_NOT_CONFIGURED";
  detail: string;
}

let sandboxKey: { source: string; key: CryptoKey; noCertificado: string } | undefined;

/** The sandbox PAC's key, imported once per isolate (the resolved key is kept, never a promise). */
async function sandboxSigner(config: Config): Promise<{ privateKey: CryptoKey; noCertificado: string } | null> {
  if (!config.SANDBOX_PAC_CERTIFICATE || !config.SANDBOX_PAC_KEY) return null;
  const source = config.SANDBOX_PAC_KEY;
  if (sandboxKey?.source !== source) {
    const key = await importSandboxKey(base64ToBytes(source));
    sandboxKey = { source, key, noCertificado: parseCertificate(config.SANDBOX_PAC_CERTIFICATE).noCertificado };
  }
  return { privateKey: sandboxKey.key, noCertificado: sandboxKey.noCertificado };
}

export async function pacClientFor(
  config: Config,
  profile: FiscalProfileRow,
  fetcher: typeof fetch = fetch,
): Promise<PacClient | PacUnavailable> {
  const fetchFn = (input: string, init?: RequestInit) => fetcher(input, init);
  switch (profile.pacProvider) {
    case null:
      return { code: "CONFLICT", detail: "La cuenta no tiene PAC (PUT /v1/fiscal-profile/pac)." };
    case "sandbox": {
      const signer = await sandboxSigner(config);
      if (!signer)
        return {
          code: "SERVICE_UNAVAILABLE",
          detail: "El PAC sandbox no está configurado en este servidor (SANDBOX_PAC_CERTIFICATE y SANDBOX_PAC_KEY).",
        };
      return createSandboxClient(signer);
    }
    case "finkok":
    case "sw": {
      if (!config.ENCRYPTION_SECRET)
        return {
          code: "ENCRYPTION_NOT_CONFIGURED",
          detail: "las credenciales del PAC no se pueden abrir: falta el secreto ENCRYPTION_SECRET del Worker",
        };
      if (!profile.pacCredentialsEnvelope)
        return { code: "CONFLICT", detail: "La cuenta no tiene credenciales del PAC (PUT /v1/fiscal-profile/pac)." };
      let credentials;
      try {
        credentials = await openPacCredentials(
          config.ENCRYPTION_SECRET,
          profile.tenantId,
          profile.pacCredentialsEnvelope,
        );
      } catch (err) {
        if (!(err instanceof SecretEnvelopeError)) throw err;
        return {
          code: "SERVICE_UNAVAILABLE",
          detail: "las credenciales del PAC no se pudieron abrir (¿cambió ENCRYPTION_SECRET?); vuelve a guardarlas",
        };
      }
      const environment = profile.pacEnvironment ?? "test";
      const common = { environment, fetch: fetchFn, timeoutMs: config.PAC_TIMEOUT_MS };
      if (profile.pacProvider === "finkok")
        return createFinkokClient({
          ...common,
          username: credentials.username ?? "",
          password: credentials.password ?? "",
          ...(config.FINKOK_BASE_URL ? { baseUrl: config.FINKOK_BASE_URL } : {}),
        });
      return createSwClient({
        ...common,
        ...(credentials.token
          ? { token: credentials.token }
          : { user: credentials.user, password: credentials.password }),
        ...(config.SW_BASE_URL ? { baseUrl: config.SW_BASE_URL } : {}),
      });
    }
  }
}

export function isPacClient(value: PacClient | PacUnavailable): value is PacClient {
  return "stamp" in value;
}
