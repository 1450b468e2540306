import { beforeAll, describe, expect, it } from "vitest";
import { appSql, createTenant, ownerSql, type TestTenant } from "../test/support/harness.ts";

// Isolation proven at the database, not in handlers: raw SQL as the app's login role.

type SqlFn = typeof appSql;

/** One row in every tenant-owned table for `t`; returns the ids by table. */
async function seedEverything(t: TestTenant): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  const id = (table: string) => (ids[table] = crypto.randomUUID());
  const userId = id("users");
  const stmts = (sql: SqlFn) => [
    sql`select set_config('app.tenant_id', ${t.id}, true)`,
    sql`insert into users (id, tenant_id, email, role) values (${userId}, ${t.id}, ${`u-${userId.slice(0, 6)}@example.mx`}, 'admin')`,
    sql`insert into contacts (id, tenant_id, first_name, email) values (${id("contacts")}, ${t.id}, 'Lucía', ${`lucia-${t.slug}@example.mx`})`,
    sql`insert into lead_sources (id, tenant_id, name) values (${id("lead_sources")}, ${t.id}, 'Web')`,
    sql`insert into leads (id, tenant_id, title, contact_id, source_id, owner_id) values (${id("leads")}, ${t.id}, 'Lead', ${ids.contacts}, ${ids.lead_sources}, ${userId})`,
    sql`insert into customers (id, tenant_id, razon_social, rfc) values (${id("customers")}, ${t.id}, 'Cliente SA de CV', 'EKU9003173C9')`,
    sql`insert into proposals (id, tenant_id, proposal_number, number_year, number_seq, title, customer_id) values (${id("proposals")}, ${t.id}, 'COT-2026-00001', 2026, 1, 'Propuesta', ${ids.customers})`,
    sql`insert into proposal_number_sequences (tenant_id, year, last_value) values (${t.id}, 2026, 1)`,
    sql`insert into proposal_line_items (id, tenant_id, proposal_id, position, name, quantity, unit_price, subtotal, discount, taxable_base, tax, total) values (${id("proposal_line_items")}, ${t.id}, ${ids.proposals}, 1, 'Servicio', 1, 100, 100, 0, 100, 16, 116)`,
    sql`insert into activities (id, tenant_id, type, lead_id, subject) values (${id("activities")}, ${t.id}, 'note', ${ids.leads}, 'Nota')`,
    sql`insert into cfdi_invoices (id, tenant_id, customer_id, serie, folio, subtotal, total) values (${id("cfdi_invoices")}, ${t.id}, ${ids.customers}, 'A', '1', 100, 116)`,
    sql`insert into msi_payment_plans (id, tenant_id, customer_id, total_amount, months, first_due_date) values (${id("msi_payment_plans")}, ${t.id}, ${ids.customers}, 1200, 3, '2026-12-15')`,
    sql`insert into msi_installments (id, tenant_id, plan_id, number, due_date, amount) values (${id("msi_installments")}, ${t.id}, ${ids.msi_payment_plans}, 1, '2026-12-15', 400)`,
    sql`insert into msi_payments (id, tenant_id, plan_id, installment_number, amount, forma_pago, paid_at) values (${id("msi_payments")}, ${t.id}, ${ids.msi_payment_plans}, 1, 100, '03', now())`,
    sql`insert into msi_payment_allocations (tenant_id, payment_id, installment_id, amount) values (${t.id}, ${(ids.msi_payment_allocations = ids.msi_payments!)}, ${ids.msi_installments}, 100)`,
    sql`insert into msi_reminders (id, tenant_id, installment_id, kind) values (${id("msi_reminders")}, ${t.id}, ${ids.msi_installments}, 'due')`,
    sql`insert into whatsapp_conversations (id, tenant_id, provider, phone) values (${id("whatsapp_conversations")}, ${t.id}, 'meta', '+525512345678')`,
    sql`insert into fiscal_profiles (tenant_id, rfc, razon_social, regimen_fiscal, lugar_expedicion) values (${(ids.fiscal_profiles = t.id)}, 'EKU9003173C9', 'ESCUELA KEMPER URGATE', '601', '86000')`,
    sql`insert into whatsapp_channels (id, tenant_id, provider, phone_number_id, credentials_envelope) values (${id("whatsapp_channels")}, ${t.id}, 'meta', ${String(Date.now()) + String(Math.floor(Math.random() * 1e6))}, 'zsec1.x.y')`,
    sql`insert into whatsapp_messages (id, tenant_id, conversation_id, provider_message_id, direction, type, text) values (${id("whatsapp_messages")}, ${t.id}, ${ids.whatsapp_conversations}, ${"wamid." + crypto.randomUUID()}, 'inbound', 'text', 'Hola')`,
    sql`insert into outbox (id, tenant_id, type, event) values (${id("outbox")}, ${t.id}, 'Lead.Created', '{}'::jsonb)`,
    sql`insert into ai_jobs (id, tenant_id, kind, subject_id) values (${id("ai_jobs")}, ${t.id}, 'lead_scoring', ${ids.leads})`,
    sql`insert into idempotency_keys (tenant_id, user_id, key, method, path, request_hash, expires_at) values (${t.id}, ${userId}, ${id("idempotency_keys")}, 'POST', '/v1/leads', 'h', now() + interval '1 day')`,
  ];
  await ownerSql.transaction(stmts(ownerSql));
  return ids;
}

