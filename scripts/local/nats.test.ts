// Real nats-server with JetStream, reached over its websocket listener by the real NATS client.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wsconnect, type NatsConnection } from "@nats-io/nats-core";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { findNatsServer, NATS_INSTALL_HINT, startNats, type LocalNats } from "./nats.ts";

const missing = findNatsServer() ? null : `nats-server not found on PATH; install it with: ${NATS_INSTALL_HINT}`;
const ci = process.env.CI === "true";
if (missing && !ci) console.warn(`[nats tests] skipped: ${missing}`);

// In CI a missing nats-server is a failure (startNats throws with the install line).
describe.skipIf(missing !== null && !ci)(
  `nats-server launcher${missing ? ` (${ci ? "required in CI" : "skipped"}: ${missing})` : ""}`,
  () => {
    let nats: LocalNats;
    let nc: NatsConnection | undefined;

    beforeAll(async () => {
      nats = await startNats();
    });
    afterAll(async () => {
      await nc?.close();
      await nats?.stop();
    });

    it("exposes loopback nats:// and ws:// URLs", () => {
      expect(nats.url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
      expect(nats.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    });

    it("JetStream over websocket: stream, de-duplicated publish by msgID, consume", async () => {
      nc = await wsconnect({ servers: nats.wsUrl });
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: "CRM_EVENTS", subjects: ["crm.>"], duplicate_window: 60_000_000_000 });
      const js = jetstream(nc);

      const first = await js.publish("crm.lead.created", JSON.stringify({ id: "lead-1" }), { msgID: "evt-1" });
      const second = await js.publish("crm.lead.created", JSON.stringify({ id: "lead-1" }), { msgID: "evt-1" });
      expect(first.duplicate).toBe(false);
      expect(second.duplicate).toBe(true);
      expect(second.seq).toBe(first.seq);
      expect((await jsm.streams.info("CRM_EVENTS")).state.messages).toBe(1);

      await jsm.consumers.add("CRM_EVENTS", { durable_name: "worker", ack_policy: "explicit" });
      const consumer = await js.consumers.get("CRM_EVENTS", "worker");
      const msg = await consumer.next({ expires: 2000 });
      expect(msg).not.toBeNull();
      expect(msg!.subject).toBe("crm.lead.created");
      expect(msg!.json<{ id: string }>()).toEqual({ id: "lead-1" });
      expect(msg!.headers?.get("Nats-Msg-Id")).toBe("evt-1");
      msg!.ack();
    });

    it("stop() shuts the server down", async () => {
      const other = await startNats();
      await other.stop();
      await other.stop();
      await expect(wsconnect({ servers: other.wsUrl, reconnect: false, timeout: 1000 })).rejects.toThrow();
    });
  },
);
