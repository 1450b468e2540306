import { describe, expect, it } from "vitest";
import { parseMetaWebhook } from "../../core/whatsapp/meta-payload.ts";
import {
  verify360dialogSignature,
  verifyMetaSignature,
  verifyTwilioSignature,
} from "../../core/whatsapp/signatures.ts";
import { parseTwilioWebhook } from "../../core/whatsapp/twilio-payload.ts";
import { demoChannels, sampleDeliveryCommands } from "./demo-whatsapp.ts";

// The printed commands are only useful if the app accepts them: each one's signature must verify
// with the channel's credentials and its body must parse as a delivery for the channel's number.
const API = "http://127.0.0.1:8787";
const unquote = (s: string) => s.slice(1, -1).replace(/'\\''/g, "'");

describe("npm start's WhatsApp demo deliveries", () => {
  it("credentials are stable for one secret and differ for another", () => {
    expect(demoChannels("a".repeat(43))).toEqual(demoChannels("a".repeat(43)));
    expect(demoChannels("b".repeat(43))[0]?.credentials).not.toEqual(demoChannels("a".repeat(43))[0]?.credentials);
  });

  it("every command is signed for its channel and carries a delivery for its number", async () => {
    const channels = demoChannels("s".repeat(43));
    const commands = await sampleDeliveryCommands(API, channels, Date.UTC(2026, 11, 2, 18));
    expect(commands.map((c) => c.channel.provider)).toEqual(["meta", "360dialog", "twilio"]);
    for (const { channel, command } of commands) {
      const url = `${API}/webhooks/whatsapp/${channel.provider}/${channel.id}`;
      expect(command).toContain(`'${url}'`);
      const header = /-H '(x-[a-z0-9-]+): ([^']+)'/.exec(command)!;
      if (channel.provider === "twilio") {
        const params = new URLSearchParams(
          [...command.matchAll(/--data-urlencode ('(?:[^']|'\\'')*')/g)].map((m) =>
            unquote(m[1]!).split(/=(.*)/s).slice(0, 2),
          ) as [string, string][],
        );
        expect(header[1]).toBe("x-twilio-signature");
        expect(await verifyTwilioSignature(channel.credentials.authToken!, url, params, header[2])).toEqual({
          ok: true,
        });
        const parsed = parseTwilioWebhook(params, 0);
        expect(parsed.ok && parsed.delivery.messages[0]?.phoneNumberId).toBe("525541690002");
      } else {
        const body = new TextEncoder().encode(unquote(/--data-raw ('(?:[^']|'\\'')*')$/.exec(command)![1]!));
        expect(/^[\x20-\x7e]*$/.test(new TextDecoder().decode(body))).toBe(true);
        const verified =
          channel.provider === "meta"
            ? await verifyMetaSignature(channel.credentials.appSecret!, body, header[2])
            : await verify360dialogSignature(channel.credentials.webhookSecret!, body, header[2]);
        expect(verified).toEqual({ ok: true });
        const parsed = parseMetaWebhook(body);
        expect(parsed.ok && parsed.delivery.phoneNumberIds).toEqual([channel.phoneNumberId]);
        expect(parsed.ok && parsed.delivery.messages[0]?.text).toBe("¿Me comparten la cotización del proyecto?");
      }
    }
  });
});
