// Real redis-server + the local Upstash REST server, driven by the unmodified @upstash/redis and
// @upstash/ratelimit clients (no mocks).
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "@upstash/redis";
import { Ratelimit } from "@upstash/ratelimit";
import { findRedisServer, REDIS_INSTALL_HINT, startRedis, type LocalRedis } from "./redis.ts";
import { startUpstashRest, translateScript, type LocalUpstashRest } from "./upstash-rest.ts";

const missing = findRedisServer() ? null : `redis-server not found on PATH; install it with: ${REDIS_INSTALL_HINT}`;
const ci = process.env.CI === "true";
if (missing && !ci) console.warn(`[upstash-rest tests] skipped: ${missing}`);

const sha1 = (s: string) => crypto.createHash("sha1").update(s).digest("hex");
const uid = () => crypto.randomUUID().slice(0, 8);

// In CI a missing redis-server is a failure (startRedis throws with the install line).
describe.skipIf(missing !== null && !ci)(
  `Upstash REST server${missing ? ` (${ci ? "required in CI" : "skipped"}: ${missing})` : ""}`,
  () => {
    let redisSrv: LocalRedis;
    let rest: LocalUpstashRest;
    const token = "local-test-token";

    beforeAll(async () => {
      redisSrv = await startRedis();
      rest = await startUpstashRest({ redisUrl: redisSrv.url, token });
    });
    afterAll(async () => {
      await rest?.stop();
      await redisSrv?.stop();
    });

    const raw = async (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) => {
      const res = await fetch(rest.url + path, {
        ...init,
        headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) },
      });
      return { status: res.status, body: (await res.json()) as unknown };
    };

    const clients: [string, () => Redis][] = [
      ["default (base64 responses)", () => new Redis({ url: rest.url, token })],
      ["responseEncoding: false", () => new Redis({ url: rest.url, token, responseEncoding: false })],
      ["automaticDeserialization: false", () => new Redis({ url: rest.url, token, automaticDeserialization: false })],
    ];

    for (const [label, make] of clients) {
      describe(`@upstash/redis, ${label}`, () => {
        const deser = !label.startsWith("automaticDeserialization");

        it("set/get strings, JSON and unicode", async () => {
          const redis = make();
          const k = `s:${uid()}`;
          expect(await redis.set(k, "plain value")).toBe("OK");
          expect(await redis.get(k)).toBe("plain value");
          const obj = { name: "Café Ñandú ✓ 😀 中文", n: 42, nested: { ok: true, list: [1, "two"] } };
          await redis.set(`${k}:json`, obj);
          const got = await redis.get(`${k}:json`);
          expect(deser ? got : JSON.parse(got as string)).toEqual(obj);
          await redis.set(`${k}:u`, "héllo wörld — ✓ 😀");
          expect(await redis.get(`${k}:u`)).toBe("héllo wörld — ✓ 😀");
          expect(await redis.get(`${k}:absent`)).toBeNull();
          expect(await redis.mget(k, `${k}:absent`, `${k}:u`)).toEqual(["plain value", null, "héllo wörld — ✓ 😀"]);
          expect(await redis.type(k)).toBe("string");
        });

        it("incr, expire/ttl, del", async () => {
          const redis = make();
          const k = `n:${uid()}`;
          expect(await redis.incr(k)).toBe(1);
          expect(await redis.incrby(k, 41)).toBe(42);
          expect(await redis.ttl(k)).toBe(-1);
          expect(await redis.expire(k, 100)).toBe(1);
          const ttl = await redis.ttl(k);
          expect(ttl).toBeGreaterThan(95);
          expect(ttl).toBeLessThanOrEqual(100);
          await redis.set(`${k}:px`, "v", { px: 50_000 });
          expect(await redis.pttl(`${k}:px`)).toBeGreaterThan(40_000);
          expect(await redis.del(k, `${k}:px`)).toBe(2);
          expect(await redis.exists(k)).toBe(0);
        });

        it("hashes", async () => {
          const redis = make();
          const k = `h:${uid()}`;
          expect(await redis.hset(k, { name: "Zuclubit", plan: "pro", seats: 5 })).toBe(3);
          expect(await redis.hget(k, "name")).toBe("Zuclubit");
          expect(await redis.hincrby(k, "seats", 2)).toBe(7);
          const all = await redis.hgetall(k);
          // without deserialization the client hands back Redis' flat field/value array, as with real Upstash
          expect(all).toEqual(
            deser ? { name: "Zuclubit", plan: "pro", seats: 7 } : ["name", "Zuclubit", "plan", "pro", "seats", "7"],
          );
          expect(await redis.hdel(k, "plan")).toBe(1);
          expect(await redis.hkeys(k)).toEqual(["name", "seats"]);
        });

        it("pipeline() and multi()", async () => {
          const redis = make();
          const k = `p:${uid()}`;
          const p = redis.pipeline();
          p.set(k, "a");
          p.incr(`${k}:n`);
          p.incr(`${k}:n`);
          p.get(k);
          p.hset(`${k}:h`, { f: "v" });
          expect(await p.exec()).toEqual(["OK", 1, 2, "a", 1]);

          const bad = redis.pipeline();
          bad.set(`${k}:x`, "not a number");
          bad.incr(`${k}:x`);
          const kept = await bad.exec({ keepErrors: true });
          expect(kept[0]!.result).toBe("OK");
          expect(kept[1]!.error).toMatch(/not an integer/);

          const tx = redis.multi();
          tx.set(`${k}:t`, "1");
          tx.incr(`${k}:t`);
          tx.get(`${k}:t`);
          expect(await tx.exec()).toEqual(["OK", 2, deser ? 2 : "2"]);
        });

        it("eval", async () => {
          const redis = make();
          const k = `e:${uid()}`;
          const res = await redis.eval(
            "redis.call('SET', KEYS[1], ARGV[1]); return {redis.call('GET', KEYS[1]), 7}",
            [k],
            ["ñ-value"],
          );
          expect(res).toEqual(["ñ-value", 7]);
        });
      });
    }

    it("wrong token → client error (401, Upstash-shaped)", async () => {
      const bad = new Redis({ url: rest.url, token: "wrong-token" });
      await expect(bad.get("x")).rejects.toThrow(/WRONGPASS/);
      const res = await fetch(`${rest.url}/get/x`);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: "WRONGPASS invalid or missing auth token" });
    });

    it("raw protocol: path style, base64, errors, pipeline, multi-exec", async () => {
      const k = `raw:${uid()}`;
      expect(await raw(`/set/${k}/bar`)).toEqual({ status: 200, body: { result: "OK" } });
      expect(await raw(`/get/${k}`)).toEqual({ status: 200, body: { result: "bar" } });
      // POST body appended as the last argument, query params as trailing options
      expect(await raw(`/set/${k}:p?EX=100`, { method: "POST", body: '{"a":1}' })).toEqual({
        status: 200,
        body: { result: "OK" },
      });
      expect((await raw("/", { method: "POST", body: JSON.stringify(["TTL", `${k}:p`]) })).body).toEqual({
        result: 100,
      });
      expect((await raw(`/get/${k}:p?_token=${token}`, { headers: { authorization: "" } })).body).toEqual({
        result: '{"a":1}',
      });
      // base64: strings encoded (also status replies), top-level OK kept
      const b64 = { "upstash-encoding": "base64" };
      expect((await raw(`/set/${k}/bar`, { headers: b64 })).body).toEqual({ result: "OK" });
      expect((await raw(`/get/${k}`, { headers: b64 })).body).toEqual({ result: "YmFy" });
      expect((await raw(`/type/${k}`, { headers: b64 })).body).toEqual({
        result: Buffer.from("string").toString("base64"),
      });
      // errors
      expect(await raw("/", { method: "POST", body: '["get"]' })).toEqual({
        status: 400,
        body: { error: "ERR wrong number of arguments for 'get' command" },
      });
      expect((await raw("/", { method: "POST", body: "not json" })).status).toBe(400);
      expect((await raw("/get/x", { method: "DELETE" })).status).toBe(405);
      // pipeline: per-command results and errors, HTTP 200
      const pipe = await raw("/pipeline", {
        method: "POST",
        body: JSON.stringify([
          ["SET", `${k}:1`, "valuex"],
          ["SETEX", `${k}:2`, 13, "valuez"],
          ["INCR", `${k}:1`],
          ["ZADD", `${k}:z`, 11, "item1", 22, "item2"],
        ]),
      });
      expect(pipe).toEqual({
        status: 200,
        body: [
          { result: "OK" },
          { result: "OK" },
          { error: "ERR value is not an integer or out of range" },
          { result: 2 },
        ],
      });
      // multi-exec: runtime errors per command; queue-time errors discard the whole transaction
      const tx = await raw("/multi-exec", {
        method: "POST",
        body: JSON.stringify([
          ["INCR", `${k}:c`],
          ["INCR", `${k}:1`],
          ["INCR", `${k}:c`],
        ]),
      });
      expect(tx).toEqual({
        status: 200,
        body: [{ result: 1 }, { error: "ERR value is not an integer or out of range" }, { result: 2 }],
      });
      const aborted = await raw("/multi-exec", { method: "POST", body: JSON.stringify([["INCR", `${k}:c`], ["GET"]]) });
      expect(aborted.status).toBe(400);
      expect((aborted.body as { error: string }).error).toMatch(/^EXECABORT/);
      expect((await raw(`/get/${k}:c`)).body).toEqual({ result: "2" });
    });

    it("script shebang flags unknown to Redis 7.0 are translated; EVALSHA of the original sha works", async () => {
      const script = "#!lua flags=allow-key-locking,no-writes\nreturn ARGV[1]";
      expect(translateScript(script)).toBe("#!lua flags=no-writes\nreturn ARGV[1]");
      expect(translateScript("#!lua flags=allow-key-locking\nreturn 1")).toBe("#!lua\nreturn 1");
      expect(translateScript("return 1")).toBe("return 1");

      const marker = uid(); // a fresh script text, so nothing is cached yet
      const text = `#!lua flags=allow-key-locking\nreturn ARGV[1] .. '${marker}'`;
      const sha = sha1(text);
      const before = await raw("/", { method: "POST", body: JSON.stringify(["EVALSHA", sha, 0, "x"]) });
      expect(before.status).toBe(400);
      expect((before.body as { error: string }).error).toMatch(/NOSCRIPT/);
      expect((await raw("/", { method: "POST", body: JSON.stringify(["EVAL", text, 0, "x"]) })).body).toEqual({
        result: `x${marker}`,
      });
      expect((await raw("/", { method: "POST", body: JSON.stringify(["EVALSHA", sha, 0, "y"]) })).body).toEqual({
        result: `y${marker}`,
      });
      expect((await raw("/", { method: "POST", body: JSON.stringify(["SCRIPT", "EXISTS", sha]) })).body).toEqual({
        result: [1],
      });

      const text2 = `#!lua flags=allow-key-locking\nreturn '${uid()}'`;
      expect((await raw("/", { method: "POST", body: JSON.stringify(["SCRIPT", "LOAD", text2]) })).body).toEqual({
        result: sha1(text2),
      });
      expect(
        (await raw("/pipeline", { method: "POST", body: JSON.stringify([["EVALSHA", sha1(text2), 0]]) })).status,
      ).toBe(200);
    });

    describe("@upstash/ratelimit", () => {
      const cases: [string, () => ConstructorParameters<typeof Ratelimit>[0]["limiter"]][] = [
        ["slidingWindow(5, 60 s)", () => Ratelimit.slidingWindow(5, "60 s")],
        ["tokenBucket(1 per 60 s, max 5)", () => Ratelimit.tokenBucket(1, "60 s", 5)],
      ];
      for (const [name, limiter] of cases) {
        for (const cache of [false, true]) {
          it(`${name}, ephemeralCache ${cache ? "on" : "off"}: exactly 5 of 8 succeed`, async () => {
            const redis = new Redis({ url: rest.url, token });
            const rl = new Ratelimit({
              redis,
              limiter: limiter(),
              prefix: `rl:${uid()}`,
              ephemeralCache: cache ? new Map<string, number>() : false,
            });
            const results: boolean[] = [];
            for (let i = 0; i < 8; i++) {
              const r = await rl.limit("203.0.113.7");
              results.push(r.success);
              await r.pending;
            }
            expect(results.filter(Boolean).length).toBe(5);
            expect(results.slice(0, 5).every(Boolean)).toBe(true);
            // another identifier has its own budget
            expect((await rl.limit("198.51.100.1")).success).toBe(true);
          });
        }
      }

      it("slidingWindow under concurrency: exactly 5 of 40 concurrent requests succeed", async () => {
        const rl = new Ratelimit({
          redis: new Redis({ url: rest.url, token }),
          limiter: Ratelimit.slidingWindow(5, "60 s"),
          prefix: `rlc:${uid()}`,
          ephemeralCache: false,
        });
        const results = await Promise.all(Array.from({ length: 40 }, () => rl.limit("burst")));
        expect(results.filter((r) => r.success).length).toBe(5);
      });
    });
  },
);
