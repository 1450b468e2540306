import { describe, expect, it } from "vitest";
import {
  addDays,
  currentReminderKind,
  localHour,
  reminderDaysBefore,
  reminderMessage,
  spanishDate,
  twilioContentSid,
} from "./reminders.ts";

describe("currentReminderKind", () => {
  const due = "2027-01-15";
  it("gives each kind its window around the due date", () => {
    const kinds = Array.from({ length: 20 }, (_, i) => {
      const today = addDays(due, i - 5);
      return [today, currentReminderKind(due, today, 3)];
    });
    expect(kinds).toEqual([
      ["2027-01-10", null],
      ["2027-01-11", null],
      ["2027-01-12", "before"],
      ["2027-01-13", "before"],
      ["2027-01-14", "before"],
      ["2027-01-15", "due"],
      ["2027-01-16", "overdue_1"],
      ["2027-01-17", "overdue_1"],
      ["2027-01-18", "overdue_1"],
      ["2027-01-19", "overdue_1"],
      ["2027-01-20", "overdue_1"],
      ["2027-01-21", "overdue_1"],
      ["2027-01-22", "overdue_7"],
      ["2027-01-23", "overdue_7"],
      ["2027-01-24", "overdue_7"],
      ["2027-01-25", "overdue_7"],
      ["2027-01-26", "overdue_7"],
      ["2027-01-27", "overdue_7"],
      ["2027-01-28", "overdue_7"],
      ["2027-01-29", null],
    ]);
  });

  it("crosses month ends and leap days by the calendar", () => {
    expect(currentReminderKind("2028-03-01", "2028-02-29", 1)).toBe("before");
    expect(currentReminderKind("2028-02-29", "2028-03-07", 3)).toBe("overdue_7");
    expect(currentReminderKind("2027-02-28", "2027-03-01", 3)).toBe("overdue_1");
    expect(currentReminderKind("2027-01-31", "2027-01-28", 3)).toBe("before");
    expect(currentReminderKind("2027-01-31", "2027-01-27", 3)).toBeNull();
  });
});

describe("settings", () => {
  it("reads reminderDaysBefore (1–30), else 3", () => {
    expect(reminderDaysBefore({ msi: { reminderDaysBefore: 5 } })).toBe(5);
    for (const bad of [
      {},
      null,
      { msi: { reminderDaysBefore: 0 } },
      { msi: { reminderDaysBefore: "5" } },
      { msi: { reminderDaysBefore: 2.5 } },
      { msi: { reminderDaysBefore: 31 } },
    ])
      expect(reminderDaysBefore(bad)).toBe(3);
  });

  it("reads a Twilio Content SID per kind", () => {
    const sid = "HX0123456789abcdef0123456789abcdef";
    expect(twilioContentSid({ msi: { twilioContentSids: { due: sid } } }, "due")).toBe(sid);
    expect(twilioContentSid({ msi: { twilioContentSids: { due: sid } } }, "before")).toBeNull();
    expect(twilioContentSid({ msi: { twilioContentSids: { due: "nope" } } }, "due")).toBeNull();
  });
});

describe("dates and hours", () => {
  it("writes dates in Spanish", () => {
    expect(spanishDate("2027-01-15")).toBe("15 de enero de 2027");
    expect(spanishDate("2028-02-29")).toBe("29 de febrero de 2028");
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDays("2028-03-01", -1)).toBe("2028-02-29");
  });

  it("tells the local hour in each zone", () => {
    const now = new Date("2027-07-01T15:00:00Z");
    expect(localHour(now, "America/Mexico_City")).toBe(9);
    expect(localHour(now, "America/Cancun")).toBe(10);
    expect(localHour(now, "America/Hermosillo")).toBe(8);
    expect(localHour(now, "America/Tijuana")).toBe(8); // PDT, UTC-7
    expect(localHour(new Date("2027-01-01T15:00:00Z"), "America/Tijuana")).toBe(7); // PST
  });
});

describe("reminderMessage", () => {
  const base = {
    customerName: "CLINICA SAN RAFAEL",
    number: 2,
    count: 6,
    amount: "$1,234.56 MXN",
    dueDate: "2027-01-15",
    today: "2027-01-12",
  };
  it("says each kind in Spanish, with the amount and the date", () => {
    expect(reminderMessage({ ...base, kind: "before" }).text).toContain(
      "Recordatorio: tu mensualidad 2 de 6 por $1,234.56 MXN vence el 15 de enero de 2027.",
    );
    expect(reminderMessage({ ...base, kind: "due", today: "2027-01-15" }).text).toContain(
      "Recordatorio: tu mensualidad 2 de 6 por $1,234.56 MXN vence hoy, 15 de enero de 2027.",
    );
    expect(reminderMessage({ ...base, kind: "overdue_1", today: "2027-01-16" }).text).toContain(
      "venció el 15 de enero de 2027 y sigue pendiente de pago.",
    );
    expect(reminderMessage({ ...base, kind: "overdue_7", today: "2027-01-23" }).text).toContain("lleva 8 días");
  });

  it("fills the kind's template and escapes the HTML", () => {
    const m = reminderMessage({ ...base, customerName: "A&B <SA>", kind: "due" });
    expect(m.template).toEqual({
      name: "msi_recordatorio_vence_hoy",
      language: "es_MX",
      parameters: ["A&B <SA>", "2 de 6", "$1,234.56 MXN", "15 de enero de 2027"],
    });
    expect(m.html).toContain("A&amp;B &lt;SA&gt;");
  });
});
