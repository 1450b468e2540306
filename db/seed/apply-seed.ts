import pg from "pg";
import { DEMO_TENANTS } from "./demo-data.ts";

/**
 * Writes the demo tenants as the owner, idempotently (fixed ids, ON CONFLICT DO NOTHING). Each
 * tenant is written inside its own transaction with app.tenant_id set, because RLS is FORCEd even
 * for the owner.
 */
export async function applyDemoSeed(ownerUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    for (const t of DEMO_TENANTS) {
      await client.query("BEGIN");
      await client.query("select set_config('app.tenant_id', $1, true)", [t.id]);
      await client.query(
        `insert into tenants (id, slug, name, plan, rfc, razon_social, regimen_fiscal, codigo_postal)
         values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (id) do nothing`,
        [t.id, t.slug, t.name, t.plan, t.rfc, t.razonSocial, t.regimenFiscal, t.codigoPostal],
      );
      for (const u of t.users) {
        await client.query(
          `insert into users (id, tenant_id, email, full_name, role) values ($1, $2, $3, $4, $5) on conflict (id) do nothing`,
          [u.id, t.id, u.email, u.fullName, u.role],
        );
      }
      for (const s of t.sources) {
        await client.query(`insert into lead_sources (id, tenant_id, name) values ($1, $2, $3) on conflict (id) do nothing`, [s.id, t.id, s.name]);
      }
      for (const c of t.contacts) {
        await client.query(
          `insert into contacts (id, tenant_id, first_name, last_name, email, phone, company_name, job_title)
           values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (id) do nothing`,
          [c.id, t.id, c.firstName, c.lastName, c.email, c.phone, c.company, c.jobTitle],
        );
      }
      for (const c of t.customers) {
        const contact = t.contacts[c.contactIndex];
        await client.query(
          `insert into customers (id, tenant_id, contact_id, rfc, razon_social, regimen_fiscal, codigo_postal, uso_cfdi, email, whatsapp_phone)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) on conflict (id) do nothing`,
          [c.id, t.id, contact?.id ?? null, c.rfc, c.razonSocial, c.regimenFiscal, c.codigoPostal, c.usoCfdi, c.email, contact?.phone ?? null],
        );
      }
      for (const l of t.leads) {
        await client.query(
          `insert into leads (id, tenant_id, contact_id, source_id, owner_id, title, company_name, estimated_value, status, lost_reason, score)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) on conflict (id) do nothing`,
          [l.id, t.id, t.contacts[l.contactIndex]?.id ?? null, t.sources[l.sourceIndex]?.id ?? null, t.users[l.ownerIndex]?.id ?? null,
            l.title, l.company, l.value, l.status, l.lostReason ?? null, l.score ?? null],
        );
      }
      await client.query("COMMIT");
    }
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
}
