import { describe, expect, it } from "vitest";
import { uuidV5 } from "./name-based-id.ts";

describe("uuidV5", () => {
  it("matches RFC 9562 / Python's uuid.uuid5 for the DNS namespace", async () => {
    // python3 -c 'import uuid; print(uuid.uuid5(uuid.NAMESPACE_DNS, "python.org"))'
    expect(await uuidV5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "python.org")).toBe(
      "886313e1-3b8a-5372-9b90-0c9aee199e5d",
    );
  });

  it("is stable for a name and differs between names", async () => {
    const ns = "0f3b7a52-8e4c-4c55-9d2a-0b8e4c1f5a11";
    expect(await uuidV5(ns, "a")).toBe(await uuidV5(ns, "a"));
    expect(await uuidV5(ns, "a")).not.toBe(await uuidV5(ns, "b"));
  });

  it("refuses a namespace that is not a UUID", async () => {
    await expect(uuidV5("nope", "a")).rejects.toThrow(TypeError);
  });
});
