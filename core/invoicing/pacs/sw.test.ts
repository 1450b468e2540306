// The SW sapien adapter against the local SW fake (scripts/local/pac-sw.ts): real HTTP, real
// multipart, real TFD signatures, and the failures the invoicing flow must tell apart.
import { describe, expect, it } from "vitest";
import { verifyCfdi } from "../../cfdi/verify.ts";
import { startSwFake, type SwFake, type SwFakeRequest } from "../../../scripts/local/pac-sw.ts";
import type { Fetch } from "../pac-client.ts";
import { createSwClient, swErrorCode, type SwClientOptions } from "./sw.ts";
import { exampleInvoice, pacError, useLocalPac } from "./test/pac-fixtures.ts";

const pac = useLocalPac<SwFake, SwFakeRequest>(startSwFake);
const { control, requests } = pac;
let folio = 0;

/** A fresh sealed CFDI (a new folio, so a new Sello) for each call. */
async function sealed(): Promise<string> {
  folio += 1;
  return pac.seal({ folio: String(5000 + folio) });
}

function client(extra: Partial<SwClientOptions> = {}) {
  return createSwClient({
    environment: "test",
    user: "cuenta@example.mx",
    password: "secreto",
    fetch: (input, init) => fetch(input, init),
    baseUrl: pac.fake.url,
    timeoutMs: 5_000,
    ...extra,
  });
}

const { cancelRequest } = pac;

const totalOf = (xml: string) => / Total="([^"]+)"/.exec(xml)![1]!;

