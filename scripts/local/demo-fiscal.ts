// The demo tenant as a CFDI issuer for `npm start` (issue 13): SAT's public test CSD
// (test/fixtures/csd, RFC EKU9003173C9, the demo tenant's profile RFC) sealed under the dev stack's
// ENCRYPTION_SECRET, and the sandbox PAC, with autoInvoiceOnAccept on (accepting a demo proposal in
// the browser gives a stamped invoice within seconds). Re-sealed on every start: the envelope depends on the
// secret, which .local/dev/keys.json keeps, so this only ever rewrites the same thing.
import { readFileSync } from "node:fs";
import path from "node:path";
import { loadCsdForSealing } from "../../core/cfdi/csd.ts";
import { sealPrivateKey } from "../../core/cfdi/key-envelope.ts";
import { inTenantTransaction } from "../../db/seed/tenant-transaction.ts";
import { ROOT } from "./dev-state.ts";

const CSD_DIR = path.join(ROOT, "test/fixtures/csd");

export async function seedDemoFiscal(ownerUrl: string, tenantId: string, encryptionSecret: string): Promise<void> {
  const cer = readFileSync(path.join(CSD_DIR, "EKU9003173C9.cer"));
  const key = readFileSync(path.join(CSD_DIR, "EKU9003173C9.key"));
  const password = readFileSync(path.join(CSD_DIR, "EKU9003173C9.password.txt"), "utf8").trim();
  const { csd, pkcs8 } = await loadCsdForSealing(cer, key, password);
  const { certificate } = csd;
  const envelope = await sealPrivateKey(pkcs8, encryptionSecret, certificate.noCertificado);
  await inTenantTransaction(ownerUrl, tenantId, async (client) => {
    const updated = await client.query(
      `update fiscal_profiles set csd_certificate = $2, csd_no_certificado = $3, csd_valid_from = $4, csd_valid_to = $5,
              csd_key_envelope = $6, pac_provider = coalesce(pac_provider, 'sandbox'),
              pac_environment = coalesce(pac_environment, 'test'), auto_invoice_on_accept = true
        where tenant_id = $1 and rfc = $7`,
      [
        tenantId,
        certificate.base64,
        certificate.noCertificado,
        certificate.notBefore.toISOString(),
        certificate.notAfter.toISOString(),
        envelope,
        certificate.rfc,
      ],
    );
    if (updated.rowCount !== 1) throw new Error(`the demo tenant's fiscal profile is not for ${certificate.rfc}`);
  });
}
