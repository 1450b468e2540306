/**
 * Triple DES (DES-EDE3, FIPS 46-3 / NIST SP 800-67) in CBC mode — decryption only.
 *
 * Why it exists: SAT issues every CSD/FIEL private key as PKCS#8 PBES2 with DES-EDE3-CBC, and
 * WebCrypto (the only crypto in Workers) has no DES. It is used once per key load, to get the
 * PKCS#8 bytes WebCrypto can import; nothing new is ever encrypted with it.
 */

// FIPS 46-3 tables, 1-based bit numbers counted from the most significant bit.
const IP = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24,
  16, 8, 57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31,
  23, 15, 7,
];
const P = [
  16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25,
];
const PC1 = [
  57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36, 63, 55,
  47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
];
const PC2 = [
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2, 41, 52, 31, 37, 47, 55, 30,
  40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
];
const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];
export const S_BOXES: number[][] = [
  [
    14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8, 4, 1,
    14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13,
  ],
  [
    15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5, 0, 14,
    7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9,
  ],
  [
    10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1, 13, 6,
    4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12,
  ],
  [
    7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9, 10, 6,
    9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14,
  ],
  [
    2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6, 4, 2, 1,
    11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3,
  ],
  [
    12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8, 9, 14,
    15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13,
  ],
  [
    4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6, 1, 4,
    11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12,
  ],
  [
    13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2, 7, 11,
    4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11,
  ],
];

// SP[i][x]: S-box i applied to the 6-bit value x (row = outer bits, column = inner four), placed
// at its nibble and then pushed through P — one lookup per S-box per round.
const SP: Uint32Array[] = S_BOXES.map((box, i) => {
  const t = new Uint32Array(64);
  for (let x = 0; x < 64; x++) {
    const row = ((x & 0x20) >> 4) | (x & 1);
    const col = (x >> 1) & 0xf;
    const s = (box[row * 16 + col] as number) << (28 - 4 * i);
    let out = 0;
    for (let j = 0; j < 32; j++) if (s & (1 << (31 - ((P[j] as number) - 1)))) out |= 1 << (31 - j);
    t[x] = out >>> 0;
  }
  return t;
});

function bit(hi: number, lo: number, pos: number): number {
  // pos is 1-based over 64 bits, MSB first.
  return pos <= 32 ? (hi >>> (32 - pos)) & 1 : (lo >>> (64 - pos)) & 1;
}

function permute64(hi: number, lo: number, table: number[]): [number, number] {
  let a = 0;
  let b = 0;
  for (let i = 0; i < 32; i++) a = (a << 1) | bit(hi, lo, table[i] as number);
  for (let i = 32; i < 64; i++) b = (b << 1) | bit(hi, lo, table[i] as number);
  return [a >>> 0, b >>> 0];
}

const FP: number[] = (() => {
  const t = new Array<number>(64);
  IP.forEach((from, to) => (t[from - 1] = to + 1));
  return t;
})();

/** 16 round keys, each as eight 6-bit values (one per S-box). */
export function desKeySchedule(key: Uint8Array): Uint8Array[] {
  if (key.length !== 8) throw new RangeError("DES key must be 8 bytes");
  const hi =
    (((key[0] as number) << 24) | ((key[1] as number) << 16) | ((key[2] as number) << 8) | (key[3] as number)) >>> 0;
  const lo =
    (((key[4] as number) << 24) | ((key[5] as number) << 16) | ((key[6] as number) << 8) | (key[7] as number)) >>> 0;
  const cd: number[] = PC1.map((p) => bit(hi, lo, p));
  let c = cd.slice(0, 28);
  let d = cd.slice(28);
  const keys: Uint8Array[] = [];
  for (const s of SHIFTS) {
    c = c.slice(s).concat(c.slice(0, s));
    d = d.slice(s).concat(d.slice(0, s));
    const both = c.concat(d);
    const k = new Uint8Array(8);
    for (let i = 0; i < 48; i++) {
      const j = (i / 6) | 0;
      k[j] = ((k[j] as number) << 1) | (both[(PC2[i] as number) - 1] as number);
    }
    keys.push(k);
  }
  return keys;
}

function rotl(x: number, n: number): number {
  n &= 31;
  return n === 0 ? x >>> 0 : ((x << n) | (x >>> (32 - n))) >>> 0;
}

