import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import { wsconnect, type NatsConnection } from "@nats-io/nats-core";
import { natsSubject, type CloudEvent } from "../core/events/cloudevents.ts";
import type { Env } from "./env.ts";

// The events' way out to integrations (issue 15): each CloudEvent published to NATS JetStream on
// `{context}.{action}.{tenantId}` (core/events/cloudevents.ts natsSubject; streams in
// core/events/streams.ts, made by `npm run nats:provision`), with Nats-Msg-Id = the event id so
// JetStream drops a redelivered copy within the stream's duplicate window. The events consumer
// publishes a tenant's events, in order, and waits for every acknowledgement before it marks them
// delivered: a NATS outage means the queue retries (and the outbox sweep resends), never a loss.
// Events in reference form (too large for a queue message) go out as they are, with `dataref`.

const CONNECT_TIMEOUT_MS = 5_000;
const PUBLISH_TIMEOUT_MS = 10_000;

interface Connection {
  url: string;
  nc: NatsConnection;
  js: JetStreamClient;
}

let current: Promise<Connection> | undefined;
let currentUrl: string | undefined;

/** NATS_URL when it is a ws:// or wss:// URL (the only transport Workers have), else null. */
export function natsUrl(env: Env): string | null {
  const url = env.NATS_URL;
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "ws:" || parsed.protocol === "wss:" ? url : null;
  } catch {
    return null;
  }
}

/** The isolate's connection, made once and made again after it closed. */
async function connection(url: string): Promise<Connection> {
  if (current && currentUrl === url) {
    const conn = await current.catch(() => undefined);
    if (conn && !conn.nc.isClosed()) return conn;
  }
  currentUrl = url;
  current = (async () => {
    const nc = await wsconnect({ servers: url, timeout: CONNECT_TIMEOUT_MS, reconnect: false, name: "zuclubit-crm" });
    return { url, nc, js: jetstream(nc, { timeout: PUBLISH_TIMEOUT_MS }) };
  })();
  try {
    return await current;
  } catch (err) {
    current = undefined;
    throw err;
  }
}

export interface RelayReport {
  published: number;
  /** Acknowledged as duplicates: JetStream had the event already (a redelivery). */
  duplicates: number;
}

/**
 * Publishes `events` in order and resolves when JetStream acknowledged every one; rejects on the
 * first failure (no stream for the subject, timeout, connection lost), after which the caller
 * retries the whole set — the ones that did land are dropped as duplicates.
 */
export async function publishToJetStream(url: string, events: readonly CloudEvent[]): Promise<RelayReport> {
  if (events.length === 0) return { published: 0, duplicates: 0 };
  const { js } = await connection(url);
  const encoder = new TextEncoder();
  // Sent back to back on one connection, so the server stores them in this order; then awaited.
  const acks = events.map((e) =>
    js.publish(natsSubject(e.type, e.tenantid), encoder.encode(JSON.stringify(e)), { msgID: e.id }),
  );
  const results = await Promise.all(acks);
  return { published: results.length, duplicates: results.filter((a) => a.duplicate).length };
}

/** Closes the isolate's connection (tests, shutdown). */
export async function closeNats(): Promise<void> {
  const conn = await current?.catch(() => undefined);
  current = undefined;
  currentUrl = undefined;
  await conn?.nc.close();
}
