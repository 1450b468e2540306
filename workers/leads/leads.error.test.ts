import { describe, expect, it } from "vitest";
import { api, createTenant, ownerSql, problem, tokenFor } from "../../test/support/harness.ts";

interface Lead {
  id: string;
  status: string;
  version: number;
  contactId: string | null;
}
type Problem = Awaited<ReturnType<typeof problem>> & {
  allowedTransitions?: string[];
  currentStatus?: string;
  existingId?: string;
};

const json = async <T>(res: Response): Promise<T> => (await res.json()) as T;

async function leadIn(token: string, status: "new" | "contacted" | "qualified" | "converted" | "lost"): Promise<Lead> {
  const lead = await json<Lead>(
    await api("/v1/leads", { method: "POST", token, json: { title: `Prospecto ${status}` } }),
  );
  const steps: Record<string, [string, unknown?][]> = {
    new: [],
    contacted: [["contact"]],
    qualified: [["qualify"]],
    converted: [["qualify"], ["convert"]],
    lost: [["lose", { reason: "Sin presupuesto" }]],
  };
  for (const [action, body] of steps[status] ?? []) {
    const res = await api(`/v1/leads/${lead.id}/${action}`, { method: "POST", token, ...(body ? { json: body } : {}) });
    expect(res.status, action).toBe(200);
  }
  return lead;
}

describe("leads: transitions that are not allowed", () => {
  it("answers 409 listing the allowed transitions, and changes nothing", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const cases: [Parameters<typeof leadIn>[1], string, string[]][] = [
      ["new", "convert", ["contacted", "qualified", "lost"]],
      ["contacted", "contact", ["qualified", "lost"]],
      ["qualified", "contact", ["converted", "lost"]],
      ["qualified", "qualify", ["converted", "lost"]],
      ["lost", "qualify", []],
      ["converted", "lose", []],
      ["converted", "convert", []],
    ];
    for (const [status, action, allowed] of cases) {
      const lead = await leadIn(token, status);
      const [before] = await ownerSql`select status, version, updated_at from leads where id = ${lead.id}`;
      const outboxBefore = await ownerSql`select count(*)::int as n from outbox where tenant_id = ${tenant.id}`;
      const res = await api(`/v1/leads/${lead.id}/${action}`, {
        method: "POST",
        token,
        ...(action === "lose" ? { json: { reason: "x" } } : {}),
      });
      expect(res.status, `${status} → ${action}`).toBe(409);
      const body = (await problem(res)) as Problem;
      expect(body.allowedTransitions, `${status} → ${action}`).toEqual(allowed);
      expect(body.currentStatus).toBe(status);
      expect(await ownerSql`select status, version, updated_at from leads where id = ${lead.id}`).toEqual([before]);
      expect(await ownerSql`select count(*)::int as n from outbox where tenant_id = ${tenant.id}`).toEqual(
        outboxBefore,
      );
    }
  });

  it("a refused move does not consume its Idempotency-Key: the retry is refused again and the lead is unchanged", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const cases: [Parameters<typeof leadIn>[1], string][] = [
      ["contacted", "contact"],
      ["lost", "qualify"],
      ["converted", "lose"],
      ["new", "convert"],
    ];
    for (const [status, action] of cases) {
      const lead = await leadIn(token, status);
      const [before] = await ownerSql`select status, version, updated_at from leads where id = ${lead.id}`;
      const key = `refused-${action}-${lead.id}`;
      const init = {
        method: "POST",
        token,
        headers: { "idempotency-key": key },
        ...(action === "lose" ? { json: { reason: "x" } } : {}),
      };
      for (const attempt of ["first", "retry"]) {
        const res = await api(`/v1/leads/${lead.id}/${action}`, init);
        expect(res.status, `${status} → ${action} (${attempt})`).toBe(409);
        expect(res.headers.get("idempotent-replayed"), attempt).toBeNull();
        expect(((await problem(res)) as Problem).currentStatus).toBe(status);
      }
      expect(
        await ownerSql`select count(*)::int as n from idempotency_keys where tenant_id = ${tenant.id} and key = ${key}`,
      ).toEqual([{ n: 0 }]);
      expect(await ownerSql`select status, version, updated_at from leads where id = ${lead.id}`).toEqual([before]);
    }
  });

  it("a move's Idempotency-Key still replays a move that happened", async () => {
    const token = await tokenFor(await createTenant());
    const lead = await leadIn(token, "new");
    const init = { method: "POST", token, headers: { "idempotency-key": `ok-${lead.id}` } };
    const first = await api(`/v1/leads/${lead.id}/qualify`, init);
    expect(first.status).toBe(200);
    const again = await api(`/v1/leads/${lead.id}/qualify`, init);
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(((await again.json()) as Lead).status).toBe("qualified");
  });

  it("requires a reason to lose a lead", async () => {
    const token = await tokenFor(await createTenant());
    const lead = await leadIn(token, "new");
    for (const init of [{}, { json: {} }, { json: { reason: "   " } }]) {
      const res = await api(`/v1/leads/${lead.id}/lose`, { method: "POST", token, ...init });
      expect(res.status, JSON.stringify(init)).toBe(400);
    }
    expect(await ownerSql`select status from leads where id = ${lead.id}`).toEqual([{ status: "new" }]);
  });

  it("answers 404 for a lead that does not exist", async () => {
    const token = await tokenFor(await createTenant());
    for (const action of ["contact", "qualify", "convert"]) {
      expect((await api(`/v1/leads/${crypto.randomUUID()}/${action}`, { method: "POST", token })).status, action).toBe(
        404,
      );
    }
    expect(
      (await api(`/v1/leads/${crypto.randomUUID()}/lose`, { method: "POST", token, json: { reason: "x" } })).status,
    ).toBe(404);
    expect((await api("/v1/leads/no-uuid/qualify", { method: "POST", token })).status).toBe(400);
  });
});

