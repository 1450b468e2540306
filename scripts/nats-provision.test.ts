import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wsconnect, type NatsConnection } from "@nats-io/nats-core";
import { jetstreamManager } from "@nats-io/jetstream";
import { STREAMS } from "../core/events/streams.ts";
import { findNatsServer, NATS_INSTALL_HINT, startNats, type LocalNats } from "./local/nats.ts";
import { provisionStreams } from "./nats-provision.ts";

const missing = findNatsServer() ? null : `nats-server not found; install it with: ${NATS_INSTALL_HINT}`;
const ci = process.env.CI === "true";

describe.skipIf(missing !== null && !ci)("npm run nats:provision", () => {
  let nats: LocalNats;
  let nc: NatsConnection;
  beforeAll(async () => {
    nats = await startNats();
    nc = await wsconnect({ servers: nats.wsUrl });
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
  });

  it("creates every stream, then changes nothing; a drifted stream is put back and the diff printed", async () => {
    const jsm = await jetstreamManager(nc);
    const first = await provisionStreams(jsm);
    expect(first.map((l) => l.action)).toEqual(STREAMS.map(() => "created"));
    const second = await provisionStreams(jsm);
    expect(second.map((l) => l.action)).toEqual(STREAMS.map(() => "unchanged"));

    const lead = await jsm.streams.info("LEAD_EVENTS");
    await jsm.streams.update("LEAD_EVENTS", { ...lead.config, max_age: 3_600 * 1_000_000_000 });
    const dry = await provisionStreams(jsm, true);
    expect(dry.find((l) => l.stream === "LEAD_EVENTS")).toMatchObject({
      action: "updated",
      changes: ["max_age: 0.041666666666666664 d → 7 d"],
    });
    expect((await jsm.streams.info("LEAD_EVENTS")).config.max_age).toBe(3_600 * 1_000_000_000);
    const fixed = await provisionStreams(jsm);
    expect(fixed.filter((l) => l.action !== "unchanged").map((l) => l.stream)).toEqual(["LEAD_EVENTS"]);
    expect((await jsm.streams.info("LEAD_EVENTS")).config.max_age).toBe(7 * 86_400 * 1_000_000_000);
    expect((await jsm.streams.info("CFDI_EVENTS")).config.subjects).toEqual(["cfdi.>"]);
  });
});
