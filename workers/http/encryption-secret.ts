import type { Config } from "../../platform/env.ts";
import { AppError } from "./problem.ts";

/**
 * ENCRYPTION_SECRET, or the 503 every route that seals or opens a stored secret answers without it
 * (WhatsApp channel credentials, the CSD's key, PAC credentials).
 */
export function encryptionSecret(config: Config): string {
  const secret = config.ENCRYPTION_SECRET;
  if (!secret) {
    throw new AppError(
      "ENCRYPTION_NOT_CONFIGURED",
      "stored secrets cannot be sealed or opened: the ENCRYPTION_SECRET Worker secret is not configured",
    );
  }
  return secret;
}
