// The `.key` rebuilt for a PAC's cancel by CSD (SW as DER, Finkok as PEM) must open like a SAT `.key`: with OpenSSL and with the
// engine's own reader (core/cfdi/private-key.ts), and only with its password.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCsdForSealing } from "../../cfdi/csd.ts";
import { decryptPkcs8, importPrivateKey } from "../../cfdi/private-key.ts";
import { signCadena, verifySello } from "../../cfdi/sello.ts";
import { csdFiles, hasTool, openssl, tempDir } from "../../cfdi/test/oracle.ts";
import { encryptPkcs8, randomKeyPassword } from "./key-encryption.ts";

async function testKey() {
  return loadCsdForSealing(readFileSync(csdFiles.cer), readFileSync(csdFiles.key), csdFiles.password);
}

describe("encryptPkcs8", () => {
  it("round-trips through core/cfdi/private-key.ts and signs like the original key", async () => {
    const { csd, pkcs8 } = await testKey();
    const password = randomKeyPassword();
    const der = await encryptPkcs8(pkcs8, password);
    expect(Array.from(await decryptPkcs8(der, password))).toEqual(Array.from(pkcs8));
    const key = await importPrivateKey(der, password);
    const sello = await signCadena(key, "||probe||");
    expect(await verifySello(csd.publicKey, "||probe||", sello)).toBe(true);
  });

  it("refuses a wrong password", async () => {
    const { pkcs8 } = await testKey();
    const der = await encryptPkcs8(pkcs8, randomKeyPassword());
    await expect(importPrivateKey(der, "not-the-password")).rejects.toMatchObject({ code: "KEY_PASSWORD" });
  });

  it("writes random one-time passwords of printable ASCII", () => {
    const a = randomKeyPassword();
    const b = randomKeyPassword();
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(a).not.toBe(b);
  });

  it.runIf(hasTool("openssl"))(
    "is decrypted by openssl pkcs8 (PBES2, PBKDF2-HMAC-SHA256, DES-EDE3-CBC, as SAT writes .key files)",
    async () => {
      const { pkcs8 } = await testKey();
      const password = randomKeyPassword();
      const dir = tempDir("sw-key-");
      const file = join(dir, "csd.key");
      writeFileSync(file, await encryptPkcs8(pkcs8, password));
      const described = openssl(["asn1parse", "-inform", "DER", "-in", file]);
      expect(described).toContain("PBES2");
      expect(described).toContain("hmacWithSHA256");
      expect(described).toContain("des-ede3-cbc");
      const out = join(dir, "plain.pem");
      openssl(["pkcs8", "-inform", "DER", "-in", file, "-passin", `pass:${password}`, "-out", out]);
      // OpenSSL writes the key in its own encoding, so compare what matters: the certificate's modulus.
      const keyModulus = openssl(["rsa", "-in", out, "-noout", "-modulus"]);
      const certModulus = openssl(["x509", "-inform", "DER", "-in", csdFiles.cer, "-noout", "-modulus"]);
      expect(keyModulus.trim()).toBe(certModulus.trim());
      expect(() =>
        openssl(["pkcs8", "-inform", "DER", "-in", file, "-passin", "pass:wrong", "-out", join(dir, "x.pem")]),
      ).toThrow();
    },
  );
});
