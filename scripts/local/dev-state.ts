import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import type { JWK } from "jose";
import { generateSigningKey } from "../../core/auth/supabase-token.ts";
import { createSandboxPacKeys } from "../../core/invoicing/sandbox-pac.ts";

// Local development state under .local/dev (git-ignored): signing keys that survive restarts (so
// tokens printed earlier stay valid), and what the running stack looks like (for `npm run token`).

export const ROOT = path.resolve(import.meta.dirname, "..", "..");
/** `CRM_DEV_DIR` runs a second, separate local stack (the browser tests do). */
export const DEV_DIR = process.env.CRM_DEV_DIR
  ? path.resolve(process.env.CRM_DEV_DIR)
  : path.join(ROOT, ".local", "dev");
const KEYS_FILE = path.join(DEV_DIR, "keys.json");
const STATE_FILE = path.join(DEV_DIR, "state.json");

export interface DevKeys {
  privateJwk: JWK;
  publicJwk: JWK;
  hs256Secret: string;
  formSecret: string;
  /** ENCRYPTION_SECRET: kept across restarts, or every credential sealed with it stops opening. */
  encryptionSecret: string;
  /** The sandbox PAC's certificate and key (base64): kept, so stamps made earlier still verify. */
  sandboxPac: { certificate: string; key: string; noCertificado: string };
}

export interface DevState {
  issuer: string;
  apiUrl: string;
  tenants: { id: string; slug: string; users: { id: string; role: string; email: string }[] }[];
}

/** A sandbox PAC certificate and key as the Worker takes them (SANDBOX_PAC_CERTIFICATE / _KEY). */
export async function newSandboxPac(): Promise<DevKeys["sandboxPac"]> {
  const keys = await createSandboxPacKeys();
  return {
    certificate: Buffer.from(keys.certificateDer).toString("base64"),
    key: Buffer.from(keys.pkcs8).toString("base64"),
    noCertificado: keys.noCertificado,
  };
}

export async function loadOrCreateKeys(): Promise<DevKeys> {
  mkdirSync(DEV_DIR, { recursive: true });
  if (existsSync(KEYS_FILE)) {
    const keys = JSON.parse(readFileSync(KEYS_FILE, "utf8")) as Partial<DevKeys> &
      Omit<DevKeys, "formSecret" | "encryptionSecret" | "sandboxPac">;
    // Key files from before the public pages (formSecret), the WhatsApp channels
    // (encryptionSecret) or invoicing (sandboxPac) existed get the missing secret added, once.
    if (!keys.formSecret || !keys.encryptionSecret || !keys.sandboxPac) {
      const upgraded: DevKeys = {
        ...keys,
        formSecret: keys.formSecret ?? randomBytes(32).toString("base64url"),
        encryptionSecret: keys.encryptionSecret ?? randomBytes(32).toString("base64url"),
        sandboxPac: keys.sandboxPac ?? (await newSandboxPac()),
      };
      writeFileSync(KEYS_FILE, JSON.stringify(upgraded, null, 2), { mode: 0o600 });
      return upgraded;
    }
    return keys as DevKeys;
  }
  const { privateJwk, publicJwk } = await generateSigningKey(`local-${randomBytes(4).toString("hex")}`);
  const keys: DevKeys = {
    privateJwk,
    publicJwk,
    hs256Secret: randomBytes(32).toString("base64url"),
    formSecret: randomBytes(32).toString("base64url"),
    encryptionSecret: randomBytes(32).toString("base64url"),
    sandboxPac: await newSandboxPac(),
  };
  writeFileSync(KEYS_FILE, JSON.stringify(keys, null, 2), { mode: 0o600 });
  return keys;
}

/** The keys of the stack whose state is in `dir` (this process's DEV_DIR by default). */
export function readKeys(dir = DEV_DIR): DevKeys | undefined {
  const file = path.join(dir, "keys.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as DevKeys) : undefined;
}

export function writeState(state: DevState): void {
  mkdirSync(DEV_DIR, { recursive: true });
  writeFileSync(STATE_FILE, JSON.stringify(state, null, 2));
}

export function readState(dir = DEV_DIR): DevState | undefined {
  const file = path.join(dir, "state.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as DevState) : undefined;
}
