import { describe, expect, it } from "vitest";
import { fiscalProfileIssues } from "./fiscal-profile.ts";
import { pacCredentialIssues } from "./pac-credentials.ts";

const EKU = {
  rfc: "EKU9003173C9",
  razonSocial: "ESCUELA KEMPER URGATE",
  regimenFiscal: "601",
  lugarExpedicion: "86000",
};

describe("fiscalProfileIssues", () => {
  it("accepts a persona moral with a moral régimen, and a física with a física one", () => {
    expect(fiscalProfileIssues(EKU)).toEqual([]);
    expect(fiscalProfileIssues({ ...EKU, rfc: "GODE561231GR8", regimenFiscal: "612", serie: "FAC" })).toEqual([]);
  });

  it("reports every problem at once, with stable codes", () => {
    const codes = fiscalProfileIssues({
      rfc: "XAXX010101000",
      razonSocial: "",
      regimenFiscal: "601",
      lugarExpedicion: "8600",
      serie: "A|B",
    }).map((i) => `${i.path}:${i.code}`);
    expect(codes).toEqual([
      "rfc:RFC_GENERIC",
      // XAXX010101000 reads as a persona física, for which 601 is not a régimen.
      "regimenFiscal:REGIMEN_PERSONA",
      "lugarExpedicion:CP_FORMAT",
      "razonSocial:RAZON_SOCIAL_FORMAT",
      "serie:SERIE_FORMAT",
    ]);
    expect(fiscalProfileIssues({ ...EKU, regimenFiscal: "612" })[0]?.code).toBe("REGIMEN_PERSONA");
    expect(fiscalProfileIssues({ ...EKU, regimenFiscal: "600" })[0]?.code).toBe("REGIMEN_UNKNOWN");
    expect(fiscalProfileIssues({ ...EKU, rfc: "EKU9002303C9" })[0]?.code).toBe("RFC_DATE");
  });
});

describe("pacCredentialIssues", () => {
  it("fits each provider's documented credentials", () => {
    expect(pacCredentialIssues("sandbox", {})).toEqual([]);
    expect(pacCredentialIssues("finkok", { username: "u", password: "p" })).toEqual([]);
    expect(pacCredentialIssues("sw", { user: "u", password: "p" })).toEqual([]);
    expect(pacCredentialIssues("sw", { token: "t" })).toEqual([]);
  });

  it("names what is missing from the closest set, and what does not belong", () => {
    expect(pacCredentialIssues("finkok", { username: "u" }).map((i) => i.name)).toEqual(["password"]);
    expect(pacCredentialIssues("sw", { password: "p" }).map((i) => i.name)).toEqual(["user"]);
    expect(pacCredentialIssues("sandbox", { apiKey: "k" }).map((i) => i.name)).toEqual(["apiKey"]);
    expect(pacCredentialIssues("sw", { token: "t", user: "u", password: "p" }).map((i) => i.name)).toEqual(["token"]);
  });
});