describe("stamp", () => {
  it("authenticates with user and password, stamps, and the TFD verifies with the fake's certificate", async () => {
    const xml = await sealed();
    const stamp = await client().stamp(xml);
    expect(stamp.recovered).toBe(false);
    expect(stamp.uuid).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
    expect(stamp.noCertificadoSat).toBe(pac.fake.noCertificadoSat);
    const report = await verifyCfdi(stamp.xml, {
      satCertificate: (no) => (no === pac.fake.noCertificadoSat ? pac.fake.pacCertificate : undefined),
    });
    expect(report.errors).toEqual([]);
    expect(report.timbre).toMatchObject({ uuid: stamp.uuid, selloSatValid: true, selloSat: stamp.selloSat });
    expect(report.timbre?.fechaTimbrado).toBe(stamp.fechaTimbrado);
    const calls = await requests();
    expect(calls.map((c) => [c.operation, c.path, c.status])).toEqual([
      ["authenticate", "/v2/security/authenticate", 200],
      ["stamp", "/cfdi33/v2/stamp/v4", 200],
    ]);
    expect(calls[1]!.headers.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(calls[1]!.headers.bearer).toBe(true);
  });

  it("reuses the token until SW refuses it, then authenticates again once", async () => {
    const c = client();
    await c.stamp(await sealed());
    await c.stamp(await sealed());
    expect((await requests("authenticate")).length).toBe(1);
    await control("/__expire-tokens");
    await c.stamp(await sealed());
    const calls = (await requests()).map((r) => [r.operation, r.status]);
    expect(calls.slice(-3)).toEqual([
      ["stamp", 401],
      ["authenticate", 200],
      ["stamp", 200],
    ]);
  });

  it("uses a long-lived token as is, without authenticating", async () => {
    await control("/__accounts", { user: "infinito@example.mx", password: "x1", token: "token-infinito-123" });
    const stamp = await client({ user: undefined, password: undefined, token: "token-infinito-123" }).stamp(
      await sealed(),
    );
    expect(stamp.uuid).toBeTruthy();
    expect((await requests("authenticate")).length).toBe(0);
  });

  it("a refused token with no user/password → credentials", async () => {
    const e = await pacError(client({ user: undefined, password: undefined, token: "revocado" }).stamp(await sealed()));
    expect(e.kind).toBe("credentials");
    expect(e.pacCode).toBe("AU4000");
  });

  it("a wrong password → credentials with SW's AU2000", async () => {
    await control("/__accounts", { user: "cuenta@example.mx", password: "la-buena" });
    const e = await pacError(client({ password: "la-mala" }).stamp(await sealed()));
    expect(e.kind).toBe("credentials");
    expect(e.pacCode).toBe("AU2000");
    expect(e.message).toContain("AU2000");
    expect(e.message).not.toContain("la-mala");
  });

  it("the same sealed XML again recovers the earlier stamp (same UUID, recovered: true)", async () => {
    const xml = await sealed();
    const c = client();
    const first = await c.stamp(xml);
    const again = await c.stamp(xml);
    expect(again).toMatchObject({ uuid: first.uuid, recovered: true, selloSat: first.selloSat });
    expect(again.xml).toBe(first.xml);
    expect((await requests("stamp")).map((r) => r.status)).toEqual([200, 400]);
  });

  it("a validation error → rejected with SW's code and message", async () => {
    await control("/__fail", { operation: "stamp", code: "CFDI40102" });
    const e = await pacError(client().stamp(await sealed()));
    expect(e.kind).toBe("rejected");
    expect(e.pacCode).toBe("CFDI40102");
    expect(e.message).toMatch(/^SW rechazó el CFDI: CFDI40102 - /);
  });

  it("a tampered CFDI is refused by the fake's own checks → rejected", async () => {
    const xml = (await sealed()).replace(/Folio="(\d+)"/, 'Folio="9$1"');
    const e = await pacError(client().stamp(xml));
    expect(e).toMatchObject({ kind: "rejected", pacCode: "CFDI40102" });
  });

  it("5xx → unavailable", async () => {
    await control("/__fail", { operation: "stamp", code: "5xx" });
    const e = await pacError(client().stamp(await sealed()));
    expect(e.kind).toBe("unavailable");
  });

  it("CO1000 (SW's uncontrolled error) → unavailable", async () => {
    await control("/__fail", { operation: "stamp", code: "CO1000" });
    expect((await pacError(client().stamp(await sealed()))).kind).toBe("unavailable");
  });

  it("a timeout → unavailable, as soon as the timeout passes", async () => {
    await control("/__fail", { operation: "stamp", code: "timeout", delayMs: 3_000 });
    const started = Date.now();
    const e = await pacError(client({ timeoutMs: 300 }).stamp(await sealed()));
    expect(e.kind).toBe("unavailable");
    expect(e.message).toContain("no respondió");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("connection refused → unavailable", async () => {
    const e = await pacError(client({ baseUrl: "http://127.0.0.1:9" }).stamp(await sealed()));
    expect(e.kind).toBe("unavailable");
  });

  it("a 1 MiB hostile body is refused as unavailable in milliseconds", async () => {
    const xml = await sealed();
    const c = client();
    await c.stamp(await sealed()); // authenticated already: time only the hostile answer
    await control("/__fail", { operation: "stamp", code: "garbage" });
    const started = performance.now();
    const e = await pacError(c.stamp(xml));
    expect(e.kind).toBe("unavailable");
    expect(performance.now() - started).toBeLessThan(500);
  });

  it("a hostile answer to authenticate is unavailable too", async () => {
    await control("/__fail", { operation: "authenticate", code: "garbage" });
    expect((await pacError(client().stamp(await sealed()))).kind).toBe("unavailable");
  });

  it("does not accept an answer that is not SW's shape", async () => {
    const odd: Fetch = async (input) =>
      input.endsWith("/authenticate")
        ? Response.json({ data: { token: "t", expires_in: Date.now() / 1000 + 3600 }, status: "success" })
        : Response.json({ status: "success", data: { cfdi: 42 } });
    expect((await pacError(client({ fetch: odd }).stamp(await sealed()))).kind).toBe("unavailable");
    const foreign: Fetch = async (input) =>
      input.endsWith("/authenticate")
        ? Response.json({ data: { token: "t", expires_in: 0 }, status: "success" })
        : Response.json({ status: "success", data: { cfdi: "<a/>" } });
    expect((await pacError(client({ fetch: foreign }).stamp(await sealed()))).kind).toBe("unavailable");
  });
});

describe("cancel and status", () => {
  it("cancel by CSD, immediate → cancelled with the acuse; SAT says Cancelado", async () => {
    const xml = await sealed();
    const c = client();
    const { uuid } = await c.stamp(xml);
    const total = totalOf(xml);
    const outcome = await c.cancel({ ...cancelRequest(uuid), total });
    expect(outcome).toMatchObject({ status: "cancelled", code: "201" });
    expect(outcome.acuse).toContain(`<UUID>${uuid}</UUID>`);
    const call = (await requests("cancel"))[0]!;
    expect(call.path).toBe("/cfdi33/cancel/csd");
    expect(call.summary).toMatchObject({ uuid, rfc: "EKU9003173C9", motivo: "02" });
    expect(
      await c.status({ uuid, emisorRfc: "EKU9003173C9", receptorRfc: exampleInvoice.receptor.rfc, total }),
    ).toEqual({
      estado: "Cancelado",
      esCancelable: "No cancelable",
      estatusCancelacion: "Cancelado sin aceptación",
    });
    // Asking again: SAT's 202, previously cancelled.
    expect(await c.cancel({ ...cancelRequest(uuid), total })).toMatchObject({ status: "cancelled", code: "202" });
  });

  it("pending until the receptor accepts, followed through status", async () => {
    await control("/__cancel-mode", { mode: "pending" });
    const xml = await sealed();
    const c = client();
    const { uuid } = await c.stamp(xml);
    const q = { uuid, emisorRfc: "EKU9003173C9", receptorRfc: exampleInvoice.receptor.rfc, total: totalOf(xml) };
    expect(await c.status(q)).toMatchObject({ estado: "Vigente", esCancelable: "Cancelable con aceptación" });
    expect(await c.cancel({ ...cancelRequest(uuid), total: q.total })).toMatchObject({
      status: "pending",
      code: "201",
    });
    expect(await c.status(q)).toMatchObject({ estado: "Vigente", estatusCancelacion: "En proceso" });
    expect(await control("/__resolve", { uuid, outcome: "accepted" })).toBe(200);
    expect(await c.status(q)).toMatchObject({ estado: "Cancelado", estatusCancelacion: "Cancelado con aceptación" });
  });

  it("status of a CFDI SAT does not know → No Encontrado", async () => {
    const status = await client().status({
      uuid: "11111111-2222-4333-8444-555555555555",
      emisorRfc: "EKU9003173C9",
      receptorRfc: "XAXX010101000",
      total: "100.00",
    });
    expect(status.estado).toBe("No Encontrado");
  });

  it("motivo 01 without folioSustitucion → rejected 208; another emisor's CSD → rejected", async () => {
    const xml = await sealed();
    const c = client();
    const { uuid } = await c.stamp(xml);
    const e = await pacError(c.cancel({ ...cancelRequest(uuid), motivo: "01" }));
    expect(e).toMatchObject({ kind: "rejected", pacCode: "208" });
    const other = await pacError(c.cancel({ ...cancelRequest(uuid), emisorRfc: "XIA190128J61" }));
    expect(other).toMatchObject({ kind: "rejected", pacCode: "310" });
  });

  it("a UUID SAT does not list yet (205) → unavailable, to retry", async () => {
    const e = await pacError(client().cancel(cancelRequest("11111111-2222-4333-8444-555555555555")));
    expect(e).toMatchObject({ kind: "unavailable", pacCode: "205" });
  });

  it("cancel 5xx → unavailable", async () => {
    const xml = await sealed();
    const c = client();
    const { uuid } = await c.stamp(xml);
    await control("/__fail", { operation: "cancel", code: "5xx" });
    expect((await pacError(c.cancel(cancelRequest(uuid)))).kind).toBe("unavailable");
  });
});

describe("swErrorCode", () => {
  it("reads the code SW writes at the start of message", () => {
    expect(swErrorCode("307. El comprobante contiene un timbre previo.")).toBe("307");
    expect(swErrorCode("CFDI40102 - El resultado de la digestión…")).toBe("CFDI40102");
    expect(swErrorCode("AU2000 - El usuario y/o contraseña son inválidos")).toBe("AU2000");
    expect(swErrorCode("Parámetros incompletos")).toBeUndefined();
  });
});
