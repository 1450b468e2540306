// The local Finkok refuses what Finkok refuses, in Finkok's shapes: these talk raw SOAP to it.
import { describe, expect, it } from "vitest";
import { createSandboxPacKeys } from "../../core/invoicing/sandbox-pac.ts";
import { encryptPkcs8, toPem } from "../../core/invoicing/pacs/key-encryption.ts";
import { useLocalPac } from "../../core/invoicing/pacs/test/pac-fixtures.ts";
import { startFinkokFake, type FinkokRecordedRequest, type LocalFinkok } from "./pac-finkok.ts";

const SOAP = "http://schemas.xmlsoap.org/soap/envelope/";
const STAMP_NS = "http://facturacion.finkok.com/stamp";
const CANCEL_NS = "http://facturacion.finkok.com/cancel";
const APPS_NS = "apps.services.soap.core.views";

const pac = useLocalPac<LocalFinkok, FinkokRecordedRequest>(startFinkokFake);
const { control } = pac;

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

async function post(path: string, body: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${pac.fake.url}${path}`, {
    method: "POST",
    headers: { "content-type": "text/xml; charset=utf-8" },
    body,
  });
  return { status: res.status, text: await res.text() };
}

function envelope(ns: string, operation: string, params: string): string {
  return `<?xml version="1.0"?><s:Envelope xmlns:s="${SOAP}" xmlns:f="${ns}" xmlns:a="${APPS_NS}"><s:Body><f:${operation}>${params}</f:${operation}></s:Body></s:Envelope>`;
}

const stampCall = (xmlParam: string, password = "s3creta", operation = "stamp") =>
  post(
    "/servicios/soap/stamp",
    envelope(
      STAMP_NS,
      operation,
      `<f:xml>${xmlParam}</f:xml><f:username>u@example.mx</f:username><f:password>${password}</f:password>`,
    ),
  );

const sealed = () => pac.seal({ folio: String(Date.now()) }, { datedNow: true });

const codeOf = (text: string) => /<s0:CodigoError>([^<]*)</.exec(text)?.[1];

describe("envelope", () => {
  it("refuses what is not a SOAP 1.1 call to one of the service's operations with a Client fault (500)", async () => {
    for (const body of [
      "not xml",
      `<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"><Body/></Envelope>`,
      envelope(CANCEL_NS, "stamp", ""), // the cancel namespace on the stamp service
      envelope(STAMP_NS, "sign_everything", ""),
    ]) {
      const res = await post("/servicios/soap/stamp", body);
      expect(res.status).toBe(500);
      expect(res.text).toMatch(/<senv:Fault><faultcode>senv:Client<\/faultcode>/);
    }
    expect((await post("/servicios/soap/nope", envelope(STAMP_NS, "stamp", ""))).status).toBe(404);
  });

  it("answers at the WSDL path too, and records what it received (never the password)", async () => {
    const res = await post(
      "/servicios/soap/stamp.wsdl",
      envelope(
        STAMP_NS,
        "stamp",
        `<f:xml>${b64(await sealed())}</f:xml><f:username>u@example.mx</f:username><f:password>pw</f:password>`,
      ),
    );
    expect(res.status).toBe(200);
    expect(res.text).toContain("<s0:CodEstatus>Comprobante timbrado satisfactoriamente</s0:CodEstatus>");
    const recorded = await pac.requests();
    expect(recorded).toEqual([expect.objectContaining({ operation: "stamp", username: "u@example.mx", status: 200 })]);
    expect(JSON.stringify(recorded)).not.toContain('"pw"');
  });
});

