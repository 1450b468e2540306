import { describe, expect, it } from "vitest";
import { channelRuleViolations } from "./whatsapp-channel.ts";

const paths = (v: ReturnType<typeof channelRuleViolations>) => v.map((x) => `${x.code}:${x.path}`).sort();

describe("channelRuleViolations", () => {
  it("accepts each provider's complete channel", () => {
    expect(
      channelRuleViolations({
        provider: "meta",
        fields: { phoneNumberId: "109876543210987", wabaId: "104729385610452" },
        credentialNames: ["appSecret", "accessToken", "verifyToken"],
      }),
    ).toEqual([]);
    expect(
      channelRuleViolations({
        provider: "360dialog",
        fields: { phoneNumberId: "109876543210987" },
        credentialNames: ["apiKey", "webhookSecret"],
      }),
    ).toEqual([]);
    expect(
      channelRuleViolations({
        provider: "twilio",
        fields: { sender: "whatsapp:+525541690000", accountSid: `AC${"a".repeat(32)}` },
        credentialNames: ["authToken"],
      }),
    ).toEqual([]);
  });

  it("names what is missing, foreign to the provider, or unknown", () => {
    expect(
      paths(
        channelRuleViolations({
          provider: "meta",
          fields: { sender: "whatsapp:+525541690000" },
          credentialNames: ["appSecret", "authToken", "password"],
        }),
      ),
    ).toEqual([
      "not_applicable:credentials.authToken",
      "not_applicable:sender",
      "required:credentials.accessToken",
      "required:credentials.verifyToken",
      "required:phoneNumberId",
      "unknown_credential:credentials.password",
    ]);
    expect(
      paths(channelRuleViolations({ provider: "twilio", fields: { phoneNumberId: "123456" }, credentialNames: [] })),
    ).toEqual([
      "not_applicable:phoneNumberId",
      "required:accountSid",
      "required:credentials.authToken",
      "required:sender",
    ]);
  });
});
