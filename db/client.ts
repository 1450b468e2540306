import { Client, neon, neonConfig } from "@neondatabase/serverless";
import { sql } from "drizzle-orm";
import { drizzle, type NeonHttpDatabase } from "drizzle-orm/neon-http";
import * as schema from "./schema/index.ts";

export interface DbSettings {
  url: string;
  /** Local stand-in for Neon's HTTP endpoint (e.g. http://127.0.0.1:4444/sql); unset on Neon. */
  fetchEndpoint?: string | undefined;
  /** Local WebSocket-to-TCP bridge (host:port/v2); unset on Neon. */
  wsProxy?: string | undefined;
}

export type Database = NeonHttpDatabase<typeof schema>;

// neonConfig's endpoint settings are global to the driver; they are the same for every request of
// a deployment, so setting them per call is idempotent.
function configureDriver(settings: DbSettings): void {
  if (settings.fetchEndpoint) {
    const endpoint = settings.fetchEndpoint;
    neonConfig.fetchEndpoint = () => endpoint;
  }
  if (settings.wsProxy) {
    const proxy = settings.wsProxy.replace(/\/+$/, "");
    neonConfig.wsProxy = (host, port) => `${proxy}?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  }
}

// The HTTP client holds no connection (each query or batch is its own fetch), so one drizzle
// instance per connection string can serve every request of the isolate; building it (schema
// relations included) on every request would be work on the hot path for nothing.
const httpDatabases = new Map<string, Database>();

/** HTTP database: stateless, one fetch per query or per `batch()` (one transaction). */
export function httpDatabase(settings: DbSettings): Database {
  configureDriver(settings);
  let db = httpDatabases.get(settings.url);
  if (!db) {
    db = drizzle({ client: neon(settings.url), schema });
    // Bounded: tests use one tagged URL per measured request.
    if (httpDatabases.size >= 64) httpDatabases.delete(httpDatabases.keys().next().value as string);
    httpDatabases.set(settings.url, db);
  }
  return db;
}

/**
 * A fresh WebSocket client for one request (Workers forbid sharing I/O objects across requests).
 * The caller must `end()` it, normally in `waitUntil`. Errors the socket reports after the work
 * is done (the proxy closing an ended connection: "Network connection lost") go to `onError`
 * instead of crashing the isolate as an unhandled 'error' event.
 */
export function requestClient(settings: DbSettings, onError: (err: Error) => void): Client {
  configureDriver(settings);
  const client = new Client({ connectionString: settings.url });
  client.on("error", onError);
  return client;
}

/** One `select 1` over HTTP, outside any unit of work: the readiness probe's database check. */
export async function pingDatabase(settings: DbSettings): Promise<void> {
  await httpDatabase(settings).execute(sql`select 1`);
}
