import { and, eq, isNull, sql, type SQL } from "drizzle-orm";
import { idempotencyKeys } from "../schema/system.ts";
import { query, type Statement } from "../statement.ts";

// Idempotency-Key records (migration 0007: one per tenant, user and key). The claim rides in the
// write's own batch, so a key exists iff its write committed.

export type IdempotencyRow = typeof idempotencyKeys.$inferSelect;

/** The (tenant_id, user_id, key) primary key: a live duplicate claim fails on it (23505). */
export const IDEMPOTENCY_PK = "idempotency_keys_tenant_id_user_id_key_pk";

export interface KeyOwner {
  tenantId: string;
  userId: string;
  key: string;
}

export interface Claim extends KeyOwner {
  path: string;
  requestHash: string;
  /** Where the resulting resource can be read: replays re-read it if no body was stored. */
  resourcePath: string;
  status: number;
  ttlHours: number;
}

const owned = (k: KeyOwner) =>
  and(eq(idempotencyKeys.tenantId, k.tenantId), eq(idempotencyKeys.userId, k.userId), eq(idempotencyKeys.key, k.key));

/** Prefix statements of a write's batch: drop the key if it expired, then claim it. */
export function claimKey(claim: Claim): SQL[] {
  return [
    sql`delete from idempotency_keys where tenant_id = ${claim.tenantId}::uuid and user_id = ${claim.userId}::uuid and key = ${claim.key} and expires_at < now()`,
    sql`insert into idempotency_keys (tenant_id, key, user_id, method, path, request_hash, resource_path, status_code, expires_at)
        values (${claim.tenantId}::uuid, ${claim.key}, ${claim.userId}::uuid, 'POST', ${claim.path}, ${claim.requestHash}, ${claim.resourcePath}, ${claim.status},
                now() + make_interval(hours => ${claim.ttlHours}))`,
  ];
}

/** The exact response, for later replays (written after the response). */
export function storeResponse(owner: KeyOwner, status: number, body: unknown): Statement<{ key: string }[]> {
  return query((db) =>
    db
      .update(idempotencyKeys)
      .set({ statusCode: status, responseBody: body })
      .where(owned(owner))
      .returning({ key: idempotencyKeys.key }),
  );
}

/** Drops a claim that has no stored response yet: the request ended before any effect it guards. */
export function releaseClaim(owner: KeyOwner): Statement<{ key: string }[]> {
  return query((db) =>
    db
      .delete(idempotencyKeys)
      .where(and(owned(owner), isNull(idempotencyKeys.responseBody)))
      .returning({ key: idempotencyKeys.key }),
  );
}

export function findKey(owner: KeyOwner): Statement<IdempotencyRow[]> {
  return query((db) => db.select().from(idempotencyKeys).where(owned(owner)));
}
