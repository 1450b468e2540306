import { describe, expect, it } from "vitest";
import {
  attachmentDisposition,
  DOWNLOAD_LINK_TTL_SECONDS,
  openDownloadLink,
  signDownloadLink,
  type DownloadLink,
} from "./download-link.ts";
import { base64UrlFromBytes, base64UrlFromText } from "../encoding/base64url.ts";

const secret = "s".repeat(40);
const now = Date.UTC(2026, 11, 2, 18, 0, 0);
const link: DownloadLink = {
  key: "tenants/0f6c1f55-5a3c-4f0e-9c51-3d3c8f5d2a10/proposals/6b1f7a52-2f43-4e0c-8f1a-1c2b3d4e5f60/v3.pdf",
  filename: "COT-2026-00012.pdf",
  contentType: "application/pdf",
  expiresAt: Math.floor(now / 1000) + DOWNLOAD_LINK_TTL_SECONDS,
};

describe("download links", () => {
  it("opens what it signed, until it expires", async () => {
    const token = await signDownloadLink(secret, link);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(await openDownloadLink(secret, token, now)).toEqual({ ok: true, link });
    expect(await openDownloadLink(secret, token, (link.expiresAt - 1) * 1000)).toMatchObject({ ok: true });
    expect(await openDownloadLink(secret, token, link.expiresAt * 1000)).toEqual({ ok: false, reason: "expired" });
  });

  it("refuses another secret, and any changed character of payload or MAC", async () => {
    const token = await signDownloadLink(secret, link);
    expect(await openDownloadLink("t".repeat(40), token, now)).toEqual({ ok: false, reason: "mismatch" });
    for (const i of [0, 10, token.indexOf(".") - 1, token.indexOf(".") + 1, token.length - 2]) {
      const c = token[i] === "A" ? "B" : "A";
      const changed = token.slice(0, i) + c + token.slice(i + 1);
      expect((await openDownloadLink(secret, changed, now)).ok, `position ${i}`).toBe(false);
    }
  });

  it("cannot be stretched: a longer expiry under the same MAC is a mismatch", async () => {
    const token = await signDownloadLink(secret, link);
    const [, mac] = token.split(".");
    const forged = base64UrlFromText(JSON.stringify({ ...link, expiresAt: link.expiresAt + 86_400 }));
    expect(await openDownloadLink(secret, `${forged}.${mac}`, now)).toEqual({ ok: false, reason: "mismatch" });
  });

  it("signs only keys under a tenant's prefix and names that are safe in a header", async () => {
    const bad: Partial<DownloadLink>[] = [
      { key: "other/0f6c1f55-5a3c-4f0e-9c51-3d3c8f5d2a10/x.pdf" },
      { key: "tenants/0f6c1f55-5a3c-4f0e-9c51-3d3c8f5d2a10/../x.pdf" },
      { key: "tenants/0f6c1f55-5a3c-4f0e-9c51-3d3c8f5d2a10/" },
      { filename: 'a"b.pdf' },
      { filename: "a\r\nSet-Cookie: x.pdf" },
      { filename: "" },
      { expiresAt: 1.5 },
    ];
    for (const b of bad) await expect(signDownloadLink(secret, { ...link, ...b })).rejects.toThrow(TypeError);
    await expect(
      signDownloadLink(secret, { ...link, contentType: "text/html" as DownloadLink["contentType"] }),
    ).rejects.toThrow(TypeError);
  });

  it("calls malformed what is not a token, without parsing a payload whose MAC fails", async () => {
    for (const t of ["", ".", "abc", "abc.def", `${"a".repeat(10)}.${"b".repeat(44)}`, "a b.c"]) {
      expect(await openDownloadLink(secret, t, now)).toEqual({ ok: false, reason: "malformed" });
    }
    // A well-signed payload that is not a link (possible only with the secret) is still refused.
    const { subtle } = crypto;
    const payload = base64UrlFromText('{"key":1}');
    const ikm = await subtle.importKey("raw", new TextEncoder().encode(secret), "HKDF", false, ["deriveKey"]);
    const key = await subtle.deriveKey(
      {
        name: "HKDF",
        hash: "SHA-256",
        salt: new TextEncoder().encode("zuclubit/document-links"),
        info: new TextEncoder().encode("hmac-sha256"),
      },
      ikm,
      { name: "HMAC", hash: "SHA-256", length: 256 },
      false,
      ["sign"],
    );
    const mac = base64UrlFromBytes(new Uint8Array(await subtle.sign("HMAC", key, new TextEncoder().encode(payload))));
    expect(await openDownloadLink(secret, `${payload}.${mac}`, now)).toEqual({ ok: false, reason: "malformed" });
  });

  it("answers a 1 MiB hostile token in milliseconds, without reading it", async () => {
    const shapes = ["A".repeat(1 << 20), `${"A".repeat(1 << 20)}.${"B".repeat(43)}`, ".".repeat(1 << 20)];
    for (const s of shapes) {
      const started = performance.now();
      expect(await openDownloadLink(secret, s, now)).toEqual({ ok: false, reason: "malformed" });
      expect(performance.now() - started).toBeLessThan(50);
    }
  });
});

describe("attachmentDisposition", () => {
  it("gives an ASCII fallback and the exact UTF-8 name", () => {
    expect(attachmentDisposition("COT-2026-00012.pdf")).toBe(
      `attachment; filename="COT-2026-00012.pdf"; filename*=UTF-8''COT-2026-00012.pdf`,
    );
    expect(attachmentDisposition("Cotización Peña.pdf")).toBe(
      `attachment; filename="Cotizacion Pena.pdf"; filename*=UTF-8''Cotizaci%C3%B3n%20Pe%C3%B1a.pdf`,
    );
  });
});
