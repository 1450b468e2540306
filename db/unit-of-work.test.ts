import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { testEnv } from "../test/support/env.ts";
import { createTenant, ownerSql } from "../test/support/harness.ts";
import { contacts } from "./schema/crm.ts";
import { UnitOfWork } from "./unit-of-work.ts";
import { exec, query, rows } from "./statement.ts";

function settings(tag?: string) {
  const url = new URL(testEnv.DATABASE_URL ?? "");
  if (tag) url.searchParams.set("application_name", tag);
  return { url: url.toString(), fetchEndpoint: testEnv.NEON_FETCH_ENDPOINT, wsProxy: testEnv.NEON_WS_PROXY };
}

async function stats(tag: string) {
  return (await (await fetch(`${testEnv.TEST_NEON_PROXY_URL}/__stats?tag=${tag}`)).json()) as {
    httpRequests: number;
    httpQueries: number;
    wsConnections: number;
    wsMessages: number;
  };
}

describe("unit of work", () => {
  it("batch: scope, provisioning and statements in ONE HTTP round trip", async () => {
    const tenant = await createTenant();
    const tag = `uow-${crypto.randomUUID()}`;
    const ctx = createExecutionContext();
    const uow = new UnitOfWork(
      settings(tag),
      {
        kind: "tenant",
        tenantId: tenant.id,
        user: { id: crypto.randomUUID(), email: undefined, role: "user" },
        appRole: "crm_app",
      },
      (p) => ctx.waitUntil(p),
    );
    const [who] = await uow.batch((db) => [
      db.execute(sql`select current_user as role, current_setting('app.tenant_id') as tenant`),
    ]);
    await waitOnExecutionContext(ctx);
    expect((who as unknown as { rows: unknown[] }).rows).toEqual([{ role: "crm_app", tenant: tenant.id }]);
    // The scope, the request check and provisioning are one statement: one trip to Postgres, then the work.
    expect(await stats(tag)).toMatchObject({ httpRequests: 1, httpQueries: 2, wsConnections: 0 });
    const [provisioned] =
      await ownerSql`select tenant_id from users where id = ${uow.scope.kind === "tenant" ? uow.scope.user!.id : ""}`;
    expect(provisioned?.tenant_id).toBe(tenant.id);
  });

  it("run: typed statements in one round trip, each result read by its own statement", async () => {
    const tenant = await createTenant();
    const tag = `uow-${crypto.randomUUID()}`;
    const ctx = createExecutionContext();
    const uow = new UnitOfWork(settings(tag), { kind: "tenant", tenantId: tenant.id, appRole: "crm_app" }, (p) =>
      ctx.waitUntil(p),
    );
    const id = crypto.randomUUID();
    const [inserted, touched, names] = await uow.run([
      query((db) =>
        db.insert(contacts).values({ id, tenantId: tenant.id, firstName: "Tipada" }).returning({ id: contacts.id }),
      ),
      exec(sql`update contacts set last_name = 'Uno' where id = ${id}::uuid`),
      rows(sql`select first_name || ' ' || last_name as name from contacts`, (r) => String(r.name)),
    ]);
    await waitOnExecutionContext(ctx);
    expect(inserted).toEqual([{ id }]);
    expect(touched).toBe(1);
    expect(names).toEqual(["Tipada Uno"]);
    expect(await stats(tag)).toMatchObject({ httpRequests: 1, wsConnections: 0 });
  });

  it("interactive: a WebSocket transaction under the same scope, rolled back on error, connection closed", async () => {
    const tenant = await createTenant();
    const other = await createTenant();
    const tag = `uow-${crypto.randomUUID()}`;
    const ctx = createExecutionContext();
    const uow = new UnitOfWork(settings(tag), { kind: "tenant", tenantId: tenant.id, appRole: "crm_app" }, (p) =>
      ctx.waitUntil(p),
    );

    const seen = await uow.interactive(async (tx) => {
      await tx.insert(contacts).values({ tenantId: tenant.id, firstName: "Interactiva" });
      const rows = await tx.select({ name: contacts.firstName, tenantId: contacts.tenantId }).from(contacts);
      return rows;
    });
    expect(seen).toEqual([{ name: "Interactiva", tenantId: tenant.id }]);

    // RLS applies inside: another tenant's row cannot be written.
    await expect(
      uow.interactive((tx) => tx.insert(contacts).values({ tenantId: other.id, firstName: "Intrusa" })),
    ).rejects.toThrow();
    // A failure rolls everything back.
    await expect(
      uow.interactive(async (tx) => {
        await tx.insert(contacts).values({ tenantId: tenant.id, firstName: "Revertida" });
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    await waitOnExecutionContext(ctx);
    const names =
      await ownerSql`select first_name from contacts where tenant_id in (${tenant.id}, ${other.id}) order by first_name`;
    expect(names).toEqual([{ first_name: "Interactiva" }]);
    const s = await stats(tag);
    expect(s.httpRequests).toBe(0);
    expect(s.wsConnections).toBe(3);
    // No connection of this tag is left open on the server.
    const open = await ownerSql`select count(*)::int as n from pg_stat_activity where application_name = ${tag}`;
    expect(open).toEqual([{ n: 0 }]);
  });

  it("onRoundTrip hears each round trip: one per batch; the connect and each statement of an interactive transaction", async () => {
    const tenant = await createTenant();
    const ctx = createExecutionContext();
    const heard: number[] = [];
    const uow = new UnitOfWork(
      settings(),
      { kind: "tenant", tenantId: tenant.id, appRole: "crm_app" },
      (p) => ctx.waitUntil(p),
      (ms) => heard.push(ms),
    );
    await uow.run([rows(sql`select 1 as one`, (r) => Number(r.one))]);
    expect(heard).toHaveLength(1);
    heard.length = 0;
    await uow.interactive((tx) => tx.insert(contacts).values({ tenantId: tenant.id, firstName: "Cronometrada" }));
    await waitOnExecutionContext(ctx);
    // connect, BEGIN, the scope's set_config, the insert, COMMIT
    expect(heard).toHaveLength(5);
    expect(heard.every((ms) => ms >= 0)).toBe(true);
    // A whole WebSocket connect and transaction cannot take 0 ms, even on a clock that moves in whole ms.
    expect(heard.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});
