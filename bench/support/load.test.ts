import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSlice } from "./load.ts";

let server: http.Server;
let base = "";
const connections = new Set<unknown>();
let bodies: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    connections.add(req.socket);
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      bodies.push(body);
      res.setHeader("server-timing", "db;dur=1.5");
      res.end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("runSlice", () => {
  it("keeps `concurrency` clients busy over that many kept-alive connections for the slice", async () => {
    connections.clear();
    bodies = [];
    let n = 0;
    const samples: { status: number; timing: unknown }[] = [];
    const result = await runSlice({
      concurrency: 4,
      seconds: 0.3,
      next: () => ({
        method: "POST",
        url: `${base}/x`,
        headers: { "content-type": "application/json" },
        body: `{"n":${n++}}`,
      }),
      onSample: (s) => samples.push({ status: s.status, timing: s.headers["server-timing"] }),
    });
    expect(result.failed).toBe(0);
    expect(result.completed).toBe(samples.length);
    expect(result.completed).toBeGreaterThan(20);
    expect(result.wallMs).toBeGreaterThanOrEqual(300);
    expect(samples.every((s) => s.status === 200 && s.timing === "db;dur=1.5")).toBe(true);
    expect(connections.size).toBeLessThanOrEqual(4);
    expect(new Set(bodies).size).toBe(bodies.length);
  });

  it("counts requests that get no response as failed, and stops at the deadline", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await runSlice({
      concurrency: 2,
      seconds: 0.2,
      next: () => ({ method: "GET", url, headers: {} }),
      onSample: () => {},
    });
    expect(result.completed).toBe(0);
    expect(result.failed).toBeGreaterThan(0);
    expect(result.wallMs).toBeLessThan(2_000);
  });
});
