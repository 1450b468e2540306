// Real redis-server: start, talk RESP to it, stop; stop removes the temp dir.
import fs from "node:fs";
import net from "node:net";
import { describe, expect, it } from "vitest";
import { freePort } from "./free-port.ts";
import { findRedisServer, REDIS_INSTALL_HINT, startRedis } from "./redis.ts";
import { RespConnection, RespError } from "./upstash-rest.ts";

const missing = findRedisServer() ? null : `redis-server not found on PATH; install it with: ${REDIS_INSTALL_HINT}`;
const ci = process.env.CI === "true";
if (missing && !ci) console.warn(`[redis tests] skipped: ${missing}`);

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });

describe("freePort", () => {
  it("returns a bindable loopback port", async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(1023);
    const srv = net.createServer();
    await new Promise<void>((resolve, reject) => srv.once("error", reject).listen(port, "127.0.0.1", () => resolve()));
    await new Promise((r) => srv.close(r));
  });
});

// In CI a missing redis-server is a failure (startRedis throws with the install line).
describe.skipIf(missing !== null && !ci)(
  `redis-server launcher${missing ? ` (${ci ? "required in CI" : "skipped"}: ${missing})` : ""}`,
  () => {
    it("starts on a free loopback port without persistence, stops and removes its temp dir", async () => {
      const r = await startRedis();
      expect(r.url).toBe(`redis://127.0.0.1:${r.port}`);
      const conn = await RespConnection.connect("127.0.0.1", r.port);
      const replies = await conn.send([
        ["PING"],
        ["SET", "k", "vález"],
        ["GET", "k"],
        ["CONFIG", "GET", "dir"],
        ["CONFIG", "GET", "save"],
        ["CONFIG", "GET", "appendonly"],
        ["CONFIG", "GET", "bind"],
      ]);
      conn.close();
      expect(replies.some((x) => x instanceof RespError)).toBe(false);
      expect(String((replies[0] as { value: string }).value)).toBe("PONG");
      expect((replies[2] as Buffer).toString("utf8")).toBe("vález");
      const cfg = (i: number) => String((replies[i] as Buffer[])[1]);
      const dir = cfg(3);
      expect(fs.existsSync(dir)).toBe(true);
      expect(cfg(4)).toBe("");
      expect(cfg(5)).toBe("no");
      expect(cfg(6)).toBe("127.0.0.1");

      await r.stop();
      await r.stop(); // idempotent
      expect(fs.existsSync(dir)).toBe(false);
      expect(await canConnect(r.port)).toBe(false);
    });

    it("honours a given port and reports a clear error when it is taken", async () => {
      const port = await freePort();
      const r = await startRedis({ port });
      try {
        expect(r.port).toBe(port);
        await expect(startRedis({ port })).rejects.toThrow(/failed to start on 127\.0\.0\.1:/);
      } finally {
        await r.stop();
      }
    });
  },
);