// Each tenant-owned table with the column that identifies a row in it.
const TABLES: [string, string][] = [
  ["users", "id"],
  ["contacts", "id"],
  ["lead_sources", "id"],
  ["leads", "id"],
  ["customers", "id"],
  ["proposals", "id"],
  ["proposal_line_items", "id"],
  ["activities", "id"],
  ["cfdi_invoices", "id"],
  ["msi_payment_plans", "id"],
  ["msi_installments", "id"],
  ["msi_payments", "id"],
  ["msi_payment_allocations", "payment_id"],
  ["msi_reminders", "id"],
  ["whatsapp_conversations", "id"],
  ["whatsapp_channels", "id"],
  ["whatsapp_messages", "id"],
  ["fiscal_profiles", "tenant_id"],
  ["outbox", "id"],
  ["ai_jobs", "id"],
  ["idempotency_keys", "key"],
];

/** Runs statements as the app would: app role, tenant set transaction-locally. */
function asTenant(tenantId: string | null, statements: (sql: SqlFn) => ReturnType<SqlFn>[]) {
  const scope = tenantId
    ? appSql`select set_config('role', 'crm_app', true), set_config('app.tenant_id', ${tenantId}, true)`
    : appSql`select set_config('role', 'crm_app', true)`;
  return appSql.transaction([scope, ...statements(appSql)]);
}

