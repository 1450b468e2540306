import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../db/migrations");
export const APP_ROLE = "crm_app";

/** Applies db/migrations as the owner (the role that will own every table). */
export async function applyMigrations(ownerUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_DIR });
  } finally {
    await client.end();
  }
}

/** Lets the non-owner app role log in (real Postgres; PGlite ignores login roles). */
export async function enableAppLogin(ownerUrl: string, password: string): Promise<void> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query(`ALTER ROLE ${APP_ROLE} LOGIN PASSWORD ${pg.escapeLiteral(password)}`);
  } finally {
    await client.end();
  }
}

/** postgres://owner:pw@host:port/db → postgres://crm_app:password@host:port/db */
export function appRoleUrl(ownerUrl: string, password: string): string {
  const url = new URL(ownerUrl);
  url.username = APP_ROLE;
  url.password = password;
  return url.toString();
}

// `node scripts/db/migrate.ts` — production/CI use: DATABASE_OWNER_URL (Neon owner) required.
if (import.meta.url === `file://${process.argv[1]}`) {
  const ownerUrl = process.env.DATABASE_OWNER_URL;
  if (!ownerUrl) {
    console.error("set DATABASE_OWNER_URL to the owner role's connection string");
    process.exit(2);
  }
  await applyMigrations(ownerUrl);
  if (process.env.APP_DB_PASSWORD) await enableAppLogin(ownerUrl, process.env.APP_DB_PASSWORD);
  console.error("migrations applied");
}
