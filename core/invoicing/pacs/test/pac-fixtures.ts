/**
 * Test-only setup shared by the PAC adapters' tests (core/invoicing/pacs/*.test.ts) and the local
 * PACs' own (scripts/local/pac-*.test.ts): a local PAC started for the file and reset before each
 * test, SAT's test CSD, and the example invoice sealed with it. Not imported by runtime code,
 * hence the node: imports.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, expect } from "vitest";
import { buildSignedCfdi } from "../../../cfdi/build.ts";
import { loadCsdForSealing, type Csd } from "../../../cfdi/csd.ts";
import type { InvoiceInput } from "../../../cfdi/invoice-input.ts";
import { csdFiles, repoRoot } from "../../../cfdi/test/oracle.ts";
import { PacError, type CancelRequest } from "../../pac-client.ts";

/** examples/cfdi/factura.json: the invoice the PAC tests seal (emisor EKU9003173C9, SAT's test CSD). */
export const exampleInvoice = JSON.parse(
  readFileSync(join(repoRoot, "examples/cfdi/factura.json"), "utf8"),
) as InvoiceInput;

/** What the local PACs (scripts/local/pac-finkok.ts, pac-sw.ts) have in common. */
export interface LocalPac {
  url: string;
  stop(): Promise<void>;
}

export interface LocalPacFixture<F extends LocalPac, R> {
  /** The running local PAC (from beforeAll on). */
  readonly fake: F;
  /** SAT's test CSD, opened for sealing, and its private key as PKCS#8 DER (from beforeAll on). */
  readonly csd: Csd;
  readonly pkcs8: Uint8Array;
  /** POSTs a control (`/__fail`, `/__accounts` …) with a JSON body; the HTTP status. */
  control(path: string, body?: unknown): Promise<number>;
  /** GET /__requests: the calls the local PAC received, oldest first, of one operation if given. */
  requests(operation?: string): Promise<R[]>;
  /**
   * The example invoice with `changes`, sealed with the test CSD. `datedNow` drops its Fecha, so
   * the CFDI is dated now (the local Finkok refuses a Fecha over 72 h old, as Finkok does).
   */
  seal(changes: Partial<InvoiceInput>, options?: { datedNow?: boolean }): Promise<string>;
  /** A cancellation of `uuid` (motivo 02, no total unless given) by the example's emisor, with the test CSD. */
  cancelRequest(uuid: string, changes?: Partial<CancelRequest>): CancelRequest;
}

/**
 * Starts a local PAC with `start` before the file's tests (and opens the test CSD), stops it after
 * them and resets it (POST /__reset) before each. Call it at the top of a test file.
 */
export function useLocalPac<F extends LocalPac, R = unknown>(start: () => Promise<F>): LocalPacFixture<F, R> {
  let fake: F | undefined;
  let opened: { csd: Csd; pkcs8: Uint8Array } | undefined;
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the local PAC is started in beforeAll");
    return value;
  };

  beforeAll(async () => {
    fake = await start();
    opened = await loadCsdForSealing(readFileSync(csdFiles.cer), readFileSync(csdFiles.key), csdFiles.password);
  });
  afterAll(async () => {
    await fake?.stop();
  });
  beforeEach(async () => {
    await fetch(`${started(fake).url}/__reset`, { method: "POST" });
  });

  return {
    get fake() {
      return started(fake);
    },
    get csd() {
      return started(opened).csd;
    },
    get pkcs8() {
      return started(opened).pkcs8;
    },
    control: (path, body = {}) =>
      fetch(`${started(fake).url}${path}`, { method: "POST", body: JSON.stringify(body) }).then((r) => r.status),
    requests: (operation) =>
      fetch(`${started(fake).url}/__requests${operation ? `?operation=${operation}` : ""}`).then(
        (r) => r.json() as Promise<R[]>,
      ),
    seal: async (changes, options = {}) => {
      const input: InvoiceInput = { ...exampleInvoice, ...changes };
      if (options.datedNow) delete input.fecha;
      return (await buildSignedCfdi(input, started(opened).csd)).xml;
    },
    cancelRequest: (uuid, changes = {}) => ({
      uuid,
      emisorRfc: "EKU9003173C9",
      receptorRfc: exampleInvoice.receptor.rfc,
      total: "",
      motivo: "02",
      csd: { certificateDer: started(opened).csd.certificate.der, privateKeyPkcs8: started(opened).pkcs8 },
      ...changes,
    }),
  };
}

/** The PacError `p` rejects with (the test fails when it resolves or rejects with anything else). */
export async function pacError(p: Promise<unknown>): Promise<PacError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PacError);
  return e as PacError;
}
