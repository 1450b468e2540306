import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emailSendRequest, parseEmailResponse } from "../../core/messaging/email.ts";
import { startEmailProvider, type LocalEmailProvider, type RecordedEmail } from "./email-provider.ts";
import { freePort } from "./free-port.ts";

let fake: LocalEmailProvider;
beforeAll(async () => {
  fake = await startEmailProvider({ port: await freePort() });
});
afterAll(() => fake.stop());

async function send(to: string, key = fake.apiKey, idempotencyKey?: string) {
  const req = emailSendRequest(
    { baseUrl: fake.url, apiKey: key },
    {
      from: "Cobranza <cobranza@crm.test>",
      to: [to],
      subject: "S",
      text: "T",
      html: "<p>T</p>",
      ...(idempotencyKey ? { idempotencyKey } : {}),
    },
  );
  const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body });
  return parseEmailResponse(res.status, await res.text());
}

describe("local email provider", () => {
  it("accepts the adapter's request, refuses another key, records, fails on demand, replays an Idempotency-Key", async () => {
    expect(await send("a@x.mx")).toMatchObject({ ok: true });
    expect(await send("a@x.mx", "re_wrong")).toMatchObject({ ok: false, kind: "credentials" });
    await fetch(`${fake.url}/__fail`, { method: "POST", body: JSON.stringify({ to: "a@x.mx", status: 503 }) });
    expect(await send("b@x.mx")).toMatchObject({ ok: true });
    expect(await send("a@x.mx")).toMatchObject({ ok: false, kind: "unavailable", httpStatus: 503 });
    const first = await send("a@x.mx", fake.apiKey, "k1");
    expect(await send("a@x.mx", fake.apiKey, "k1")).toEqual(first);
    const recorded = (await (await fetch(`${fake.url}/__requests?to=a@x.mx`)).json()) as RecordedEmail[];
    expect(recorded.map((r) => r.status)).toEqual([200, 503, 200, 200]);
    expect(recorded[0]!.body).toMatchObject({ to: ["a@x.mx"], subject: "S" });
    await fetch(`${fake.url}/__reset`, { method: "POST" });
    expect(await (await fetch(`${fake.url}/__requests`)).json()).toEqual([]);
  });
});
