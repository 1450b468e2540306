import pg from "pg";
import { computeTotals } from "../../core/proposals/totals.ts";
import { DEMO_TENANTS, type DemoTenant } from "./demo-data.ts";

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
        `insert into tenants (id, slug, name, plan) values ($1, $2, $3, $4) on conflict (id) do nothing`,
        [t.id, t.slug, t.name, t.plan],
      );
      // The issuer's data; the demo tenant's CSD and PAC are added by scripts/local/demo-fiscal.ts
      // (sealing the key needs the dev stack's ENCRYPTION_SECRET).
      await client.query(
        `insert into fiscal_profiles (tenant_id, rfc, razon_social, regimen_fiscal, lugar_expedicion, serie)
         values ($1, $2, $3, $4, $5, $6) on conflict (tenant_id) do nothing`,
        [t.id, t.rfc, t.razonSocial, t.regimenFiscal, t.codigoPostal, "A"],
      );
      for (const u of t.users) {
        await client.query(
          `insert into users (id, tenant_id, email, full_name, role) values ($1, $2, $3, $4, $5) on conflict (id) do nothing`,
          [u.id, t.id, u.email, u.fullName, u.role],
        );
      }
      for (const s of t.sources) {
        await client.query(
          `insert into lead_sources (id, tenant_id, name) values ($1, $2, $3) on conflict (id) do nothing`,
          [s.id, t.id, s.name],
        );
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
          [
            c.id,
            t.id,
            contact?.id ?? null,
            c.rfc,
            c.razonSocial,
            c.regimenFiscal,
            c.codigoPostal,
            c.usoCfdi,
            c.email,
            contact?.phone ?? null,
          ],
        );
      }
      for (const l of t.leads) {
        await client.query(
          `insert into leads (id, tenant_id, contact_id, source_id, owner_id, title, company_name, estimated_value, status, lost_reason, score)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) on conflict (id) do nothing`,
          [
            l.id,
            t.id,
            t.contacts[l.contactIndex]?.id ?? null,
            t.sources[l.sourceIndex]?.id ?? null,
            t.users[l.ownerIndex]?.id ?? null,
            l.title,
            l.company,
            l.value,
            l.status,
            l.lostReason ?? null,
            l.score ?? null,
          ],
        );
      }
      for (const a of t.activities ?? []) {
        await client.query(
          `insert into activities (id, tenant_id, type, lead_id, user_id, subject, body, occurred_at)
           values ($1, $2, $3, $4, $5, $6, $7, now() - make_interval(days => $8)) on conflict (id) do nothing`,
          [
            a.id,
            t.id,
            a.type,
            t.leads[a.leadIndex]?.id ?? null,
            t.users[a.userIndex]?.id ?? null,
            a.subject,
            a.body ?? null,
            a.daysAgo,
          ],
        );
      }
      await seedProposals(client, t);
      await client.query("COMMIT");
    }
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
}

/** Demo proposals with amounts from the one totals module; numbered COT-{year}-00001… */
async function seedProposals(client: pg.Client, t: DemoTenant): Promise<void> {
  const year = Number(
    new Intl.DateTimeFormat("en-CA", { timeZone: "America/Mexico_City", year: "numeric" }).format(new Date()),
  );
  let seq = 0;
  for (const p of t.proposals) {
    seq += 1;
    const { lines, totals } = computeTotals(
      p.items.map((i) => ({
        quantity: i.quantity,
        unitPrice: i.unitPrice,
        discountPercent: i.discountPercent,
        taxRate: i.taxRate,
      })),
    );
    const inserted = await client.query(
      `insert into proposals (id, tenant_id, proposal_number, number_year, number_seq, title, lead_id, customer_id, valid_until, notes, status,
                              subtotal, discount_total, tax_total, total, sent_at, created_by)
       values ($1, $2, $3, $4, $5, $6, $7, $8, (now() at time zone 'America/Mexico_City')::date + $9::int, $10, $11, $12, $13, $14, $15,
               case when $11 = 'draft' then null else now() end, $16)
       on conflict (id) do nothing returning id`,
      [
        p.id,
        t.id,
        `COT-${year}-${String(seq).padStart(5, "0")}`,
        year,
        seq,
        p.title,
        p.leadIndex === undefined ? null : t.leads[p.leadIndex]?.id,
        p.customerIndex === undefined ? null : t.customers[p.customerIndex]?.id,
        p.validDays,
        p.notes ?? null,
        p.status,
        totals.subtotal,
        totals.discountTotal,
        totals.taxTotal,
        totals.total,
        t.users[0]?.id ?? null,
      ],
    );
    if (inserted.rowCount === 0) continue;
    for (const [index, item] of p.items.entries()) {
      const a = lines[index];
      if (!a) continue;
      await client.query(
        `insert into proposal_line_items (tenant_id, proposal_id, position, name, description, quantity, unit_price, discount_percent, tax_rate,
                                          sat_product_key, sat_unit_key, subtotal, discount, taxable_base, tax, total)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
        [
          t.id,
          p.id,
          index + 1,
          item.name,
          item.description ?? null,
          item.quantity,
          item.unitPrice,
          item.discountPercent,
          item.taxRate,
          item.satProductKey ?? null,
          item.satUnitKey ?? null,
          a.subtotal,
          a.discount,
          a.taxableBase,
          a.tax,
          a.total,
        ],
      );
    }
  }
  if (seq > 0) {
    await client.query(
      `insert into proposal_number_sequences (tenant_id, year, last_value) values ($1, $2, $3)
       on conflict (tenant_id, year) do update set last_value = greatest(proposal_number_sequences.last_value, excluded.last_value)`,
      [t.id, year, seq],
    );
  }
}

/**
 * Fresh public links for the demo's sent proposals (only hashes are stored, so a link cannot be
 * shown again: each start issues new ones, which also makes them work after a restart).
 */
export async function issueDemoLinks(
  ownerUrl: string,
  newToken: () => Promise<{ token: string; hash: string }>,
): Promise<{ name: string; tenant: string; token: string }[]> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  const links: { name: string; tenant: string; token: string }[] = [];
  try {
    for (const t of DEMO_TENANTS) {
      for (const p of t.proposals) {
        if (!p.linkName) continue;
        const { token, hash } = await newToken();
        await client.query("BEGIN");
        await client.query("select set_config('app.tenant_id', $1, true)", [t.id]);
        // Only while still sent/viewed: a proposal the user already accepted or rejected keeps its state.
        const res = await client.query(
          `update proposals set public_token_hash = $2, public_token_created_at = now(), public_token_revoked_at = null
           where id = $1 and status in ('sent', 'viewed') returning id`,
          [p.id, hash],
        );
        await client.query("COMMIT");
        if ((res.rowCount ?? 0) > 0) links.push({ name: p.linkName, tenant: t.slug, token });
      }
    }
  } finally {
    await client.end();
  }
  return links;
}
