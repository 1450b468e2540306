import { describe, expect, it } from "vitest";
import { EVENT_TYPES } from "./cloudevents.ts";
import { STREAMS, streamOf, uncoveredTypes } from "./streams.ts";

describe("JetStream streams", () => {
  it("capture every event type in exactly one stream", () => {
    expect(uncoveredTypes()).toEqual([]);
    for (const type of EVENT_TYPES) {
      const prefix = type.split(".")[0]!.toLowerCase();
      expect(
        STREAMS.filter((s) => s.subjects.includes(`${prefix}.>`)),
        type,
      ).toHaveLength(1);
    }
  });

  it("keep the seed's retention", () => {
    const days = (name: string) => Number(STREAMS.find((s) => s.name === name)!.maxAgeNs / (86_400n * 1_000_000_000n));
    expect([
      days("LEAD_EVENTS"),
      days("PROPOSAL_EVENTS"),
      days("CFDI_EVENTS"),
      days("WHATSAPP_EVENTS"),
      days("AI_EVENTS"),
    ]).toEqual([7, 30, 1827, 90, 7]);
    expect(streamOf("MSI.InstallmentPaid")?.name).toBe("MSI_EVENTS");
    expect(streamOf("CFDI.Stamped")?.subjects).toEqual(["cfdi.>"]);
  });
});
