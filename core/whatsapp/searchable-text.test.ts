import { describe, expect, it } from "vitest";
import { cut, searchableText } from "./searchable-text.ts";

describe("searchableText", () => {
  it("joins the words a message carries, once each", () => {
    expect(searchableText({ text: "Hola" })).toBe("Hola");
    expect(searchableText({ media: { caption: "Factura", filename: "factura.pdf" } })).toBe("Factura · factura.pdf");
    expect(
      searchableText({ interactive: { kind: "list_reply", id: "x", title: "Plan Pro", description: "Anual" } }),
    ).toBe("Plan Pro · Anual");
    expect(searchableText({ button: { text: "Sí" }, text: "Sí" })).toBe("Sí");
    expect(searchableText({ template: { name: "bienvenida", parameters: ["Lupita"] } })).toBe("bienvenida Lupita");
    expect(searchableText({ location: { latitude: 1, longitude: 2, name: "Oficina" } })).toBe("Oficina");
  });

  it("is null without words or without a body", () => {
    expect(searchableText(null)).toBeNull();
    expect(searchableText({})).toBeNull();
    expect(searchableText({ text: "   " })).toBeNull();
  });

  it("cuts long text without splitting an emoji", () => {
    const long = "a".repeat(9) + "😀" + "b".repeat(10);
    expect(cut(long, 11)).toBe("a".repeat(9) + "…");
    expect(cut("corto", 10)).toBe("corto");
    expect(searchableText({ text: "x".repeat(2_000) })!.length).toBe(1_000);
  });
});