function feistel(r: number, k: Uint8Array): number {
  let out = 0;
  for (let j = 0; j < 8; j++) {
    // E expansion: S-box j sees bits 4j … 4j+5 (1-based, cyclic) of R.
    const chunk = (rotl(r, 4 * j - 1 + 32) >>> 26) & 0x3f;
    out ^= (SP[j] as Uint32Array)[chunk ^ (k[j] as number)] as number;
  }
  return out >>> 0;
}

/** One DES block; `keys` in encryption order, `decrypt` walks them backwards. */
export function desBlock(hi: number, lo: number, keys: Uint8Array[], decrypt: boolean): [number, number] {
  let [l, r] = permute64(hi, lo, IP);
  for (let i = 0; i < 16; i++) {
    const k = keys[decrypt ? 15 - i : i] as Uint8Array;
    const t = (l ^ feistel(r, k)) >>> 0;
    l = r;
    r = t;
  }
  return permute64(r, l, FP);
}

function readBlock(b: Uint8Array, o: number): [number, number] {
  return [
    (((b[o] as number) << 24) | ((b[o + 1] as number) << 16) | ((b[o + 2] as number) << 8) | (b[o + 3] as number)) >>>
      0,
    (((b[o + 4] as number) << 24) |
      ((b[o + 5] as number) << 16) |
      ((b[o + 6] as number) << 8) |
      (b[o + 7] as number)) >>>
      0,
  ];
}

function writeBlock(b: Uint8Array, o: number, hi: number, lo: number): void {
  b[o] = hi >>> 24;
  b[o + 1] = (hi >>> 16) & 0xff;
  b[o + 2] = (hi >>> 8) & 0xff;
  b[o + 3] = hi & 0xff;
  b[o + 4] = lo >>> 24;
  b[o + 5] = (lo >>> 16) & 0xff;
  b[o + 6] = (lo >>> 8) & 0xff;
  b[o + 7] = lo & 0xff;
}

/** DES-EDE3 encryption of one block (used by tests to cross-check against published vectors). */
export function des3EncryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  const [k1, k2, k3] = [
    desKeySchedule(key.subarray(0, 8)),
    desKeySchedule(key.subarray(8, 16)),
    desKeySchedule(key.subarray(16, 24)),
  ];
  let [hi, lo] = readBlock(block, 0);
  [hi, lo] = desBlock(hi, lo, k1, false);
  [hi, lo] = desBlock(hi, lo, k2, true);
  [hi, lo] = desBlock(hi, lo, k3, false);
  const out = new Uint8Array(8);
  writeBlock(out, 0, hi, lo);
  return out;
}

/**
 * DES-EDE3-CBC decryption with PKCS#5 padding removed. Throws on a bad padding, which is what a
 * wrong password looks like (the caller turns that into a user-facing message).
 */
export function des3CbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  if (key.length !== 24) throw new RangeError("3DES key must be 24 bytes");
  if (iv.length !== 8) throw new RangeError("3DES IV must be 8 bytes");
  if (data.length === 0 || data.length % 8 !== 0)
    throw new RangeError("3DES ciphertext must be a non-empty multiple of 8 bytes");
  const k1 = desKeySchedule(key.subarray(0, 8));
  const k2 = desKeySchedule(key.subarray(8, 16));
  const k3 = desKeySchedule(key.subarray(16, 24));
  const out = new Uint8Array(data.length);
  let [pHi, pLo] = readBlock(iv, 0);
  for (let o = 0; o < data.length; o += 8) {
    const [cHi, cLo] = readBlock(data, o);
    let [hi, lo] = desBlock(cHi, cLo, k3, true);
    [hi, lo] = desBlock(hi, lo, k2, false);
    [hi, lo] = desBlock(hi, lo, k1, true);
    writeBlock(out, o, (hi ^ pHi) >>> 0, (lo ^ pLo) >>> 0);
    pHi = cHi;
    pLo = cLo;
  }
  const pad = out[out.length - 1] as number;
  if (pad < 1 || pad > 8) throw new Error("bad padding");
  for (let i = out.length - pad; i < out.length; i++) if (out[i] !== pad) throw new Error("bad padding");
  return out.subarray(0, out.length - pad);
}
