import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCertificate } from "./certificate.ts";
import { checkCertificateForInvoice, loadCsd } from "./csd.ts";
import { CfdiError } from "./errors.ts";
import { decryptPkcs8, importPrivateKey } from "./private-key.ts";
import { signCadena, verifySello } from "./sello.ts";
import { csdFiles, hasTool, openssl, opensslVerify, tempDir } from "./test/oracle.ts";

const withOpenssl = hasTool("openssl");

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CfdiError) return e.code;
    throw e;
  }
  return "NO_ERROR";
}

describe("CSD from SAT files", () => {
  const cer = () => readFileSync(csdFiles.cer);
  const key = () => readFileSync(csdFiles.key);

  it("reads NoCertificado, RFC, validity and kind from the .cer", () => {
    const c = parseCertificate(cer());
    expect(c.noCertificado).toBe("30001000000500003416");
    expect(c.rfc).toBe("EKU9003173C9");
    expect(c.rfcRepresentante).toBe("VADA800927DJ3");
    expect(c.curp).toBe("VADA800927HSRSRL05");
    expect(c.kind).toBe("CSD");
    expect(c.keyUsage).toEqual(["digitalSignature", "nonRepudiation"]);
    expect(c.notBefore.toISOString()).toBe("2023-05-18T11:43:51.000Z");
    expect(c.notAfter.toISOString()).toBe("2027-05-18T11:43:51.000Z");
    expect(parseCertificate(readFileSync(`${csdFiles.cer}.pem`, "utf8")).noCertificado).toBe(c.noCertificado);
    expect(parseCertificate(c.base64).serialHex).toBe(c.serialHex);
  });

  it("decrypts the PBES2/3DES .key with its password into the same key as the .key.pem", async () => {
    const fromEncrypted = await decryptPkcs8(key(), csdFiles.password);
    const pem = readFileSync(csdFiles.keyPem, "utf8");
    const plainDer = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64");
    expect(Buffer.from(fromEncrypted).equals(plainDer)).toBe(true);
  });

  it("rejects a wrong password with a Spanish message", async () => {
    expect(await codeOf(loadCsd(cer(), key(), "12345678b"))).toBe("KEY_PASSWORD");
    expect(await codeOf(loadCsd(cer(), key(), ""))).toBe("KEY_PASSWORD");
    await expect(loadCsd(cer(), key(), "x")).rejects.toThrow(/contraseña/);
  });

  it("rejects garbage instead of a certificate or key", async () => {
    expect(() => parseCertificate(new Uint8Array([1, 2, 3]))).toThrow(CfdiError);
    expect(await codeOf(importPrivateKey(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]), "x"))).toMatch(/KEY_/);
  });

  it("signs so that the certificate's key verifies (and openssl agrees)", async () => {
    const csd = await loadCsd(cer(), key(), csdFiles.password);
    const cadena = "||4.0|prueba|ñandú & <ok>||";
    const sello = await signCadena(csd.privateKey, cadena);
    expect(await verifySello(csd.publicKey, cadena, sello)).toBe(true);
    expect(await verifySello(csd.publicKey, cadena + " ", sello)).toBe(false);
    expect(await verifySello(csd.publicKey, cadena, "not base64!")).toBe(false);
    if (withOpenssl) expect(opensslVerify(tempDir(), csd.certificate.der, cadena, sello)).toBe(true);
  });

  it("checks RFC and validity window against the invoice", () => {
    const c = parseCertificate(cer());
    expect(checkCertificateForInvoice(c, "EKU9003173C9", "2025-01-01T10:00:00")).toEqual([]);
    expect(checkCertificateForInvoice(c, "AAA010101AAA", "2025-01-01T10:00:00").map((i) => i.code)).toEqual([
      "CSD_RFC_MISMATCH",
    ]);
    expect(checkCertificateForInvoice(c, "EKU9003173C9", "2028-01-01T10:00:00").map((i) => i.code)).toEqual([
      "CSD_EXPIRED",
    ]);
    expect(checkCertificateForInvoice(c, "EKU9003173C9", "2023-05-01T10:00:00").map((i) => i.code)).toEqual([
      "CSD_NOT_YET_VALID",
    ]);
  });
});