describe("leads: convert with bad fiscal data", () => {
  it("is a 422 with Spanish field errors and writes nothing: lead unchanged, no customer, no event", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const lead = await leadIn(token, "qualified");
    const [before] =
      await ownerSql`select status, version, converted_customer_id, updated_at from leads where id = ${lead.id}`;
    const events = await ownerSql`select count(*)::int as n from outbox where tenant_id = ${tenant.id}`;
    const cases: [Record<string, unknown>, string[]][] = [
      [{ rfc: "NOESUNRFC" }, ["body.rfc"]],
      [{ rfc: "CSR100231QW2" }, ["body.rfc"]], // 31 de febrero
      [{ rfc: "CSR100825QW2", regimenFiscal: "612" }, ["body.regimenFiscal"]],
      [{ rfc: "XAXX010101000", usoCfdi: "G03" }, ["body.usoCfdi"]],
      [{ codigoPostal: "123" }, ["body.codigoPostal"]],
    ];
    for (const [body, paths] of cases) {
      const res = await api(`/v1/leads/${lead.id}/convert`, { method: "POST", token, json: body });
      expect(res.status, JSON.stringify(body)).toBe(422);
      const p = await problem(res);
      expect(p.errors?.map((e) => e.path)).toEqual(paths);
    }
    const bad = await api(`/v1/leads/${lead.id}/convert`, {
      method: "POST",
      token,
      json: { whatsappPhone: "12", email: "x" },
    });
    expect(bad.status).toBe(400);
    expect(
      await ownerSql`select status, version, converted_customer_id, updated_at from leads where id = ${lead.id}`,
    ).toEqual([before]);
    expect(await ownerSql`select count(*)::int as n from customers where tenant_id = ${tenant.id}`).toEqual([{ n: 0 }]);
    expect(await ownerSql`select count(*)::int as n from outbox where tenant_id = ${tenant.id}`).toEqual(events);
  });
});

