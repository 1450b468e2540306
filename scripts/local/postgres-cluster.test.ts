import { existsSync } from "node:fs";
import net from "node:net";
import { dirname } from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { findPostgresBinaries, startPostgresCluster } from "./postgres-cluster.ts";

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

const bindir = findPostgresBinaries();

describe.skipIf(!bindir)("postgres-cluster (real PostgreSQL binaries)", () => {
  it("starts a cluster, enforces password auth for login roles, and stop() removes the dir", async () => {
    const port = await freePort();
    const cluster = await startPostgresCluster({ port });
    const baseDir = dirname(cluster.dataDir);
    try {
      expect(cluster.port).toBe(port);
      expect(cluster.superuserUrl).toMatch(new RegExp(`^postgresql://postgres:[^@]+@127\\.0\\.0\\.1:${port}/crm$`));
      const su = new pg.Client({ connectionString: cluster.superuserUrl });
      await su.connect();
      const v = await su.query(
        "SELECT current_database() AS db, current_setting('server_version_num')::int AS v, current_setting('fsync') AS fsync",
      );
      expect(v.rows[0]).toMatchObject({ db: "crm", fsync: "off" });
      expect(v.rows[0].v).toBeGreaterThanOrEqual(150000);
      await su.query("CREATE ROLE crm_app LOGIN PASSWORD 'right-pw' NOSUPERUSER NOCREATEDB NOCREATEROLE");
      await su.end();

      const ok = new pg.Client({ host: "127.0.0.1", port, user: "crm_app", password: "right-pw", database: "crm" });
      await ok.connect();
      const who = await ok.query(
        "SELECT current_user AS u, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS su",
      );
      expect(who.rows[0]).toEqual({ u: "crm_app", su: false });
      await ok.end();

      const bad = new pg.Client({ host: "127.0.0.1", port, user: "crm_app", password: "wrong-pw", database: "crm" });
      await expect(bad.connect()).rejects.toMatchObject({ code: "28P01" });
      // the superuser needs its password over TCP too
      const noPw = new pg.Client({ host: "127.0.0.1", port, user: "postgres", password: "nope", database: "crm" });
      await expect(noPw.connect()).rejects.toMatchObject({ code: "28P01" });
    } finally {
      await cluster.stop();
    }
    expect(existsSync(baseDir)).toBe(false);
    // the port is free again
    const s = net.createServer();
    await new Promise<void>((resolve, reject) => {
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => s.close(() => resolve()));
    });
  });
});
