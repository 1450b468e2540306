import { describe, expect, it } from "vitest";
import { api, createTenant, measuredApi, ownerSql, tokenFor } from "../../test/support/harness.ts";
import { createProposal, seedCustomer, seedLead } from "../../test/support/proposal-fixtures.ts";

interface ActivityBody {
  id: string;
  type: string;
  leadId: string | null;
  customerId: string | null;
  proposalId: string | null;
  userId: string | null;
  subject: string | null;
  occurredAt: string;
  pinned: boolean;
  expiresAt: string | null;
  createdAt: string;
}

const DAY = 86_400_000;

describe("activities", () => {
  it("logs, reads, pins, unpins and deletes an activity; 90-day expiry unless pinned", async () => {
    const tenant = await createTenant();
    const userId = crypto.randomUUID();
    const token = await tokenFor(tenant, { userId });
    const leadId = await seedLead(tenant.id);
    const res = await api("/v1/activities", {
      method: "POST",
      token,
      json: {
        type: "call",
        leadId,
        subject: "Llamada de seguimiento",
        body: "Pide cotización",
        occurredAt: "2026-03-02T10:30:00-06:00",
      },
    });
    expect(res.status).toBe(201);
    const a = (await res.json()) as ActivityBody;
    expect(a).toMatchObject({ type: "call", leadId, userId, pinned: false, occurredAt: "2026-03-02T16:30:00.000Z" });
    const ttl = Date.parse(a.expiresAt ?? "") - Date.parse(a.createdAt);
    expect(Math.abs(ttl - 90 * DAY)).toBeLessThan(1000);
    expect(res.headers.get("location")).toBe(`/v1/activities/${a.id}`);
    expect(await (await api(`/v1/activities/${a.id}`, { token })).json()).toEqual(a);

    const pinned = (await (
      await api(`/v1/activities/${a.id}`, { method: "PATCH", token, json: { pinned: true } })
    ).json()) as ActivityBody;
    expect(pinned).toMatchObject({ pinned: true, expiresAt: null });
    const unpinned = (await (
      await api(`/v1/activities/${a.id}`, { method: "PATCH", token, json: { pinned: false, subject: "Llamada (2)" } })
    ).json()) as ActivityBody;
    expect(unpinned).toMatchObject({ pinned: false, subject: "Llamada (2)" });
    expect(Math.abs(Date.parse(unpinned.expiresAt ?? "") - Date.now() - 90 * DAY)).toBeLessThan(60_000);

    const kept = (await (
      await api("/v1/activities", { method: "POST", token, json: { type: "note", leadId, pinned: true } })
    ).json()) as ActivityBody;
    expect(kept.expiresAt).toBeNull();

    const [event] =
      await ownerSql`select event from outbox where tenant_id = ${tenant.id} and type = 'Activity.Created' order by seq limit 1`;
    expect(event?.event).toMatchObject({
      specversion: "1.0",
      type: "Activity.Created",
      source: `/tenants/${tenant.id}/activities`,
      subject: a.id,
      tenantid: tenant.id,
      userid: userId,
    });

    expect((await api(`/v1/activities/${a.id}`, { method: "DELETE", token })).status).toBe(204);
    expect((await api(`/v1/activities/${a.id}`, { token })).status).toBe(404);
  });

  it("lists a record's timeline by lead, customer, proposal, user, type and time, sorted and paged", async () => {
    const tenant = await createTenant();
    const userA = crypto.randomUUID();
    const tokenA = await tokenFor(tenant, { userId: userA });
    const tokenB = await tokenFor(tenant);
    const leadId = await seedLead(tenant.id);
    const customerId = await seedCustomer(tenant.id);
    const proposal = await createProposal(tokenA, { customerId });
    const post = async (token: string, json: Record<string, unknown>) =>
      ((await (await api("/v1/activities", { method: "POST", token, json })).json()) as ActivityBody).id;
    const call = await post(tokenA, { type: "call", leadId, occurredAt: "2026-01-10T12:00:00Z" });
    const meeting = await post(tokenB, { type: "meeting", leadId, customerId, occurredAt: "2026-01-12T12:00:00Z" });
    const email = await post(tokenA, {
      type: "email",
      customerId,
      proposalId: proposal.id,
      occurredAt: "2026-01-11T12:00:00Z",
    });
    const task = await post(tokenB, {
      type: "task",
      proposalId: proposal.id,
      occurredAt: "2026-01-09T12:00:00Z",
      dueAt: "2026-01-20T12:00:00Z",
    });

    const ids = async (qs: string) =>
      ((await (await api(`/v1/activities${qs}`, { token: tokenA })).json()) as { data: ActivityBody[] }).data.map(
        (x) => x.id,
      );
    expect(await ids("")).toEqual([meeting, email, call, task]);
    expect(await ids("?sort=occurred")).toEqual([task, call, email, meeting]);
    expect(await ids("?sort=-created")).toEqual([task, email, meeting, call]);
    expect(await ids(`?leadId=${leadId}`)).toEqual([meeting, call]);
    expect(await ids(`?customerId=${customerId}`)).toEqual([meeting, email]);
    expect(await ids(`?proposalId=${proposal.id}`)).toEqual([email, task]);
    expect(await ids(`?userId=${userA}`)).toEqual([email, call]);
    expect(await ids("?type=task")).toEqual([task]);
    expect(
      await ids(
        `?occurredFrom=${encodeURIComponent("2026-01-10T00:00:00Z")}&occurredTo=${encodeURIComponent("2026-01-12T00:00:00Z")}`,
      ),
    ).toEqual([email, call]);
    const first = (await (await api("/v1/activities?limit=3", { token: tokenA })).json()) as {
      data: ActivityBody[];
      nextCursor: string;
    };
    expect(first.data.map((x) => x.id)).toEqual([meeting, email, call]);
    expect(await ids(`?limit=3&cursor=${first.nextCursor}`)).toEqual([task]);
  });

  it("list, get and create each cost one database round trip", async () => {
    const tenant = await createTenant();
    const token = await tokenFor(tenant);
    const leadId = await seedLead(tenant.id);
    const create = await measuredApi("/v1/activities", {
      method: "POST",
      token,
      json: { type: "note", leadId, body: "Nota" },
    });
    expect(create.res.status).toBe(201);
    expect(create.roundTrips).toBe(1);
    const id = ((await create.res.json()) as ActivityBody).id;
    expect((await measuredApi("/v1/activities", { token })).roundTrips).toBe(1);
    expect((await measuredApi(`/v1/activities/${id}`, { token })).roundTrips).toBe(1);
    expect(
      (await measuredApi(`/v1/activities/${id}`, { method: "PATCH", token, json: { pinned: true } })).roundTrips,
    ).toBe(1);
    expect((await measuredApi(`/v1/activities/${id}`, { method: "DELETE", token })).roundTrips).toBe(1);
  });
});
