// The Finkok adapter against the local Finkok (scripts/local/pac-finkok.ts): real SOAP over HTTP,
// a real TFD signed by the fake's certificate, and every failure kind the invoicing flow acts on.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decryptPkcs8 } from "../../cfdi/private-key.ts";
import { hasTool } from "../../cfdi/test/oracle.ts";
import { verifyCfdi } from "../../cfdi/verify.ts";
import { startFinkokFake, type FinkokRecordedRequest, type LocalFinkok } from "../../../scripts/local/pac-finkok.ts";
import type { Fetch, PacClient } from "../pac-client.ts";
import { createFinkokClient } from "./finkok.ts";
import { encryptPkcs8, toPem } from "./key-encryption.ts";
import { exampleInvoice, pacError, useLocalPac } from "./test/pac-fixtures.ts";

const pac = useLocalPac<LocalFinkok, FinkokRecordedRequest>(startFinkokFake);
const { control, requests: recorded } = pac;

function client(overrides: { password?: string; timeoutMs?: number; fetch?: Fetch } = {}): PacClient {
  return createFinkokClient({
    environment: "test",
    username: "cuenta@example.mx",
    password: overrides.password ?? "s3creta",
    fetch: overrides.fetch ?? ((input, init) => fetch(input, init)),
    baseUrl: pac.fake.url,
    ...(overrides.timeoutMs === undefined ? {} : { timeoutMs: overrides.timeoutMs }),
  });
}

/** A fresh sealed CFDI dated now (the fake refuses a Fecha over 72 h old, as Finkok does). */
const sealed = (folio = String(Date.now())) => pac.seal({ folio }, { datedNow: true });

const cancelRequest = (uuid: string, total: string) => pac.cancelRequest(uuid, { total });

const totalOf = (xml: string) => /\sTotal="([^"]+)"/.exec(xml)?.[1] ?? "";

