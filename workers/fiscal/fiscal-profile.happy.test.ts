import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { loadSealedCsd } from "../../core/cfdi/key-envelope.ts";
import { openPacCredentials } from "../../core/fiscal/pac-credentials.ts";
import type { Env } from "../../platform/env.ts";
import { api, createTenant, ownerSql, tokenFor } from "../../test/support/harness.ts";
import { SAT_TEST_CSD } from "../../test/support/sat-test-csd.ts";
import { csdForm, EKU_PROFILE } from "../../test/support/invoicing-fixtures.ts";
import type { CsdBody, FiscalProfileBody } from "./fiscal-profile-schema.ts";

const secret = () => (env as unknown as Env).ENCRYPTION_SECRET!;

async function json<T>(res: Response, status: number): Promise<T> {
  expect(res.status, await res.clone().text()).toBe(status);
  return (await res.json()) as T;
}

describe("fiscal profile, CSD and PAC", () => {
  it("an admin sets the profile, loads the SAT test CSD and chooses a PAC; nothing secret ever comes back", async () => {
    const tenant = await createTenant();
    const admin = await tokenFor(tenant, { role: "admin" });
    const user = await tokenFor(tenant, { role: "user" });

    expect((await api("/v1/fiscal-profile", { token: user })).status).toBe(404);
    const created = await json<FiscalProfileBody>(
      await api("/v1/fiscal-profile", { method: "PUT", token: admin, json: { ...EKU_PROFILE, rfc: "eku9003173c9" } }),
      200,
    );
    expect(created).toMatchObject({ ...EKU_PROFILE, nextFolio: 1, csd: null, pac: null, version: 1 });

    const csd = await json<CsdBody>(
      await api("/v1/fiscal-profile/csd", { method: "POST", token: admin, body: csdForm() }),
      200,
    );
    expect(csd).toMatchObject({
      noCertificado: SAT_TEST_CSD.noCertificado,
      rfc: "EKU9003173C9",
      validFrom: "2023-05-18T11:43:51.000Z",
      validTo: "2027-05-18T11:43:51.000Z",
    });
    expect(csd.daysLeft).toBeGreaterThan(0);

    const pac = await json<FiscalProfileBody>(
      await api("/v1/fiscal-profile/pac", {
        method: "PUT",
        token: admin,
        json: {
          provider: "finkok",
          environment: "test",
          credentials: { username: "f@example.mx", password: "s3creta" },
        },
      }),
      200,
    );
    expect(pac.pac).toEqual({ provider: "finkok", environment: "test", credentialsSet: true });

    // Any user of the account reads it; the key, the password and the PAC's credentials never appear.
    const read = await api("/v1/fiscal-profile", { token: user });
    const text = await read.text();
    expect(read.status).toBe(200);
    expect(read.headers.get("etag")).toBe(`"v${pac.version}"`);
    for (const secretText of [SAT_TEST_CSD.password, "s3creta", "zsec1", "csd_key"])
      expect(text).not.toContain(secretText);
    expect((await json<CsdBody>(await api("/v1/fiscal-profile/csd", { token: user }), 200)).noCertificado).toBe(
      SAT_TEST_CSD.noCertificado,
    );

    // At rest: the key opens only with ENCRYPTION_SECRET and seals like the original; the password is nowhere.
    const [row] = await ownerSql
      .transaction([
        ownerSql`select set_config('app.tenant_id', ${tenant.id}, true)`,
        ownerSql`select * from fiscal_profiles where tenant_id = ${tenant.id}`,
      ])
      .then((r) => r[1] as Record<string, string>[]);
    expect(JSON.stringify(row)).not.toContain(SAT_TEST_CSD.password);
    expect(JSON.stringify(row)).not.toContain("s3creta");
    const sealed = await loadSealedCsd(row!.csd_certificate!, row!.csd_key_envelope!, secret());
    expect(sealed.certificate.noCertificado).toBe(SAT_TEST_CSD.noCertificado);
    await expect(loadSealedCsd(row!.csd_certificate!, row!.csd_key_envelope!, "x".repeat(40))).rejects.toThrow();
    expect(await openPacCredentials(secret(), tenant.id, row!.pac_credentials_envelope!)).toEqual({
      username: "f@example.mx",
      password: "s3creta",
    });
    await expect(openPacCredentials(secret(), crypto.randomUUID(), row!.pac_credentials_envelope!)).rejects.toThrow();
  });

  it("PUT keeps the folio counter and serie when left out, and If-Match guards concurrent edits", async () => {
    const tenant = await createTenant();
    const admin = await tokenFor(tenant, { role: "admin" });
    const first = await json<FiscalProfileBody>(
      await api("/v1/fiscal-profile", { method: "PUT", token: admin, json: { ...EKU_PROFILE, nextFolio: 120 } }),
      200,
    );
    const { serie: _serie, ...withoutSerie } = EKU_PROFILE;
    const second = await json<FiscalProfileBody>(
      await api("/v1/fiscal-profile", {
        method: "PUT",
        token: admin,
        json: { ...withoutSerie, razonSocial: "ESCUELA KEMPER URGATE DOS" },
        headers: { "if-match": `"v${first.version}"` },
      }),
      200,
    );
    expect(second).toMatchObject({ nextFolio: 120, serie: "A", razonSocial: "ESCUELA KEMPER URGATE DOS" });
    const stale = await api("/v1/fiscal-profile", {
      method: "PUT",
      token: admin,
      json: EKU_PROFILE,
      headers: { "if-match": `"v${first.version}"` },
    });
    expect(stale.status).toBe(412);
  });

  it("sandbox takes no credentials; sw takes a token", async () => {
    const tenant = await createTenant();
    const admin = await tokenFor(tenant, { role: "admin" });
    await json(await api("/v1/fiscal-profile", { method: "PUT", token: admin, json: EKU_PROFILE }), 200);
    const sandbox = await json<FiscalProfileBody>(
      await api("/v1/fiscal-profile/pac", {
        method: "PUT",
        token: admin,
        json: { provider: "sandbox", environment: "test" },
      }),
      200,
    );
    expect(sandbox.pac).toEqual({ provider: "sandbox", environment: "test", credentialsSet: false });
    const sw = await json<FiscalProfileBody>(
      await api("/v1/fiscal-profile/pac", {
        method: "PUT",
        token: admin,
        json: { provider: "sw", environment: "production", credentials: { token: "T".repeat(200) } },
      }),
      200,
    );
    expect(sw.pac).toEqual({ provider: "sw", environment: "production", credentialsSet: true });
  });
});
