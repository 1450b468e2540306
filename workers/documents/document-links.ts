import type { Context } from "hono";
import {
  DOWNLOAD_LINK_TTL_SECONDS,
  signDownloadLink,
  type DocumentContentType,
} from "../../core/documents/download-link.ts";
import type { HonoEnv } from "../context.ts";
import { encryptionSecret } from "../http/encryption-secret.ts";
import { publicOrigin } from "../http/public-origin.ts";

export interface IssuedLink {
  url: string;
  expiresAt: Date;
}

/**
 * A `{PUBLIC_BASE_URL}/documents/{token}` link to one stored object, valid 15 minutes. 503 when
 * ENCRYPTION_SECRET is not configured (nothing could verify the link).
 */
export async function issueDocumentLink(
  c: Context<HonoEnv>,
  doc: { key: string; filename: string; contentType: DocumentContentType },
  now = Date.now(),
): Promise<IssuedLink> {
  const config = c.get("config");
  // Links are signed with a key derived from ENCRYPTION_SECRET (core/documents/download-link.ts).
  const secret = encryptionSecret(config);
  const expiresAt = Math.floor(now / 1000) + DOWNLOAD_LINK_TTL_SECONDS;
  const token = await signDownloadLink(secret, { ...doc, expiresAt });
  return {
    url: `${publicOrigin(config.PUBLIC_BASE_URL, c.req.url)}/documents/${token}`,
    expiresAt: new Date(expiresAt * 1000),
  };
}