describe("stamp", () => {
  it("returns the stamped CFDI as Finkok sent it, with a TFD the fake's certificate verifies", async () => {
    const xml = await sealed();
    const stamp = await client().stamp(xml);
    expect(stamp.recovered).toBe(false);
    expect(stamp.uuid).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
    expect(stamp.noCertificadoSat).toBe(pac.fake.noCertificadoSat);
    expect(stamp.xml).toContain(`UUID="${stamp.uuid}"`);
    const report = await verifyCfdi(stamp.xml, {
      satCertificate: (no) => (no === pac.fake.noCertificadoSat ? pac.fake.certificateDer : undefined),
    });
    expect(report.errors).toEqual([]);
    expect(report.selloValid).toBe(true);
    expect(report.timbre).toMatchObject({
      uuid: stamp.uuid,
      selloSat: stamp.selloSat,
      fechaTimbrado: stamp.fechaTimbrado,
      selloSatValid: true,
    });
    const [call] = await recorded("stamp");
    expect(call).toMatchObject({ path: "/servicios/soap/stamp", soapAction: '"stamp"', username: "cuenta@example.mx" });
  });

  it("a retry of the same sealed XML recovers the earlier stamp (307) instead of stamping twice", async () => {
    const xml = await sealed();
    const first = await client().stamp(xml);
    const again = await client().stamp(xml);
    expect(again).toMatchObject({ uuid: first.uuid, selloSat: first.selloSat, recovered: true });
    expect(again.xml).toBe(first.xml);
    expect((await recorded("stamp")).map((r) => r.codes)).toEqual([[], ["307"]]);
  });

  it("when the 307 comes without the earlier stamp, asks `stamped` for it", async () => {
    const xml = await sealed();
    const first = await client().stamp(xml);
    await control("/__duplicate-mode", { mode: "empty" });
    const again = await client().stamp(xml);
    expect(again).toMatchObject({ uuid: first.uuid, recovered: true });
    expect((await recorded()).map((r) => r.operation)).toEqual(["stamp", "stamp", "stamped"]);
  });

  it("a validation incidencia is `rejected` with Finkok's code and message", async () => {
    await control("/__fail", { operation: "stamp", code: "CFDI40102" });
    const e = await pacError(client().stamp(await sealed()));
    expect(e).toMatchObject({ kind: "rejected", pacCode: "CFDI40102" });
    const tampered = (await sealed()).replace(/Sello="[^"]{10}/, 'Sello="AAAAAAAAAA');
    const bad = await pacError(client().stamp(tampered));
    expect(bad).toMatchObject({ kind: "rejected", pacCode: "302" });
    expect(bad.message).toContain("Sello mal formado o inválido");
  });

  it("a refused user or password is `credentials`; so is an account without stamps (718)", async () => {
    await control("/__accounts", { username: "cuenta@example.mx", password: "la-buena" });
    const e = await pacError(client({ password: "otra" }).stamp(await sealed()));
    expect(e).toMatchObject({ kind: "credentials", pacCode: "300" });
    await control("/__fail", { operation: "stamp", code: "718" });
    expect(await pacError(client({ password: "la-buena" }).stamp(await sealed()))).toMatchObject({
      kind: "credentials",
      pacCode: "718",
    });
  });

  it("5xx, a SOAP Server fault and SAT unreachable (708) are `unavailable`", async () => {
    await control("/__fail", { operation: "stamp", code: "5xx" });
    expect(await pacError(client().stamp(await sealed()))).toMatchObject({ kind: "unavailable" });
    await control("/__fail", { operation: "stamp", code: "fault" });
    expect(await pacError(client().stamp(await sealed()))).toMatchObject({ kind: "unavailable" });
    await control("/__fail", { operation: "stamp", code: "708" });
    expect(await pacError(client().stamp(await sealed()))).toMatchObject({ kind: "unavailable", pacCode: "708" });
  });

  it("gives up at timeoutMs, not when the slow answer comes", async () => {
    await control("/__fail", { operation: "stamp", code: "timeout", delayMs: 5_000 });
    const started = Date.now();
    const e = await pacError(client({ timeoutMs: 300 }).stamp(await sealed()));
    expect(e.kind).toBe("unavailable");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("a refused connection is `unavailable`", async () => {
    const dead = createFinkokClient({
      environment: "test",
      username: "u",
      password: "p",
      fetch: (input, init) => fetch(input, init),
      baseUrl: "http://127.0.0.1:9",
    });
    expect(await pacError(dead.stamp(await sealed()))).toMatchObject({ kind: "unavailable" });
  });

  it("refuses a hostile 1 MiB answer (nested 150,000 deep) in milliseconds", async () => {
    await control("/__fail", { operation: "stamp", code: "hostile" });
    const xml = await sealed();
    const started = performance.now();
    const e = await pacError(client().stamp(xml));
    expect(e.kind).toBe("unavailable");
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it("refuses an oversized or non-SOAP answer without reading it all", async () => {
    const xml = await sealed();
    const huge: Fetch = () =>
      Promise.resolve(
        new Response(
          new ReadableStream({
            pull(c) {
              c.enqueue(new TextEncoder().encode(`<x a="${"y".repeat(1 << 20)}"/>`));
            },
          }),
          { status: 200 },
        ),
      );
    const started = performance.now();
    expect(await pacError(client({ fetch: huge }).stamp(xml))).toMatchObject({ kind: "unavailable" });
    expect(performance.now() - started).toBeLessThan(1_500);
    const html: Fetch = () => Promise.resolve(new Response("<html><body>Bad Gateway</body></html>", { status: 200 }));
    expect(await pacError(client({ fetch: html }).stamp(xml))).toMatchObject({ kind: "unavailable" });
    const wide: Fetch = () => Promise.resolve(new Response(`<r>${"<i/>".repeat(260_000)}</r>`, { status: 200 }));
    expect(await pacError(client({ fetch: wide }).stamp(xml))).toMatchObject({ kind: "unavailable" });
  });

  it("escapes what it puts in the envelope", async () => {
    const seen: string[] = [];
    const spy: Fetch = (input, init) => {
      seen.push(String(init?.body));
      return fetch(input, init);
    };
    await client({ fetch: spy, password: `a<b>&"c` }).stamp(await sealed());
    expect(seen[0]).toContain("<fk:password>a&lt;b&gt;&amp;&quot;c</fk:password>");
  });
});

describe("cancel and status", () => {
  it("cancels a CFDI that needs no acceptance: `cancelled`, with the acuse; SAT then says Cancelado", async () => {
    const stamp = await client().stamp(await sealed());
    const outcome = await client().cancel(cancelRequest(stamp.uuid, totalOf(stamp.xml)));
    expect(outcome).toMatchObject({ status: "cancelled", code: "201" });
    expect(outcome.acuse).toContain(stamp.uuid);
    const status = await client().status({
      uuid: stamp.uuid,
      emisorRfc: "EKU9003173C9",
      receptorRfc: exampleInvoice.receptor.rfc,
      total: totalOf(stamp.xml),
    });
    expect(status).toEqual({
      estado: "Cancelado",
      esCancelable: "Cancelable sin aceptación",
      estatusCancelacion: "Cancelado sin aceptación",
    });
  });

  it("a cancel that needs the receptor's acceptance is `pending`; status follows it to the end", async () => {
    await control("/__cancel-mode", { mode: "pending" });
    const stamp = await client().stamp(await sealed());
    const query = {
      uuid: stamp.uuid,
      emisorRfc: "EKU9003173C9",
      receptorRfc: exampleInvoice.receptor.rfc,
      total: totalOf(stamp.xml),
    };
    expect(await client().status(query)).toMatchObject({
      estado: "Vigente",
      esCancelable: "Cancelable con aceptación",
    });
    expect(await client().cancel(cancelRequest(stamp.uuid, query.total))).toMatchObject({
      status: "pending",
      code: "201",
    });
    expect(await client().status(query)).toMatchObject({ estado: "Vigente", estatusCancelacion: "En proceso" });
    expect(await control("/__resolve", { uuid: stamp.uuid, outcome: "accepted" })).toBe(200);
    expect(await client().status(query)).toEqual({
      estado: "Cancelado",
      esCancelable: "Cancelable con aceptación",
      estatusCancelacion: "Cancelado con aceptación",
    });
  });

  it("get_sat_status of a CFDI nobody stamped (or with another total) is No Encontrado", async () => {
    const stamp = await client().stamp(await sealed());
    const q = { uuid: stamp.uuid, emisorRfc: "EKU9003173C9", receptorRfc: exampleInvoice.receptor.rfc, total: "1.00" };
    expect(await client().status(q)).toEqual({ estado: "No Encontrado" });
    expect(await client().status({ ...q, total: totalOf(stamp.xml) })).toMatchObject({ estado: "Vigente" });
  });

  it("an unknown UUID is `rejected` 205; another emisor's CSD 203; a refused login `credentials`", async () => {
    const e = await pacError(client().cancel(cancelRequest("11111111-2222-3333-4444-555555555555", "10.00")));
    expect(e).toMatchObject({ kind: "rejected", pacCode: "205" });
    const stamp = await client().stamp(await sealed());
    const other = await pacError(client().cancel({ ...cancelRequest(stamp.uuid, "1"), emisorRfc: "AAA010101AAA" }));
    expect(other).toMatchObject({ kind: "rejected", pacCode: "203" });
    await control("/__accounts", { username: "cuenta@example.mx", password: "la-buena" });
    const login = await pacError(client({ password: "otra" }).cancel(cancelRequest(stamp.uuid, "1")));
    expect(login.kind).toBe("credentials");
    const statusLogin = await pacError(
      client({ password: "otra" }).status({
        uuid: stamp.uuid,
        emisorRfc: "EKU9003173C9",
        receptorRfc: "X",
        total: "1",
      }),
    );
    expect(statusLogin.kind).toBe("credentials");
  });

  it("SAT unreachable on cancel (708) is `unavailable`", async () => {
    const stamp = await client().stamp(await sealed());
    await control("/__fail", { operation: "cancel", code: "708" });
    expect(await pacError(client().cancel(cancelRequest(stamp.uuid, totalOf(stamp.xml))))).toMatchObject({
      kind: "unavailable",
      pacCode: "708",
    });
  });
});

describe("the key sent to cancel", () => {
  it("is PKCS#8 PBES2 (PBKDF2-HMAC-SHA256, DES-EDE3-CBC) that opens with the account password", async () => {
    const encrypted = await encryptPkcs8(pac.pkcs8, "contraseña de Finkok");
    expect(await decryptPkcs8(encrypted, "contraseña de Finkok")).toEqual(pac.pkcs8);
    await expect(decryptPkcs8(encrypted, "otra")).rejects.toThrow();
    if (hasTool("openssl")) {
      const dir = mkdtempSync(join(tmpdir(), "finkok-key-"));
      const file = join(dir, "key.pem");
      writeFileSync(file, toPem("ENCRYPTED PRIVATE KEY", encrypted));
      const dump = execFileSync("openssl", ["asn1parse", "-in", file], { encoding: "utf8" });
      expect(dump).toMatch(/PBES2[\s\S]*PBKDF2[\s\S]*hmacWithSHA256[\s\S]*des-ede3-cbc/);
      // OpenSSL opens it with the password, as Finkok's server does.
      execFileSync("openssl", ["pkey", "-in", file, "-passin", "pass:contraseña de Finkok", "-noout"]);
    }
  });
});
