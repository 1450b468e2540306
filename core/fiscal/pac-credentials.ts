// A PAC's credentials as the tenant gives them, per provider, and their envelope at rest
// (core/encoding/secret-envelope.ts: key from ENCRYPTION_SECRET for this purpose, bound to the
// tenant). Runtime-free.
import { openJson, sealJson } from "../encoding/secret-envelope.ts";
import type { PacProvider } from "./fiscal-profile.ts";

const PURPOSE = "cfdi/pac-credentials";

/**
 * What each provider authenticates with:
 * - sandbox: nothing (the local PAC of `npm start`, issue 13);
 * - finkok: the account's `username` and `password` (sent in every SOAP call);
 * - sw: `user` + `password` (exchanged for a token), or a long-lived `token`.
 */
export const PAC_CREDENTIALS: Readonly<Record<PacProvider, { required: string[][]; allowed: string[] }>> = {
  sandbox: { required: [[]], allowed: [] },
  finkok: { required: [["username", "password"]], allowed: ["username", "password"] },
  sw: { required: [["user", "password"], ["token"]], allowed: ["user", "password", "token"] },
};

export type PacCredentials = Record<string, string>;

/** Problems with `credentials` for `provider`, as (name, message) pairs; empty when acceptable. */
export function pacCredentialIssues(
  provider: PacProvider,
  credentials: PacCredentials,
): { name: string; message: string }[] {
  const rules = PAC_CREDENTIALS[provider];
  const names = Object.keys(credentials);
  const issues = names
    .filter((n) => !rules.allowed.includes(n))
    .map((n) => ({ name: n, message: `${n} no es una credencial de ${provider}` }));
  const fits = rules.required.some(
    (set) => set.every((n) => names.includes(n)) && (set.length > 0 || names.length === 0),
  );
  if (!fits) {
    // Name what is missing from the set the caller came closest to.
    const closest = [...rules.required].sort(
      (a, b) => b.filter((n) => names.includes(n)).length - a.filter((n) => names.includes(n)).length,
    )[0]!;
    const options = rules.required.map((set) => set.join(" + ")).join(" o ");
    for (const missing of closest.filter((n) => !names.includes(n)))
      issues.push({ name: missing, message: `falta ${missing}: ${provider} necesita ${options}` });
  }
  if (provider === "sw" && names.includes("token") && (names.includes("user") || names.includes("password")))
    issues.push({ name: "token", message: "sw: usa token o user + password, no ambos" });
  return issues;
}

export function sealPacCredentials(secret: string, tenantId: string, credentials: PacCredentials): Promise<string> {
  return sealJson(credentials, secret, { purpose: PURPOSE, boundTo: tenantId });
}

/** Throws SecretEnvelopeError when the envelope does not open (another secret, another tenant, altered). */
export async function openPacCredentials(secret: string, tenantId: string, envelope: string): Promise<PacCredentials> {
  const value = await openJson(envelope, secret, { purpose: PURPOSE, boundTo: tenantId });
  const out: PacCredentials = {};
  if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (typeof v === "string") out[k] = v;
  return out;
}