describe("stamp checks", () => {
  it("credentials: a registered account needs its password; otherwise 'invalid…' is refused (300)", async () => {
    const xml = b64(await sealed());
    expect(codeOf((await stampCall(xml, "invalid-pass")).text)).toBe("300");
    await control("/__accounts", { username: "u@example.mx", password: "right" });
    expect(codeOf((await stampCall(xml, "wrong")).text)).toBe("300");
    expect(codeOf((await stampCall(xml, "right")).text)).toBeUndefined();
  });

  it("xml must be base64 of a sealed CFDI 4.0 without a timbre (301, 302, 707)", async () => {
    expect(codeOf((await stampCall("%%% not base64 %%%")).text)).toBe("301");
    expect(codeOf((await stampCall(b64("no es xml"))).text)).toBe("301");
    expect(codeOf((await stampCall(b64('<r xmlns="urn:x"/>'))).text)).toBe("301");
    const xml = await sealed();
    expect(codeOf((await stampCall(b64(xml.replace(/ Sello="[^"]*"/, "")))).text)).toBe("302");
    expect(codeOf((await stampCall(b64(xml.replace(/Total="/, 'Total="1')))).text)).toBe("302");
    const first = await stampCall(b64(xml));
    const stamped = /<s0:xml>([\s\S]*?)<\/s0:xml>/.exec(first.text)?.[1] ?? "";
    const unescaped = stamped
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, "&");
    expect(codeOf((await stampCall(b64(unescaped))).text)).toBe("707");
  });

  it("a Fecha over 72 hours old is 401", async () => {
    const old = await pac.seal({ fecha: "2025-03-14T10:30:00" });
    expect(codeOf((await stampCall(b64(old))).text)).toBe("401");
  });

  it("the same sealed XML again is 307 with the earlier UUID; `stamped` returns it, or 603", async () => {
    const xml = b64(await sealed());
    expect(codeOf((await stampCall(xml, "p", "stamped")).text)).toBe("603");
    const first = await stampCall(xml);
    const uuid = /<s0:UUID>([^<]+)</.exec(first.text)?.[1];
    expect(uuid).toBeTruthy();
    const again = await stampCall(xml);
    expect(codeOf(again.text)).toBe("307");
    expect(again.text).toContain(`<s0:UUID>${uuid}</s0:UUID>`);
    expect((await stampCall(xml, "p", "stamped")).text).toContain(`<s0:UUID>${uuid}</s0:UUID>`);
    const quick = await stampCall(xml, "p", "quick_stamp");
    expect(codeOf(quick.text)).toBe("307");
    expect(quick.text).not.toContain("<s0:UUID>");
  });

  it("injected failures hit the next valid call only", async () => {
    expect(await control("/__fail", { operation: "stamp", code: "CFDI40102", times: 1 })).toBe(201);
    expect(codeOf((await stampCall(b64(await sealed()))).text)).toBe("CFDI40102");
    expect(codeOf((await stampCall(b64(await sealed()))).text)).toBeUndefined();
    await control("/__fail", { operation: "stamp", code: "5xx" });
    expect((await stampCall(b64(await sealed()))).status).toBe(503);
    expect(await control("/__fail", { operation: "sign", code: "5xx" })).toBe(400);
    expect(await control("/__cancel-mode", { mode: "later" })).toBe(400);
  });
});

describe("cancel checks", () => {
  async function stampOne(): Promise<string> {
    const res = await stampCall(b64(await sealed()));
    return /<s0:UUID>([^<]+)</.exec(res.text)?.[1] ?? "";
  }

  async function cancelCall(opts: {
    uuid: string;
    password?: string;
    keyPassword?: string;
    key?: Uint8Array;
    taxpayer?: string;
    motivo?: string;
  }) {
    const password = opts.password ?? "s3creta";
    const keyPem = toPem(
      "ENCRYPTED PRIVATE KEY",
      await encryptPkcs8(opts.key ?? pac.pkcs8, opts.keyPassword ?? password),
    );
    const cerPem = toPem("CERTIFICATE", pac.csd.certificate.der);
    return post(
      "/servicios/soap/cancel",
      envelope(
        CANCEL_NS,
        "cancel",
        `<f:UUIDS><a:UUID UUID="${opts.uuid}" Motivo="${opts.motivo ?? "02"}" FolioSustitucion=""/></f:UUIDS>` +
          `<f:username>u@example.mx</f:username><f:password>${password}</f:password>` +
          `<f:taxpayer_id>${opts.taxpayer ?? "EKU9003173C9"}</f:taxpayer_id>` +
          `<f:cer>${b64(cerPem)}</f:cer><f:key>${b64(keyPem)}</f:key><f:store_pending>false</f:store_pending>`,
      ),
    );
  }
  const estatus = (text: string) => /<s0:EstatusUUID>([^<]*)</.exec(text)?.[1];
  const codEstatus = (text: string) => /<s0:CodEstatus>([^<]*)</.exec(text)?.[1];

  it("needs the account's login, a key encrypted with its password (704) and the certificate's own key (711)", async () => {
    const uuid = await stampOne();
    expect(codEstatus((await cancelCall({ uuid, password: "invalid" })).text)).toBe("Invalid Username or Password");
    expect(codEstatus((await cancelCall({ uuid, keyPassword: "la del SAT" })).text)).toBe("704");
    const stranger = await createSandboxPacKeys();
    expect(codEstatus((await cancelCall({ uuid, key: stranger.pkcs8 })).text)).toBe("711");
    expect(estatus((await cancelCall({ uuid })).text)).toBe("201");
    expect(estatus((await cancelCall({ uuid })).text)).toBe("202");
  });

  it("answers 205 for a UUID it never stamped, 203 for another RFC, 207 for a bad Motivo", async () => {
    expect(estatus((await cancelCall({ uuid: "11111111-2222-3333-4444-555555555555" })).text)).toBe("205");
    const uuid = await stampOne();
    expect(estatus((await cancelCall({ uuid, taxpayer: "AAA010101AAA" })).text)).toBe("203");
    expect(estatus((await cancelCall({ uuid, motivo: "05" })).text)).toBe("207");
    expect(estatus((await cancelCall({ uuid, motivo: "01" })).text)).toBe("207");
  });

  it("pending mode waits for /__resolve", async () => {
    await control("/__cancel-mode", { mode: "pending" });
    const uuid = await stampOne();
    const res = await cancelCall({ uuid });
    expect(res.text).toContain("<s0:EstatusCancelacion>En proceso</s0:EstatusCancelacion>");
    expect(await control("/__resolve", { uuid, outcome: "rejected" })).toBe(200);
    expect(await control("/__resolve", { uuid, outcome: "accepted" })).toBe(404);
  });
});
