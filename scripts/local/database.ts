import path from "node:path";
import { randomBytes } from "node:crypto";
import { findPostgresBinaries, startPostgresCluster } from "./postgres-cluster.ts";
import { startPgliteServer } from "./pglite-server.ts";
import { freePort } from "./free-port.ts";
import { applyMigrations, appRoleUrl, enableAppLogin } from "../db/migrate.ts";

export type DatabaseKind = "postgres" | "pglite" | "external";

export interface LocalDatabase {
  kind: DatabaseKind;
  /** Owner/superuser: migrations, seeds, test setup. */
  ownerUrl: string;
  /** The non-owner login role the Worker uses. */
  appUrl: string;
  stop(): Promise<void>;
}

/**
 * The database for a local run, migrated and with the app role able to log in:
 * - `external`: `DATABASE_URL` (an owner URL) wins;
 * - `postgres`: a temp real PostgreSQL cluster, when its binaries are installed;
 * - `pglite`: embedded PGlite behind pglite-socket (file-backed at `pgliteDir`).
 */
export async function startLocalDatabase(opts: {
  prefer: "postgres" | "pglite";
  pgliteDir: string;
  port?: number;
  log?: (line: string) => void;
}): Promise<LocalDatabase> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const appPassword = randomBytes(18).toString("base64url");
  const port = opts.port ?? (await freePort());

  let kind: DatabaseKind;
  let ownerUrl: string;
  let stop: () => Promise<void>;
  if (process.env.DATABASE_URL) {
    kind = "external";
    ownerUrl = process.env.DATABASE_URL;
    stop = async () => {};
    log(`database: DATABASE_URL (${new URL(ownerUrl).host})`);
  } else if (opts.prefer === "postgres" && findPostgresBinaries()) {
    const cluster = await startPostgresCluster({ port });
    kind = "postgres";
    ownerUrl = cluster.superuserUrl;
    stop = cluster.stop;
    log(`database: PostgreSQL cluster on 127.0.0.1:${port} (${cluster.dataDir})`);
  } else {
    if (opts.prefer === "postgres") {
      log("database: PostgreSQL binaries not found (apt-get install postgresql); using embedded PGlite instead");
    }
    const server = await startPgliteServer({ dataDir: path.resolve(opts.pgliteDir), port, maxConnections: 10 });
    kind = "pglite";
    ownerUrl = server.url;
    stop = server.stop;
    log(`database: embedded PGlite on 127.0.0.1:${port} (${opts.pgliteDir})`);
  }

  await applyMigrations(ownerUrl);
  await enableAppLogin(ownerUrl, appPassword);
  return { kind, ownerUrl, appUrl: appRoleUrl(ownerUrl, appPassword), stop };
}
