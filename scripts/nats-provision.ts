// `npm run nats:provision [-- --url ws://host:port] [-- --dry-run]`: creates or updates the JetStream
// streams of core/events/streams.ts (issue 15), idempotently, printing what it changed. NATS_URL
// (ws:// or wss://, as the Worker uses) or --url says where; credentials ride in the URL or in
// NATS_TOKEN / NATS_USER + NATS_PASS.
import { parseArgs } from "node:util";
import { jetstreamManager, type JetStreamManager, type StreamConfig } from "@nats-io/jetstream";
import { wsconnect } from "@nats-io/nats-core";
import { STREAMS, type StreamSpec } from "../core/events/streams.ts";

export interface ProvisionLine {
  stream: string;
  action: "created" | "updated" | "unchanged";
  changes: string[];
}

function nanos(value: number | bigint | undefined): bigint {
  return BigInt(value ?? 0);
}

function differences(spec: StreamSpec, current: StreamConfig): string[] {
  const out: string[] = [];
  const subjects = [...(current.subjects ?? [])].sort().join(",");
  if (subjects !== [...spec.subjects].sort().join(","))
    out.push(`subjects: ${subjects || "(none)"} → ${spec.subjects.join(",")}`);
  if (nanos(current.max_age) !== spec.maxAgeNs)
    out.push(`max_age: ${days(nanos(current.max_age))} → ${days(spec.maxAgeNs)}`);
  if (nanos(current.duplicate_window) !== spec.duplicateWindowNs)
    out.push(
      `duplicate_window: ${nanos(current.duplicate_window) / 1_000_000_000n} s → ${spec.duplicateWindowNs / 1_000_000_000n} s`,
    );
  return out;
}

function days(ns: bigint): string {
  return ns === 0n ? "unlimited" : `${Number(ns / 1_000_000_000n) / 86_400} d`;
}

/** Brings every stream to its spec; `dryRun` only says what it would do. */
export async function provisionStreams(jsm: JetStreamManager, dryRun = false): Promise<ProvisionLine[]> {
  const lines: ProvisionLine[] = [];
  for (const spec of STREAMS) {
    const wanted = {
      name: spec.name,
      subjects: spec.subjects,
      max_age: Number(spec.maxAgeNs),
      duplicate_window: Number(spec.duplicateWindowNs),
    };
    const info = await jsm.streams.info(spec.name).catch((err: unknown) => {
      if (err instanceof Error && /not found/i.test(err.message)) return null;
      throw err;
    });
    if (!info) {
      if (!dryRun) await jsm.streams.add(wanted);
      lines.push({
        stream: spec.name,
        action: "created",
        changes: [`subjects ${spec.subjects.join(",")}, max_age ${days(spec.maxAgeNs)}`],
      });
      continue;
    }
    const changes = differences(spec, info.config);
    if (changes.length === 0) {
      lines.push({ stream: spec.name, action: "unchanged", changes });
      continue;
    }
    if (!dryRun) await jsm.streams.update(spec.name, { ...info.config, ...wanted });
    lines.push({ stream: spec.name, action: "updated", changes });
  }
  return lines;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { url: { type: "string" }, "dry-run": { type: "boolean" } } });
  const url = values.url ?? process.env.NATS_URL;
  if (!url) {
    console.error("nats:provision: set NATS_URL (ws:// or wss://) or pass --url");
    process.exit(2);
  }
  const nc = await wsconnect({
    servers: url,
    ...(process.env.NATS_TOKEN ? { token: process.env.NATS_TOKEN } : {}),
    ...(process.env.NATS_USER ? { user: process.env.NATS_USER, pass: process.env.NATS_PASS ?? "" } : {}),
  });
  try {
    const lines = await provisionStreams(await jetstreamManager(nc), values["dry-run"] ?? false);
    for (const l of lines)
      console.log(`${l.action.padEnd(9)} ${l.stream}${l.changes.length ? `: ${l.changes.join("; ")}` : ""}`);
    if (values["dry-run"]) console.log("(dry run: nothing changed)");
  } finally {
    await nc.close();
  }
}

if (import.meta.main) await main();
