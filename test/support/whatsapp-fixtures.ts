import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { createApp } from "../../workers/app.ts";
import type { Env } from "../../platform/env.ts";

// Request bodies for WhatsApp channels with numbers no other test uses (the numbers are unique
// across all tenants), and secret values that are easy to search for in responses and logs.

function digits(n: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  return [...bytes].map((b, i) => (i === 0 ? (b % 9) + 1 : b % 10)).join("");
}

/** A credential value no other test uses, recognisable wherever it leaks. */
export function secretValue(label: string): string {
  return `sec-${label}-${crypto.randomUUID()}`;
}

export function metaChannel(overrides: Record<string, unknown> = {}) {
  return {
    provider: "meta",
    name: "Ventas CDMX",
    phoneNumberId: digits(15),
    displayPhoneNumber: "525541690000",
    wabaId: digits(15),
    credentials: {
      appSecret: secretValue("appSecret"),
      accessToken: secretValue("accessToken"),
      verifyToken: secretValue("verifyToken"),
    },
    ...overrides,
  };
}

export function dialogChannel(overrides: Record<string, unknown> = {}) {
  return {
    provider: "360dialog",
    phoneNumberId: digits(15),
    credentials: { apiKey: secretValue("apiKey"), webhookSecret: secretValue("webhookSecret") },
    ...overrides,
  };
}

export function twilioChannel(overrides: Record<string, unknown> = {}) {
  const hex = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
  return {
    provider: "twilio",
    sender: `whatsapp:+52${digits(10)}`,
    accountSid: `AC${hex}`,
    signatureUrl: "https://hooks.example.mx/webhooks/twilio/whatsapp?canal=wa",
    credentials: { authToken: secretValue("authToken") },
    ...overrides,
  };
}

const app = createApp();

/** The app under a variant of the environment (each variant object is validated once), waiting for its waitUntil work. */
export async function callWith(
  env: Env,
  path: string,
  init: { method?: string; token?: string; json?: unknown; body?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  if (init.json !== undefined) headers.set("content-type", "application/json");
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request(`http://crm.test${path}`, {
      method: init.method ?? "GET",
      headers,
      body: init.json === undefined ? (init.body ?? null) : JSON.stringify(init.json),
    }),
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}