describe("row-level security matrix (raw SQL as the app role)", () => {
  let a: TestTenant;
  let b: TestTenant;
  let idsB: Record<string, string>;
  let idsA: Record<string, string>;

  beforeAll(async () => {
    a = await createTenant();
    b = await createTenant();
    idsA = await seedEverything(a);
    idsB = await seedEverything(b);
  });

  it("every table with tenant_id has RLS enabled AND forced, with one USING + WITH CHECK policy", async () => {
    const tables = (await ownerSql`
      select c.relname, c.relrowsecurity, c.relforcerowsecurity
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r'
        and (exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)
             or c.relname = 'tenants')`) as {
      relname: string;
      relrowsecurity: boolean;
      relforcerowsecurity: boolean;
    }[];
    expect(tables.length).toBe(TABLES.length + 2); // + tenants, proposal_number_sequences
    for (const t of tables) {
      expect({ table: t.relname, rls: t.relrowsecurity, force: t.relforcerowsecurity }).toEqual({
        table: t.relname,
        rls: true,
        force: true,
      });
    }
    const policies =
      (await ownerSql`select tablename, policyname, roles::text[] as roles, qual, with_check, cmd from pg_policies where schemaname = 'public'`) as {
        tablename: string;
        policyname: string;
        roles: string[];
        qual: string | null;
        with_check: string | null;
        cmd: string;
      }[];
    for (const t of tables) {
      // Exactly one policy applies to ordinary requests; system policies are only for crm_system.
      const general = policies.filter((p) => p.tablename === t.relname && p.roles.includes("public"));
      expect(general, t.relname).toHaveLength(1);
      expect(general[0]?.cmd).toBe("ALL");
      expect(general[0]?.qual, t.relname).toContain("app_tenant_id()");
      expect(general[0]?.with_check, t.relname).toContain("app_tenant_id()");
      const others = policies.filter((p) => p.tablename === t.relname && !p.roles.includes("public"));
      for (const p of others)
        expect([["crm_system"], ["crm_public"], ["crm_webhook"]], `${t.relname}.${p.policyname}`).toContainEqual(
          p.roles,
        );
    }
    // Only the tenant list, the outbox relay and the in-flight invoices' ids are readable across
    // tenants, and only as crm_system.
    expect([...new Set(policies.filter((p) => p.roles.includes("crm_system")).map((p) => p.tablename))].sort()).toEqual(
      ["cfdi_invoices", "outbox", "tenants"],
    );
    // crm_public sees one proposal row, by the token hash the request presents.
    expect(policies.filter((p) => p.roles.includes("crm_public")).map((p) => [p.tablename, p.cmd])).toEqual([
      ["proposals", "SELECT"],
    ]);
    // crm_webhook sees one live WhatsApp channel, by the id the webhook URL presents.
    expect(policies.filter((p) => p.roles.includes("crm_webhook")).map((p) => [p.tablename, p.cmd])).toEqual([
      ["whatsapp_channels", "SELECT"],
    ]);
  });

  it("crm_webhook reads only the live channel whose id it presents, only the signature columns, nothing else", async () => {
    const lookup = (channelId: string | null) =>
      appSql.transaction([
        appSql`select set_config('role', 'crm_webhook', true), set_config('app.webhook_channel_id', ${channelId ?? ""}, true)`,
        appSql`select id, tenant_id from whatsapp_channels`,
      ]);
    expect((await lookup(idsB.whatsapp_channels ?? null))[1]).toEqual([
      { id: idsB.whatsapp_channels, tenant_id: b.id },
    ]);
    expect((await lookup(crypto.randomUUID()))[1]).toEqual([]);
    expect((await lookup(null))[1]).toEqual([]);
    for (const forbidden of [
      appSql`select name, created_by from whatsapp_channels`,
      appSql`update whatsapp_channels set name = 'x' where id = ${idsB.whatsapp_channels}`,
      appSql`select 1 from contacts`,
      appSql`select 1 from tenants`,
    ]) {
      await expect(
        appSql.transaction([
          appSql`select set_config('role', 'crm_webhook', true), set_config('app.webhook_channel_id', ${idsB.whatsapp_channels ?? ""}, true)`,
          forbidden,
        ]),
      ).rejects.toMatchObject({ code: "42501" });
    }
  });

  it("crm_public finds a proposal only by presenting its token hash, and reads only its id and tenant", async () => {
    await ownerSql.transaction([
      ownerSql`select set_config('app.tenant_id', ${b.id}, true)`,
      ownerSql`update proposals set public_token_hash = 'hash-of-b' where id = ${idsB.proposals}`,
    ]);
    const lookup = (hash: string | null) =>
      appSql.transaction([
        appSql`select set_config('role', 'crm_public', true), set_config('app.public_token_hash', ${hash ?? ""}, true)`,
        appSql`select id, tenant_id from proposals`,
      ]);
    expect((await lookup("hash-of-b"))[1]).toEqual([{ id: idsB.proposals, tenant_id: b.id }]);
    expect((await lookup("another-hash"))[1]).toEqual([]);
    expect((await lookup(null))[1]).toEqual([]);
    await expect(
      appSql.transaction([
        appSql`select set_config('role', 'crm_public', true), set_config('app.public_token_hash', 'hash-of-b', true)`,
        appSql`select title, total from proposals`,
      ]),
    ).rejects.toMatchObject({ code: "42501" });
    await expect(
      appSql.transaction([appSql`select set_config('role', 'crm_public', true)`, appSql`select 1 from contacts`]),
    ).rejects.toMatchObject({ code: "42501" });
  });

  it("crm_system (cron, queues) can relay the outbox across tenants but read no CRM data", async () => {
    const results = await appSql.transaction([
      appSql`select set_config('role', 'crm_system', true)`,
      appSql`select distinct tenant_id from outbox where tenant_id in (${a.id}, ${b.id})`,
    ]);
    expect((results[1] as unknown[]).length).toBe(2);
    // It updates only the retry columns: never an event, its tenant, or its delivery.
    const asSystem = (statement: ReturnType<SqlFn>) =>
      appSql.transaction([appSql`select set_config('role', 'crm_system', true)`, statement]);
    const retry = await asSystem(
      appSql`update outbox set attempts = attempts, last_error = last_error, next_attempt_at = next_attempt_at, dead_at = dead_at where id = ${idsB.outbox} returning 1`,
    );
    expect(retry[1]).toHaveLength(1);
    for (const column of ["event", "tenant_id", "delivered_at", "type"]) {
      await expect(
        asSystem(appSql.query(`update outbox set ${column} = ${column} where id = $1`, [idsB.outbox])),
      ).rejects.toMatchObject({ code: "42501" });
    }
    await expect(asSystem(appSql`delete from outbox where id = ${idsB.outbox}`)).rejects.toMatchObject({
      code: "42501",
    });
    await expect(
      asSystem(
        appSql`insert into outbox (id, tenant_id, type, event) values (${crypto.randomUUID()}, ${b.id}, 'Lead.Created', '{}'::jsonb)`,
      ),
    ).rejects.toMatchObject({ code: "42501" });
    for (const table of ["contacts", "leads", "customers", "proposals"]) {
      await expect(
        appSql.transaction([
          appSql`select set_config('role', 'crm_system', true)`,
          appSql.query(`select 1 from ${table}`),
        ]),
      ).rejects.toMatchObject({ code: "42501" });
    }
    // Of invoices it sees the in-flight ones' ids and timing (the stamping and cancellation sweeps),
    // never their amounts, parties or XML.
    for (const column of ["total", "receptor_rfc", "input", "sealed_xml"]) {
      await expect(asSystem(appSql.query(`select ${column} from cfdi_invoices`))).rejects.toMatchObject({
        code: "42501",
      });
    }
    const inFlight = await asSystem(
      appSql`select count(*) filter (where status not in ('stamping', 'cancel_pending'))::int as other from cfdi_invoices`,
    );
    expect(inFlight[1]).toEqual([{ other: 0 }]);
    await expect(asSystem(appSql`update cfdi_invoices set status = status`)).rejects.toMatchObject({
      code: "42501",
    });
  });

  it("the app role does not inherit crm_system's policies", async () => {
    const [row] = (await appSql`select rolinherit from pg_roles where rolname = current_user`) as {
      rolinherit: boolean;
    }[];
    expect(row?.rolinherit).toBe(false);
    const results = await asTenant(null, (sql) => [
      sql`select count(*)::int as n from outbox`,
      sql`select count(*)::int as n from tenants`,
    ]);
    expect(results[1]).toEqual([{ n: 0 }]);
    expect(results[2]).toEqual([{ n: 0 }]);
  });

  it("the app's login role is not the owner, not a superuser and cannot bypass RLS", async () => {
    const [me] =
      (await appSql`select current_user as name, r.rolsuper, r.rolbypassrls from pg_roles r where r.rolname = current_user`) as {
        name: string;
        rolsuper: boolean;
        rolbypassrls: boolean;
      }[];
    expect(me).toMatchObject({ rolsuper: false, rolbypassrls: false });
    const owned =
      await ownerSql`select tablename from pg_tables where schemaname = 'public' and tableowner = ${me?.name ?? ""}`;
    expect(owned).toEqual([]);
    await expect(asTenant(a.id, (sql) => [sql`alter table leads disable row level security`])).rejects.toMatchObject({
      code: "42501",
    });
  });

  for (const [table, key] of TABLES) {
    describe(table, () => {
      it("tenant A sees only its own rows", async () => {
        const results = await asTenant(a.id, (sql) => [sql.query(`select tenant_id, ${key}::text as k from ${table}`)]);
        const rows = results[1] as { tenant_id: string; k: string }[];
        expect(rows.length).toBeGreaterThan(0);
        expect(rows.every((r) => r.tenant_id === a.id)).toBe(true);
        expect(rows.map((r) => r.k)).not.toContain(idsB[table]);
      });

      it("tenant A cannot update or delete B's row", async () => {
        const results = await asTenant(a.id, (sql) => [
          sql.query(`update ${table} set tenant_id = tenant_id where ${key}::text = $1 returning 1`, [idsB[table]]),
          sql.query(`delete from ${table} where ${key}::text = $1 returning 1`, [idsB[table]]),
        ]);
        expect(results[1]).toEqual([]);
        expect(results[2]).toEqual([]);
        const still = await ownerSql.query(`select 1 from ${table} where ${key}::text = $1`, [idsB[table]]);
        expect(still).toHaveLength(1);
      });

      it("tenant A cannot move its row into B", async () => {
        await expect(
          asTenant(a.id, (sql) => [
            sql.query(`update ${table} set tenant_id = $1 where ${key}::text = $2`, [b.id, idsA[table]]),
          ]),
        ).rejects.toMatchObject({ code: "42501" });
      });

      it("no tenant set → no rows", async () => {
        const results = await asTenant(null, (sql) => [sql.query(`select 1 from ${table}`)]);
        expect(results[1]).toEqual([]);
      });
    });
  }

  it("tenant A cannot insert a row for B", async () => {
    await expect(
      asTenant(a.id, (sql) => [sql`insert into contacts (tenant_id, first_name) values (${b.id}, 'Intruso')`]),
    ).rejects.toMatchObject({ code: "42501" });
    await expect(
      asTenant(a.id, (sql) => [sql`insert into lead_sources (tenant_id, name) values (${b.id}, 'Intruso')`]),
    ).rejects.toMatchObject({ code: "42501" });
  });

  it("tenants: A sees only itself and can neither create nor delete tenants", async () => {
    const results = await asTenant(a.id, (sql) => [sql`select id from tenants`]);
    expect(results[1]).toEqual([{ id: a.id }]);
    await expect(
      asTenant(a.id, (sql) => [
        sql`insert into tenants (id, slug, name) values (${crypto.randomUUID()}, 'x-intruso', 'X')`,
      ]),
    ).rejects.toMatchObject({ code: "42501" });
    await expect(asTenant(a.id, (sql) => [sql`delete from tenants where id = ${a.id}`])).rejects.toMatchObject({
      code: "42501",
    });
    const updated = await asTenant(a.id, (sql) => [
      sql`update tenants set name = 'hack' where id = ${b.id} returning id`,
    ]);
    expect(updated[1]).toEqual([]);
  });

  it("a tenant id set at session level does not survive into the next unit of work", async () => {
    await asTenant(a.id, (sql) => [sql`select 1`]);
    const results = await asTenant(null, (sql) => [
      sql`select current_setting('app.tenant_id', true) as t`,
      sql`select count(*)::int as n from contacts`,
    ]);
    expect([null, ""]).toContain((results[1] as { t: string | null }[])[0]?.t);
    expect(results[2]).toEqual([{ n: 0 }]);
  });
});
