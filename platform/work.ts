import type { DbSettings } from "../db/client.ts";
import { UnitOfWork, type RoundTripTimer } from "../db/unit-of-work.ts";
import type { Config } from "./env.ts";

// The ways any entry point (Worker request, Durable Object, queue consumer, cron) reaches the
// database. Each is a UnitOfWork (db/unit-of-work.ts) with its scope fixed by the constructor;
// `onRoundTrip`, when given, is told how long each database round trip took.

export type WaitUntil = (promise: Promise<unknown>) => void;

export function dbSettings(config: Config): DbSettings {
  return { url: config.DATABASE_URL, fetchEndpoint: config.NEON_FETCH_ENDPOINT, wsProxy: config.NEON_WS_PROXY };
}

export interface TenantCaller {
  id: string;
  email: string | undefined;
  role: string;
}

/** One tenant's data under RLS. With a caller, the batch also checks the tenant is active and provisions the caller. */
export function tenantWork(
  config: Config,
  tenantId: string,
  caller: TenantCaller | undefined,
  waitUntil: WaitUntil,
  onRoundTrip?: RoundTripTimer,
): UnitOfWork {
  return new UnitOfWork(
    dbSettings(config),
    { kind: "tenant", tenantId, appRole: config.DB_APP_ROLE, user: caller },
    waitUntil,
    onRoundTrip,
  );
}

/** Cross-tenant system work (tenant listing, outbox relay) as crm_system. */
export function systemWork(config: Config, waitUntil: WaitUntil, onRoundTrip?: RoundTripTimer): UnitOfWork {
  return new UnitOfWork(dbSettings(config), { kind: "system" }, waitUntil, onRoundTrip);
}

/** A public proposal link: the tenant is the link's, resolved inside the batch from the token hash. */
export function publicLinkWork(
  config: Config,
  tokenHash: string,
  waitUntil: WaitUntil,
  onRoundTrip?: RoundTripTimer,
): UnitOfWork {
  return new UnitOfWork(
    dbSettings(config),
    { kind: "public-link", tokenHash, appRole: config.DB_APP_ROLE },
    waitUntil,
    onRoundTrip,
  );
}

/** A WhatsApp webhook: reads only the live channel `channelId` (its tenant and secrets), nothing else. */
export function webhookChannelWork(
  config: Config,
  channelId: string,
  waitUntil: WaitUntil,
  onRoundTrip?: RoundTripTimer,
): UnitOfWork {
  return new UnitOfWork(dbSettings(config), { kind: "webhook-channel", channelId }, waitUntil, onRoundTrip);
}