describe.skipIf(!withOpenssl)("CSD edge cases built with openssl", () => {
  const dir = withOpenssl ? tempDir("csd-") : "";
  function makeCert(name: string, keyUsage: string, ou: boolean): { cer: Uint8Array; keyPem: string } {
    const keyFile = join(dir, `${name}.key.pem`);
    const cerFile = join(dir, `${name}.cer`);
    openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", keyFile]);
    const subj = `/CN=PRUEBA SA DE CV/x500UniqueIdentifier=AAA010101AAA \\/ VADA800927DJ3${ou ? "/OU=Matriz" : ""}`;
    openssl([
      "req",
      "-x509",
      "-new",
      "-key",
      keyFile,
      "-subj",
      subj,
      "-days",
      "30",
      "-set_serial",
      "0x3330303031303030303030353030303033343136",
      "-addext",
      `keyUsage=${keyUsage}`,
      "-outform",
      "DER",
      "-out",
      cerFile,
    ]);
    return { cer: readFileSync(cerFile), keyPem: readFileSync(keyFile, "utf8") };
  }

  it("tells a FIEL from a CSD", () => {
    const fiel = makeCert("fiel", "digitalSignature,nonRepudiation,dataEncipherment,keyAgreement", false);
    const c = parseCertificate(fiel.cer);
    expect(c.kind).toBe("FIEL");
    expect(c.rfc).toBe("AAA010101AAA");
    expect(checkCertificateForInvoice(c, "AAA010101AAA", new Date()).map((i) => i.code)).toEqual(["CSD_IS_FIEL"]);
    const csd = makeCert("csd", "digitalSignature,nonRepudiation", true);
    expect(parseCertificate(csd.cer).kind).toBe("CSD");
  });

  it("detects a .key that belongs to another certificate", async () => {
    const other = makeCert("other", "digitalSignature,nonRepudiation", true);
    expect(await codeOf(loadCsd(other.cer, readFileSync(csdFiles.key), csdFiles.password))).toBe("CSD_KEY_MISMATCH");
    expect(await codeOf(loadCsd(other.cer, other.keyPem, ""))).toBe("NO_ERROR");
  });

  it("opens PBES2 keys with AES and HMAC-SHA256 too (re-exported keys)", async () => {
    const { keyPem } = makeCert("aes", "digitalSignature,nonRepudiation", true);
    const inFile = join(dir, "aes.in.pem");
    const outFile = join(dir, "aes.p8.der");
    writeFileSync(inFile, keyPem);
    for (const [cipher, prf] of [
      ["aes-256-cbc", "hmacWithSHA256"],
      ["des3", "hmacWithSHA1"],
      ["aes-128-cbc", "hmacWithSHA1"],
    ] as const) {
      openssl([
        "pkcs8",
        "-topk8",
        "-in",
        inFile,
        "-v2",
        cipher,
        "-v2prf",
        prf,
        "-passout",
        "pass:clave secreta",
        "-outform",
        "DER",
        "-out",
        outFile,
      ]);
      const der = await decryptPkcs8(readFileSync(outFile), "clave secreta");
      expect(der[0]).toBe(0x30);
      expect(await codeOf(decryptPkcs8(readFileSync(outFile), "otra"))).toBe("KEY_PASSWORD");
    }
  });
});

describe("CSD key envelope (decrypt at upload, store re-encrypted with a Worker secret)", () => {
  const SECRET = "s3cr3t-worker-binding-0123456789abcdef";
  it("round-trips the SAT key and binds it to the certificate", async () => {
    const { sealPrivateKey, openSealedPrivateKey, loadSealedCsd } = await import("./key-envelope.ts");
    const cer = readFileSync(csdFiles.cer);
    const pkcs8 = await decryptPkcs8(readFileSync(csdFiles.key), csdFiles.password);
    const envelope = await sealPrivateKey(pkcs8, SECRET, "30001000000500003416");
    expect(envelope).toMatch(/^zcsd1\./);
    expect(
      Buffer.from(await openSealedPrivateKey(envelope, SECRET, "30001000000500003416")).equals(Buffer.from(pkcs8)),
    ).toBe(true);
    const csd = await loadSealedCsd(cer, envelope, SECRET);
    const sello = await signCadena(csd.privateKey, "||x||");
    expect(await verifySello(csd.publicKey, "||x||", sello)).toBe(true);
    // wrong secret, other certificate, tampered bytes, short secret
    expect(await codeOf(openSealedPrivateKey(envelope, `${SECRET}x`, "30001000000500003416"))).toBe("KEY_ENVELOPE");
    expect(await codeOf(openSealedPrivateKey(envelope, SECRET, "30001000000500003417"))).toBe("KEY_ENVELOPE");
    const tampered = envelope.slice(0, -6) + (envelope.at(-6) === "A" ? "B" : "A") + envelope.slice(-5);
    expect(await codeOf(openSealedPrivateKey(tampered, SECRET, "30001000000500003416"))).toBe("KEY_ENVELOPE");
    expect(await codeOf(sealPrivateKey(pkcs8, "corto", "1"))).toBe("KEY_ENVELOPE_SECRET");
  });
});
