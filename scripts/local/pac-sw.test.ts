// The local SW sapien stand-in: it refuses what SW refuses, answers in SW's shapes (and SAT's
// SOAP for the status), remembers its stamps and fails on request.
import { describe, expect, it } from "vitest";
import { verifyCfdi } from "../../core/cfdi/verify.ts";
import { encryptPkcs8 } from "../../core/invoicing/pacs/key-encryption.ts";
import { SAT_CONSULTA_ACTION } from "../../core/invoicing/pacs/sw.ts";
import { exampleInvoice, useLocalPac } from "../../core/invoicing/pacs/test/pac-fixtures.ts";
import { multipartFields, startSwFake, type SwFake, type SwFakeRequest } from "./pac-sw.ts";

const pac = useLocalPac<SwFake, SwFakeRequest>(startSwFake);
const { control } = pac;
let folio = 0;

type Body = { status?: string; message?: string; messageDetail?: string | null; data?: Record<string, unknown> | null };

async function post(path: string, init: RequestInit): Promise<{ status: number; body: Body }> {
  const res = await fetch(`${pac.fake.url}${path}`, { method: "POST", ...init });
  return { status: res.status, body: (await res.json()) as Body };
}

async function token(user = "a@b.mx", password = "ok"): Promise<string> {
  const r = await post("/v2/security/authenticate", {
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user, password }),
  });
  return (r.body.data as { token: string }).token;
}

async function sealed(): Promise<string> {
  folio += 1;
  return pac.seal({ folio: String(7000 + folio) });
}

function stamp(path: string, xml: string | null, bearer: string | null) {
  const form = new FormData();
  if (xml !== null) form.append("xml", new Blob([xml], { type: "text/xml" }), "xml");
  return post(path, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {}, body: form });
}

