// The PGlite socket server behind the local Neon proxy, with the real Neon driver (no mocks).
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { neon, neonConfig, NeonDbError, Pool } from "@neondatabase/serverless";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startNeonProxy, type NeonProxy } from "./neon-proxy.ts";
import { startPgliteServer } from "./pglite-server.ts";

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

describe("pglite-server behind the neon proxy", () => {
  let dir: string;
  let lite: Awaited<ReturnType<typeof startPgliteServer>>;
  let proxy: NeonProxy;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "crm-pglite-test-"));
    lite = await startPgliteServer({ dataDir: join(dir, "data"), port: await freePort() });
    url = lite.url;
    await lite.db.exec(`
      CREATE ROLE crm_app NOLOGIN;
      CREATE TABLE items (id serial PRIMARY KEY, tenant_id uuid NOT NULL, name text NOT NULL UNIQUE);
      ALTER TABLE items ENABLE ROW LEVEL SECURITY;
      ALTER TABLE items FORCE ROW LEVEL SECURITY;
      CREATE POLICY t ON items USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
        WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
      GRANT SELECT, INSERT ON items TO crm_app;
      GRANT USAGE ON SEQUENCE items_id_seq TO crm_app;
    `);
    proxy = await startNeonProxy({ port: await freePort() });
    neonConfig.fetchEndpoint = proxy.fetchEndpoint;
    neonConfig.wsProxy = (host, p) => `${proxy.wsProxy}?address=${host}:${p}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  });

  afterAll(async () => {
    await proxy?.stop();
    await lite?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => proxy.resetStats());

  it("answers single parameterised queries through the driver", async () => {
    const sql = neon(url);
    const ts = new Date("2025-01-02T03:04:05.678Z");
    const rows = await sql`SELECT ${"x"}::text AS t, ${7}::int AS i, ${"1.50"}::numeric AS n,
      ${JSON.stringify({ k: 1 })}::jsonb AS j, ${ts}::timestamptz AS ts, ${TENANT_A}::uuid AS u,
      ${[1, 2]}::int[] AS a, ${null}::int AS nul, current_user AS who`;
    // PGlite ignores the login role: everyone is `postgres`
    expect(rows).toEqual([
      { t: "x", i: 7, n: "1.50", j: { k: 1 }, ts, u: TENANT_A, a: [1, 2], nul: null, who: "postgres" },
    ]);
    expect(proxy.stats()).toEqual({ httpRequests: 1, httpQueries: 1, wsConnections: 0, wsMessages: 0 });
  });

  it("runs transaction() batches with SET LOCAL ROLE + set_config in one round trip, rolling back on error", async () => {
    const sql = neon(url);
    const [, , ins, who] = await sql.transaction([
      sql`SET LOCAL ROLE crm_app`,
      sql`SELECT set_config('app.tenant_id', ${TENANT_A}, true)`,
      sql`INSERT INTO items (tenant_id, name) VALUES (${TENANT_A}, 'one') RETURNING name`,
      sql`SELECT current_user AS u, current_setting('app.tenant_id', true) AS t`,
    ]);
    expect(ins).toEqual([{ name: "one" }]);
    expect(who).toEqual([{ u: "crm_app", t: TENANT_A }]);
    expect(proxy.stats()).toMatchObject({ httpRequests: 1, httpQueries: 4 });
    // role and setting are gone after the batch
    expect(await sql`SELECT current_user AS u, coalesce(current_setting('app.tenant_id', true), '') AS t`).toEqual([
      { u: "postgres", t: "" },
    ]);

    const err = await sql
      .transaction([
        sql`SET LOCAL ROLE crm_app`,
        sql`SELECT set_config('app.tenant_id', ${TENANT_A}, true)`,
        sql`INSERT INTO items (tenant_id, name) VALUES (${TENANT_A}, 'two')`,
        sql`INSERT INTO items (tenant_id, name) VALUES (${TENANT_A}, 'one')`,
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NeonDbError);
    expect(err).toMatchObject({ code: "23505", constraint: "items_name_key" });
    // without SET LOCAL ROLE we are the superuser, which bypasses RLS (even FORCE'd): callers must switch role
    expect(await sql`SELECT name FROM items ORDER BY name`).toEqual([{ name: "one" }]); // 'two' rolled back
    const [, , visible] = await sql.transaction([
      sql`SET LOCAL ROLE crm_app`,
      sql`SELECT set_config('app.tenant_id', ${TENANT_A}, true)`,
      sql`SELECT name FROM items ORDER BY name`,
    ]);
    expect(visible).toEqual([{ name: "one" }]);
  });

  it("keeps concurrent batches and interactive transactions from interleaving on the single backend", async () => {
    const sql = neon(url);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        sql.transaction([
          sql`SELECT set_config('app.n', ${String(i)}, true)`,
          sql`SELECT pg_sleep(0.001)`,
          sql`SELECT current_setting('app.n') AS n, ${i}::int AS i`,
        ]),
      ),
    );
    results.forEach((r, i) => expect(r[2]).toEqual([{ n: String(i), i }]));
    const single = await Promise.all(Array.from({ length: 20 }, (_, i) => sql`SELECT ${i}::int * 2 AS d`));
    single.forEach((r, i) => expect(r).toEqual([{ d: i * 2 }]));

    const pool = new Pool({ connectionString: url, max: 4 });
    const out = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const c = await pool.connect();
        try {
          await c.query("BEGIN");
          await c.query("SELECT set_config('app.n', $1, true)", [String(i)]);
          const r = await c.query("SELECT current_setting('app.n') AS n");
          await c.query("COMMIT");
          return r.rows[0].n;
        } finally {
          c.release();
        }
      }),
    );
    expect(out).toEqual(["0", "1", "2", "3", "4", "5"]);
    await pool.end();
  });

  it("serves the driver's Pool over the WebSocket bridge, including errors", async () => {
    const pool = new Pool({ connectionString: url });
    const c = await pool.connect();
    const connectMsgs = proxy.stats().wsMessages;
    expect(proxy.stats().wsConnections).toBe(1);
    expect(connectMsgs).toBe(1); // startup only: PGlite answers AuthenticationOk straight away
    await c.query("BEGIN");
    await c.query("SET LOCAL ROLE crm_app");
    await c.query("SELECT set_config('app.tenant_id', $1, true)", [TENANT_A]);
    expect((await c.query("SELECT count(*)::int AS c FROM items")).rows).toEqual([{ c: 1 }]);
    await c.query("COMMIT");
    expect(proxy.stats().wsMessages).toBe(connectMsgs + 5);
    await expect(c.query("SELECT 1/0")).rejects.toMatchObject({ code: "22012" });
    expect((await c.query("SELECT 1 AS ok")).rows).toEqual([{ ok: 1 }]);
    c.release();
    await pool.end();
  });

  it("is file-backed: data survives a restart on the same directory", async () => {
    // a plain pg client works too (any user/password)
    const client = new pg.Client({ connectionString: url.replace("postgres:postgres", "whoever:anything") });
    await client.connect();
    await client.query("CREATE TABLE IF NOT EXISTS kept (v text)");
    await client.query("INSERT INTO kept VALUES ('still here')");
    await client.end();
    await lite.stop();
    lite = await startPgliteServer({ dataDir: join(dir, "data"), port: await freePort() });
    url = lite.url;
    const rows = await neon(url)`SELECT v FROM kept`;
    expect(rows).toEqual([{ v: "still here" }]);
  });
});
