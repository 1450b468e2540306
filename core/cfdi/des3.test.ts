import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { S_BOXES, des3CbcDecrypt, des3EncryptBlock } from "./des3.ts";
import { hasTool, openssl, tempDir } from "./test/oracle.ts";
import { writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";

const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((h) => parseInt(h, 16)));
const toHex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("3DES", () => {
  it("S-box rows are permutations of 0..15 (catches a mistyped table entry)", () => {
    for (const box of S_BOXES) {
      expect(box).toHaveLength(64);
      for (let r = 0; r < 4; r++)
        expect([...box.slice(r * 16, r * 16 + 16)].sort((a, b) => a - b)).toEqual([...Array(16).keys()]);
    }
  });

  it("matches published DES/TDEA vectors", () => {
    // FIPS 46 worked example (single DES = EDE with K1=K2=K3).
    const k = hex("133457799BBCDFF1");
    expect(toHex(des3EncryptBlock(new Uint8Array([...k, ...k, ...k]), hex("0123456789ABCDEF")))).toBe(
      "85e813540f0ab405",
    );
    // NIST SP 800-67 Rev.1 example, first block.
    const key = hex("0123456789ABCDEF23456789ABCDEF01456789ABCDEF0123");
    expect(toHex(des3EncryptBlock(key, hex("5468652071756663")))).toBe("a826fd8ce53b855f");
  });

  it("rejects bad padding (what a wrong password produces)", () => {
    const key = new Uint8Array(24).fill(7);
    expect(() => des3CbcDecrypt(key, new Uint8Array(8), new Uint8Array(16).fill(1))).toThrow(/padding/);
  });

  it.skipIf(!hasTool("openssl"))("decrypts what openssl des-ede3-cbc encrypts", () => {
    const dir = tempDir("des3-");
    for (let i = 0; i < 20; i++) {
      const key = randomBytes(24);
      const iv = randomBytes(8);
      const plain = randomBytes(1 + i * 37);
      const inFile = join(dir, `p${i}`);
      const outFile = join(dir, `c${i}`);
      writeFileSync(inFile, plain);
      openssl([
        "enc",
        "-des-ede3-cbc",
        "-K",
        key.toString("hex"),
        "-iv",
        iv.toString("hex"),
        "-in",
        inFile,
        "-out",
        outFile,
      ]);
      const cipher = readFileSync(outFile);
      expect(toHex(des3CbcDecrypt(key, iv, cipher))).toBe(plain.toString("hex"));
    }
  });
});