function consulta(expresion: string, action = SAT_CONSULTA_ACTION) {
  const body = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:tem="http://tempuri.org/"><soapenv:Body><tem:Consulta><tem:expresionImpresa><![CDATA[${expresion}]]></tem:expresionImpresa></tem:Consulta></soapenv:Body></soapenv:Envelope>`;
  return fetch(`${pac.fake.url}/ConsultaCFDIService.svc`, {
    method: "POST",
    headers: { "content-type": "text/xml; charset=utf-8", soapaction: `"${action}"` },
    body,
  }).then(async (r) => ({ status: r.status, text: await r.text() }));
}

describe("authentication", () => {
  it("v2 JSON and the older header form issue 2-hour tokens; a registered account needs its password", async () => {
    const v2 = await post("/v2/security/authenticate", {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: "a@b.mx", password: "x" }),
    });
    expect(v2.status).toBe(200);
    const data = v2.body.data as { token: string; expires_in: number; tokeny_type: string };
    expect(data.tokeny_type).toBe("Bearer");
    expect(data.expires_in * 1000 - Date.now()).toBeGreaterThan(7100_000);
    const legacy = await post("/security/authenticate", { headers: { user: "a@b.mx", password: "x" } });
    expect(legacy.body.status).toBe("success");
    await control("/__accounts", { user: "a@b.mx", password: "exacta" });
    const refused = await post("/security/authenticate", { headers: { user: "a@b.mx", password: "x" } });
    expect(refused.body).toMatchObject({ status: "error", data: null });
    expect(refused.body.message).toMatch(/^AU2000 - /);
    const invalid = await post("/v2/security/authenticate", {
      body: JSON.stringify({ user: "otro@b.mx", password: "invalid-pw" }),
    });
    expect(invalid.body.message).toMatch(/^AU2000/);
  });

  it("every service call needs a bearer token it issued", async () => {
    const xml = await sealed();
    expect(await stamp("/cfdi33/v2/stamp/v4", xml, null)).toMatchObject({
      status: 401,
      body: { message: "AU4101 - El token proporcionado viene vacio." },
    });
    expect((await stamp("/cfdi33/v2/stamp/v4", xml, "inventado")).body.message).toMatch(/^AU4000/);
    const t = await token();
    await control("/__expire-tokens");
    expect((await stamp("/cfdi33/v2/stamp/v4", xml, t)).status).toBe(401);
  });
});

describe("stamp", () => {
  it("answers each response version in SW's shape, with a TFD signed by its certificate", async () => {
    const t = await token();
    const v1 = await stamp("/cfdi33/stamp/v1", await sealed(), t);
    expect(Object.keys(v1.body.data!)).toEqual(["tfd"]);
    const v2 = await stamp("/cfdi33/stamp/v2", await sealed(), t);
    expect(Object.keys(v2.body.data!).sort()).toEqual(["cfdi", "tfd"]);
    const v3b64 = await stamp("/cfdi33/stamp/v3/b64", Buffer.from(await sealed()).toString("base64"), t);
    expect(Buffer.from(v3b64.body.data!.cfdi as string, "base64").toString()).toContain("<tfd:TimbreFiscalDigital");
    const v4 = await stamp("/cfdi33/v2/stamp/v4", await sealed(), t);
    expect(v4.status).toBe(200);
    const d = v4.body.data as Record<string, string>;
    expect(Object.keys(d).sort()).toEqual(
      [
        "cadenaOriginalSAT",
        "cfdi",
        "fechaTimbrado",
        "noCertificadoCFDI",
        "noCertificadoSAT",
        "qrCode",
        "selloCFDI",
        "selloSAT",
        "uuid",
      ].sort(),
    );
    const report = await verifyCfdi(d.cfdi!, { satCertificate: () => pac.fake.pacCertificate });
    expect(report.valid).toBe(true);
    expect(report.timbre).toMatchObject({ selloSatValid: true, noCertificadoSat: pac.fake.noCertificadoSat });
    expect(d.uuid!.toUpperCase()).toBe(report.timbre!.uuid);
    expect(d.cadenaOriginalSAT).toBe(report.timbre!.cadenaOriginal);
  });

  it("the same XML again: 307, with the earlier stamp only on the /cfdi33/v2/ service", async () => {
    const t = await token();
    const xml = await sealed();
    const first = await stamp("/cfdi33/v2/stamp/v4", xml, t);
    const plain = await stamp("/cfdi33/stamp/v4", xml, t);
    expect(plain.body).toMatchObject({
      status: "error",
      message: "307. El comprobante contiene un timbre previo.",
      data: null,
    });
    const v2 = await stamp("/cfdi33/v2/stamp/v4", xml, t);
    expect(v2.body.status).toBe("error");
    expect(v2.body.data).toEqual(first.body.data);
  });

  it("refuses what SW refuses: no xml field, not a CFDI 4.0, an unsealed or tampered CFDI", async () => {
    const t = await token();
    const none = await stamp("/cfdi33/v2/stamp/v4", null, t);
    expect(none.body).toMatchObject({ status: "error", message: "Parámetros incompletos" });
    const json = await post("/cfdi33/v2/stamp/v4", {
      headers: { authorization: `Bearer ${t}`, "content-type": "application/json" },
      body: JSON.stringify({ xml: await sealed() }),
    });
    expect(json.body.message).toBe("Parámetros incompletos");
    expect((await stamp("/cfdi33/v2/stamp/v4", "<a/>", t)).body.message).toMatch(/^301\. /);
    expect((await stamp("/cfdi33/v2/stamp/v4", "no es xml", t)).body.message).toMatch(/^301\. /);
    const unsealed = (await sealed()).replace(/ Sello="[^"]*"/, "");
    expect((await stamp("/cfdi33/v2/stamp/v4", unsealed, t)).body.message).toMatch(/^301\. /);
    const tampered = (await sealed()).replace(/Folio="(\d+)"/, 'Folio="9$1"');
    expect((await stamp("/cfdi33/v2/stamp/v4", tampered, t)).body.message).toMatch(/^CFDI40102 - /);
  });

  it("fails on request: a code, 5xx, garbage, then works again", async () => {
    const t = await token();
    await control("/__fail", { operation: "stamp", code: "402", times: 2 });
    expect((await stamp("/cfdi33/v2/stamp/v4", await sealed(), t)).body.message).toMatch(/^402\. /);
    expect((await stamp("/cfdi33/v2/stamp/v4", await sealed(), t)).body.message).toMatch(/^402\. /);
    await control("/__fail", { operation: "stamp", code: "5xx" });
    expect((await stamp("/cfdi33/v2/stamp/v4", await sealed(), t)).status).toBe(500);
    await control("/__fail", { operation: "stamp", code: "garbage" });
    const form = new FormData();
    form.append("xml", new Blob([await sealed()]), "xml");
    const res = await fetch(`${pac.fake.url}/cfdi33/v2/stamp/v4`, {
      method: "POST",
      headers: { authorization: `Bearer ${t}` },
      body: form,
    });
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThanOrEqual(1024 * 1024);
    expect((await stamp("/cfdi33/v2/stamp/v4", await sealed(), t)).status).toBe(200);
    expect(await control("/__fail", { operation: "nope", code: "1" })).toBe(400);
  });

  it("records calls without secrets", async () => {
    const t = await token("a@b.mx", "contraseña-secreta");
    await stamp("/cfdi33/v2/stamp/v4", await sealed(), t);
    const calls = await pac.requests();
    expect(calls.map((c) => c.operation)).toEqual(["authenticate", "stamp"]);
    const text = JSON.stringify(calls);
    expect(text).not.toContain("contraseña-secreta");
    expect(text).not.toContain(t);
  });
});

describe("cancel by CSD and SAT status", () => {
  async function stamped() {
    const t = await token();
    const xml = await sealed();
    const d = (await stamp("/cfdi33/v2/stamp/v4", xml, t)).body.data as { uuid: string };
    return { t, uuid: d.uuid, total: / Total="([^"]+)"/.exec(xml)![1]! };
  }
  async function cancelBody(uuid: string, extra: Record<string, unknown> = {}) {
    return {
      uuid,
      password: "una-clave",
      rfc: "EKU9003173C9",
      motivo: "02",
      b64Cer: Buffer.from(pac.csd.certificate.der).toString("base64"),
      b64Key: Buffer.from(await encryptPkcs8(pac.pkcs8, "una-clave")).toString("base64"),
      ...extra,
    };
  }
  const cancel = (t: string, body: unknown) =>
    post("/cfdi33/cancel/csd", {
      headers: { authorization: `Bearer ${t}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("opens the .key with its password, pairs it with the .cer and checks RFC and UUID", async () => {
    const { t, uuid } = await stamped();
    expect((await cancel(t, { uuid })).body.message).toBe("Parámetros incompletos");
    expect((await cancel(t, await cancelBody(uuid, { password: "otra" }))).body.message).toMatch(/^310 - /);
    expect((await cancel(t, await cancelBody(uuid, { rfc: "XIA190128J61" }))).body.message).toMatch(/^310 - /);
    expect((await cancel(t, await cancelBody(uuid, { motivo: "05" }))).body.message).toMatch(/^207 - /);
    expect((await cancel(t, await cancelBody(uuid, { motivo: "02", foliosustitucion: uuid }))).body.message).toMatch(
      /^209 - /,
    );
    const unknown = await cancel(t, await cancelBody("11111111-2222-4333-8444-555555555555"));
    expect(unknown.body.message).toMatch(/^205 - /);
    const ok = await cancel(t, await cancelBody(uuid));
    expect(ok.body.status).toBe("success");
    expect(ok.body.data).toMatchObject({ uuid: { [uuid.toUpperCase()]: "201" } });
    expect((ok.body.data as { acuse: string }).acuse).toContain("<EstatusUUID>201</EstatusUUID>");
  });

  it("status follows the cancel mode and /__resolve; SOAP faults on a wrong action", async () => {
    const { t, uuid, total } = await stamped();
    const expr = `?re=EKU9003173C9&rr=${exampleInvoice.receptor.rfc}&tt=${total}&id=${uuid}`;
    expect((await consulta(expr)).text).toContain("<a:Estado>Vigente</a:Estado>");
    expect((await consulta(expr.replace(`tt=${total}`, "tt=1.0"))).text).toContain("N - 602");
    expect((await consulta("?re=EKU9003173C9")).text).toContain("N - 601");
    expect((await consulta(expr, "http://tempuri.org/Otra")).status).toBe(500);
    await control("/__cancel-mode", { mode: "pending" });
    await cancel(t, await cancelBody(uuid));
    expect((await consulta(expr)).text).toContain("<a:EstatusCancelacion>En proceso</a:EstatusCancelacion>");
    expect(await control("/__resolve", { uuid, outcome: "rejected" })).toBe(200);
    const after = (await consulta(expr)).text;
    expect(after).toContain("<a:Estado>Vigente</a:Estado>");
    expect(after).toContain("Solicitud rechazada");
    expect(await control("/__resolve", { uuid, outcome: "accepted" })).toBe(404);
  });
});

describe("multipartFields", () => {
  it("reads the file field of a multipart body and refuses other content types", () => {
    const body = Buffer.from(
      '--XyZ\r\nContent-Disposition: form-data; name="xml"; filename="xml"\r\nContent-Type: text/xml\r\n\r\n<a/>\r\n--XyZ--\r\n',
    );
    expect(multipartFields(body, "multipart/form-data; boundary=XyZ")?.get("xml")?.toString()).toBe("<a/>");
    expect(multipartFields(body, "application/json")).toBeNull();
  });
});
