// Real components, no mocks: PG15 temp cluster + the local Neon proxy + the real Neon driver.
import { spawn } from "node:child_process";
import net from "node:net";
import { neon, neonConfig, NeonDbError, Pool } from "@neondatabase/serverless";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { findPostgresBinaries, startPostgresCluster } from "./postgres-cluster.ts";
import { startNeonProxy, type NeonProxy } from "./neon-proxy.ts";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address() as net.AddressInfo;
      s.close(() => resolve(a.port));
    });
  });
}

const TENANT_A = "11111111-1111-4111-8111-111111111111";
const TENANT_B = "22222222-2222-4222-8222-222222222222";

describe.skipIf(!findPostgresBinaries())("neon-proxy against a real PostgreSQL 15 cluster", () => {
  let cluster: Awaited<ReturnType<typeof startPostgresCluster>>;
  let proxy: NeonProxy;
  let appUrl: string;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    cluster = await startPostgresCluster({ port });
    const su = new pg.Client({ connectionString: cluster.superuserUrl });
    await su.connect();
    await su.query(`
      CREATE ROLE crm_app LOGIN PASSWORD 'app-pw' NOSUPERUSER NOBYPASSRLS;
      CREATE TABLE items (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        name text NOT NULL,
        UNIQUE (tenant_id, name)
      );
      ALTER TABLE items ENABLE ROW LEVEL SECURITY;
      ALTER TABLE items FORCE ROW LEVEL SECURITY;
      CREATE POLICY tenant_isolation ON items
        USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
        WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
      GRANT SELECT, INSERT, UPDATE, DELETE ON items TO crm_app;
    `);
    await su.end();
    appUrl = `postgresql://crm_app:app-pw@127.0.0.1:${port}/crm`;
    proxy = await startNeonProxy({ port: await freePort() });
    neonConfig.fetchEndpoint = proxy.fetchEndpoint;
    neonConfig.wsProxy = (host, p) => `${proxy.wsProxy}?address=${host}:${p}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  });

  afterAll(async () => {
    await proxy?.stop();
    await cluster?.stop();
  });

  beforeEach(() => proxy.resetStats());

  it("runs single parameterised queries with Postgres types round-tripping", async () => {
    const sql = neon(appUrl);
    const ts = new Date("2025-03-04T05:06:07.890Z");
    const rows = await sql`
      SELECT ${"héllo 'quoted'"}::text AS t, ${42}::int AS i, ${"12345678901234.56"}::numeric AS n,
             ${JSON.stringify({ a: [1, "x"], b: null })}::jsonb AS j, ${ts}::timestamptz AS ts,
             ${TENANT_A}::uuid AS u, ${[1, 2, 3]}::int[] AS ia, ${["a", "b,c"]}::text[] AS ta,
             ${null}::text AS nul, ${true}::boolean AS b, 9007199254740993::bigint AS big,
             current_user AS who`;
    expect(rows).toEqual([
      {
        t: "héllo 'quoted'",
        i: 42,
        n: "12345678901234.56",
        j: { a: [1, "x"], b: null },
        ts,
        u: TENANT_A,
        ia: [1, 2, 3],
        ta: ["a", "b,c"],
        nul: null,
        b: true,
        big: "9007199254740993",
        who: "crm_app",
      },
    ]);
    const full = await sql.query("SELECT $1::int + 1 AS x", [1], { fullResults: true, arrayMode: true });
    expect(full.rows).toEqual([[2]]);
    expect(full.command).toBe("SELECT");
    expect(full.rowCount).toBe(1);
    expect(full.fields[0]).toMatchObject({ name: "x", dataTypeID: 23 });
    expect(proxy.stats()).toEqual({ httpRequests: 2, httpQueries: 2, wsConnections: 0, wsMessages: 0 });
  });

  it("runs a transaction() batch in one round trip; set_config(…, true) is visible inside and gone after", async () => {
    const sql = neon(appUrl);
    const [, inserted, seen, setting] = await sql.transaction([
      sql`SELECT set_config('app.tenant_id', ${TENANT_A}, true)`,
      sql`INSERT INTO items (tenant_id, name) VALUES (${TENANT_A}, 'first') RETURNING name`,
      sql`SELECT count(*)::int AS c FROM items`,
      sql`SELECT current_setting('app.tenant_id', true) AS t`,
    ]);
    expect(inserted).toEqual([{ name: "first" }]);
    expect(seen).toEqual([{ c: 1 }]);
    expect(setting).toEqual([{ t: TENANT_A }]);
    expect(proxy.stats()).toMatchObject({ httpRequests: 1, httpQueries: 4 });

    // the transaction-local setting is gone afterwards (same pooled connection or not)
    const after = await sql`SELECT coalesce(current_setting('app.tenant_id', true), '') AS t`;
    expect(after).toEqual([{ t: "" }]);
    // and RLS hides rows without a tenant / from another tenant
    expect(await sql`SELECT count(*)::int AS c FROM items`).toEqual([{ c: 0 }]);
    const [, other] = await sql.transaction([
      sql`SELECT set_config('app.tenant_id', ${TENANT_B}, true)`,
      sql`SELECT count(*)::int AS c FROM items`,
    ]);
    expect(other).toEqual([{ c: 0 }]);
  });

  it("rolls back the whole batch on an error and surfaces the Postgres error as NeonDbError", async () => {
    const sql = neon(appUrl);
    const err = await sql
      .transaction([
        sql`SELECT set_config('app.tenant_id', ${TENANT_A}, true)`,
        sql`INSERT INTO items (tenant_id, name) VALUES (${TENANT_A}, 'second')`,
        sql`INSERT INTO items (tenant_id, name) VALUES (${TENANT_A}, 'first')`,
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NeonDbError);
    expect(err).toMatchObject({
      code: "23505",
      severity: "ERROR",
      constraint: "items_tenant_id_name_key",
      table: "items",
      schema: "public",
    });
    // Postgres omits the "Key (…)=(…) already exists" detail when the table has RLS enabled
    expect((err as NeonDbError).detail).toBeUndefined();
    expect(proxy.stats()).toMatchObject({ httpRequests: 1, httpQueries: 3 });
    const [, names] = await sql.transaction([
      sql`SELECT set_config('app.tenant_id', ${TENANT_A}, true)`,
      sql`SELECT name FROM items ORDER BY name`,
    ]);
    expect(names).toEqual([{ name: "first" }]); // 'second' was rolled back

    // RLS WITH CHECK violation and syntax errors carry codes / positions too
    await expect(
      sql.transaction([
        sql`SELECT set_config('app.tenant_id', ${TENANT_A}, true)`,
        sql`INSERT INTO items (tenant_id, name) VALUES (${TENANT_B}, 'sneaky')`,
      ]),
    ).rejects.toMatchObject({ code: "42501" });
    await expect(sql.query("SELEC 1")).rejects.toMatchObject({ code: "42601", position: "1" });
    // one query is one statement (extended protocol), as on Neon
    await expect(sql.query("SELECT 1; SELECT 2")).rejects.toMatchObject({ code: "42601" });
  });

  it("honours Neon-Batch-Isolation-Level / Read-Only / Deferrable", async () => {
    const sql = neon(appUrl);
    const [iso, ro, def] = await sql.transaction(
      [
        sql`SELECT current_setting('transaction_isolation') AS v`,
        sql`SELECT current_setting('transaction_read_only') AS v`,
        sql`SELECT current_setting('transaction_deferrable') AS v`,
      ],
      { isolationLevel: "Serializable", readOnly: true, deferrable: true },
    );
    expect([iso, ro, def]).toEqual([[{ v: "serializable" }], [{ v: "on" }], [{ v: "on" }]]);
    await expect(
      sql.transaction([sql`INSERT INTO items (tenant_id, name) VALUES (${TENANT_A}, 'ro')`], { readOnly: true }),
    ).rejects.toMatchObject({ code: "25006" });
    const [rc] = await sql.transaction([sql`SELECT current_setting('transaction_isolation') AS v`], {
      isolationLevel: "RepeatableRead",
    });
    expect(rc).toEqual([{ v: "repeatable read" }]);
  });

  it("rejects a wrong password and non-loopback hosts with NeonDbError", async () => {
    const bad = neon(`postgresql://crm_app:wrong@127.0.0.1:${port}/crm`);
    await expect(bad`SELECT 1`).rejects.toMatchObject({ name: "NeonDbError", code: "28P01" });
    const remote = neon(`postgresql://crm_app:app-pw@db.example.com:${port}/crm`);
    const err = await remote`SELECT 1`.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NeonDbError);
    expect((err as Error).message).toMatch(/loopback/);
  });

  it("bridges the driver's Pool over WebSocket (interactive transaction) and counts messages", async () => {
    const pool = new Pool({ connectionString: appUrl });
    const client = await pool.connect();
    try {
      expect(proxy.stats()).toEqual({ httpRequests: 0, httpQueries: 0, wsConnections: 1, wsMessages: 3 }); // startup + SCRAM x2
      await client.query("BEGIN");
      await client.query("SELECT set_config('app.tenant_id', $1, true)", [TENANT_A]);
      const r = await client.query<{ name: string }>("SELECT name FROM items ORDER BY name");
      expect(r.rows).toEqual([{ name: "first" }]);
      await client.query("INSERT INTO items (tenant_id, name) VALUES ($1, 'via-ws')", [TENANT_A]);
      await client.query("ROLLBACK");
      expect(proxy.stats().wsMessages).toBe(3 + 5);
    } finally {
      client.release();
    }
    const err = await pool.query("SELECT 1/0").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "22012" });
    await pool.end();
    // the bridge closed both sides: no backend of crm_app is left on the server
    const su = new pg.Client({ connectionString: cluster.superuserUrl });
    await su.connect();
    let left = -1;
    for (let i = 0; i < 50 && left !== 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const r = await su.query(
        "SELECT count(*)::int AS c FROM pg_stat_activity WHERE usename = 'crm_app' AND application_name <> 'neon-proxy'",
      );
      left = r.rows[0].c;
    }
    await su.end();
    expect(left).toBe(0);
    const st = await (await fetch(`${proxy.url}/__stats`)).json();
    expect(st).toEqual({ httpRequests: 0, httpQueries: 0, wsConnections: 1, wsMessages: 9 });
    const reset = await (await fetch(`${proxy.url}/__stats/reset`, { method: "POST" })).json();
    expect(reset).toEqual({ httpRequests: 0, httpQueries: 0, wsConnections: 0, wsMessages: 0 });
  });

  it("lets a process that used Pool + neon() exit by itself after pool.end()", async () => {
    const script = `
      import { neon, neonConfig, Pool } from "@neondatabase/serverless";
      neonConfig.fetchEndpoint = process.env.FETCH_ENDPOINT;
      neonConfig.wsProxy = (h, p) => process.env.WS_PROXY + "?address=" + h + ":" + p;
      neonConfig.useSecureWebSocket = false; neonConfig.pipelineTLS = false; neonConfig.pipelineConnect = false;
      const pool = new Pool({ connectionString: process.env.URL });
      const c = await pool.connect();
      await c.query("BEGIN"); const r = await c.query("SELECT 41 + 1 AS x"); await c.query("COMMIT");
      c.release();
      await Promise.all([1, 2, 3].map((i) => pool.query("SELECT $1::int AS i", [i])));
      await pool.end();
      const h = await neon(process.env.URL)\`SELECT 1 AS one\`;
      console.log(JSON.stringify({ x: r.rows[0].x, one: h[0].one }));
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      cwd: process.cwd(),
      env: { ...process.env, URL: appUrl, FETCH_ENDPOINT: proxy.fetchEndpoint, WS_PROXY: proxy.wsProxy },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let errOut = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (errOut += d));
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => {
      const t = setTimeout(() => {
        child.kill("SIGKILL");
        resolve(-1);
      }, 10_000);
      child.on("exit", (c) => {
        clearTimeout(t);
        resolve(c);
      });
    });
    expect(errOut).toBe("");
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ x: 42, one: 1 });
    expect(Date.now() - started).toBeLessThan(8_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(proxy.stats()).toMatchObject({ httpRequests: 1, wsConnections: 3 });
  });
});