describe("leads: bad input", () => {
  it("rejects status and score in PATCH and create", async () => {
    const token = await tokenFor(await createTenant());
    const lead = await leadIn(token, "new");
    for (const body of [{ status: "qualified" }, { score: 99 }]) {
      const res = await api(`/v1/leads/${lead.id}`, { method: "PATCH", token, json: body });
      expect(res.status).toBe(400);
      expect((await problem(res)).errors?.map((e) => e.path)).toEqual([`body.${Object.keys(body)[0]}`]);
    }
    expect((await api("/v1/leads", { method: "POST", token, json: { title: "X", status: "converted" } })).status).toBe(
      400,
    );
    expect(await ownerSql`select status, score, version from leads where id = ${lead.id}`).toEqual([
      { status: "new", score: null, version: 1 },
    ]);
  });

  it("answers 412 to a stale If-Match and changes nothing", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const lead = await leadIn(token, "new");
    await api(`/v1/leads/${lead.id}`, { method: "PATCH", token, json: { industry: "Salud" } });
    for (const ifMatch of ['"v1"', '"v9"', "garbage"]) {
      const res = await api(`/v1/leads/${lead.id}`, {
        method: "PATCH",
        token,
        headers: { "if-match": ifMatch },
        json: { industry: "Otra" },
      });
      expect(res.status, ifMatch).toBe(412);
    }
    expect(await ownerSql`select industry, version from leads where id = ${lead.id}`).toEqual([
      { industry: "Salud", version: 2 },
    ]);
    expect(
      (await ownerSql`select type from outbox where tenant_id = ${tenant.id} order by seq`).map((e) => e.type),
    ).toEqual(["Lead.Created", "Lead.Updated"]);
    expect(
      (
        await api(`/v1/leads/${crypto.randomUUID()}`, {
          method: "PATCH",
          token,
          headers: { "if-match": '"v1"' },
          json: { industry: "X" },
        })
      ).status,
    ).toBe(404);
  });

  it("reports a duplicate inline contact with the existing id and creates nothing", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const existing = await json<{ id: string }>(
      await api("/v1/contacts", {
        method: "POST",
        token,
        json: { firstName: "Ana", email: "ana@dup.mx", phone: "5512345678" },
      }),
    );
    for (const contact of [
      { firstName: "Otra", email: "ANA@dup.mx" },
      { firstName: "Otra", phone: "+52 55 1234 5678" },
    ]) {
      const res = await api("/v1/leads", { method: "POST", token, json: { title: "Dup", contact } });
      expect(res.status).toBe(409);
      const body = (await problem(res)) as Problem;
      expect(body.existingId).toBe(existing.id);
    }
    expect(await ownerSql`select count(*)::int as n from leads where tenant_id = ${tenant.id}`).toEqual([{ n: 0 }]);
    expect(await ownerSql`select count(*)::int as n from contacts where tenant_id = ${tenant.id}`).toEqual([{ n: 1 }]);
  });

  it("validates money, references, RFC, custom fields and filters without a 500", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const bad400: Record<string, unknown>[] = [
      { title: "" },
      { title: "X", estimatedValue: 1500.5 },
      { title: "X", estimatedValue: "12.345" },
      { title: "X", estimatedValue: "-1" },
      { title: "X", estimatedValue: "1e5" },
      { title: "X", currency: "pesos" },
      { title: "X", contactId: crypto.randomUUID(), contact: { firstName: "A" } },
      { title: "X", customFields: { blob: "x".repeat(9000) } },
      { title: "X", nextFollowUpAt: "mañana" },
      { title: "X", contact: { firstName: "A", phone: "12" } },
    ];
    for (const body of bad400)
      expect(
        (await api("/v1/leads", { method: "POST", token, json: body })).status,
        JSON.stringify(body).slice(0, 80),
      ).toBe(400);
    const refs: [Record<string, unknown>, string][] = [
      [{ contactId: crypto.randomUUID() }, "body.contactId"],
      [{ sourceId: crypto.randomUUID() }, "body.sourceId"],
      [{ ownerId: crypto.randomUUID() }, "body.ownerId"],
      [{ companyRfc: "ABC" }, "body.companyRfc"],
    ];
    for (const [extra, path] of refs) {
      const res = await api("/v1/leads", { method: "POST", token, json: { title: "X", ...extra } });
      expect(res.status, path).toBe(422);
      expect((await problem(res)).errors?.map((e) => e.path)).toEqual([path]);
    }
    expect(await ownerSql`select count(*)::int as n from leads where tenant_id = ${tenant.id}`).toEqual([{ n: 0 }]);
    const lead = await leadIn(token, "new");
    expect(
      (await api(`/v1/leads/${lead.id}`, { method: "PATCH", token, json: { ownerId: crypto.randomUUID() } })).status,
    ).toBe(422);
    for (const query of [
      "status=won",
      "minScore=101",
      "maxScore=-1",
      "ownerId=yo",
      "sort=title",
      "cursor=garbage",
      "limit=201",
      "createdFrom=ayer",
    ]) {
      expect((await api(`/v1/leads?${query}`, { token })).status, query).toBe(400);
    }
  });
});
