import { describe, expect, it } from "vitest";
import { amountInWords, integerToSpanishWords } from "./amount-in-words.ts";

describe("amount in words (es-MX)", () => {
  it.each([
    ["1160.00", "MIL CIENTO SESENTA PESOS 00/100 M.N."],
    ["1.00", "UN PESO 00/100 M.N."],
    ["0.50", "CERO PESOS 50/100 M.N."],
    ["21.05", "VEINTIÚN PESOS 05/100 M.N."],
    ["31", "TREINTA Y UN PESOS 00/100 M.N."],
    ["100", "CIEN PESOS 00/100 M.N."],
    ["101", "CIENTO UN PESOS 00/100 M.N."],
    ["116", "CIENTO DIECISÉIS PESOS 00/100 M.N."],
    ["500", "QUINIENTOS PESOS 00/100 M.N."],
    ["1000", "MIL PESOS 00/100 M.N."],
    ["21000", "VEINTIÚN MIL PESOS 00/100 M.N."],
    ["101000", "CIENTO UN MIL PESOS 00/100 M.N."],
    ["3327.01", "TRES MIL TRESCIENTOS VEINTISIETE PESOS 01/100 M.N."],
    ["1000000", "UN MILLÓN DE PESOS 00/100 M.N."],
    ["2000000.10", "DOS MILLONES DE PESOS 10/100 M.N."],
    ["1250000", "UN MILLÓN DOSCIENTOS CINCUENTA MIL PESOS 00/100 M.N."],
    ["1000000000", "MIL MILLONES DE PESOS 00/100 M.N."],
    ["23395.99", "VEINTITRÉS MIL TRESCIENTOS NOVENTA Y CINCO PESOS 99/100 M.N."],
    ["10.005", "DIEZ PESOS 01/100 M.N."],
  ])("%s → %s", (amount, words) => expect(amountInWords(amount)).toBe(words));

  it("names other currencies", () => {
    expect(amountInWords("1.5", "USD")).toBe("UN DÓLAR 50/100 USD");
    expect(amountInWords("1200", "JPY", 0)).toBe("MIL DOSCIENTOS JPY JPY");
  });

  it("uses UNO without a following noun", () => {
    expect(integerToSpanishWords(1n)).toBe("UNO");
    expect(integerToSpanishWords(71n)).toBe("SETENTA Y UNO");
    expect(integerToSpanishWords(1_000_001n)).toBe("UN MILLÓN UNO");
  });
});
