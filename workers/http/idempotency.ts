import type { Context, MiddlewareHandler } from "hono";
import type { SQL } from "drizzle-orm";
import { requestHash } from "../../core/idempotency/request-hash.ts";
import type { HonoEnv } from "../context.ts";
import { AppError } from "./problem.ts";
import { findPgError, renderError } from "./error-handler.ts";
import { unitOfWork } from "../services.ts";
import {
  claimKey,
  findKey,
  IDEMPOTENCY_PK,
  releaseClaim,
  storeResponse,
  type KeyOwner,
} from "../../db/idempotency/idempotency-store.ts";
import type { Statement } from "../../db/statement.ts";

// `Idempotency-Key` on POST (IETF httpapi-idempotency-key draft): the key is claimed inside the
// write's own transaction (so a key exists iff its write committed), the response is replayed for
// the same key and body, and a different body under the same key is 422. Keys live 24 h.

const KEY = /^[\x21-\x7e]{1,255}$/;
export const IDEMPOTENCY_TTL_HOURS = 24;

export interface IdempotencyClaim {
  key: string;
  hash: string;
  /** The route stored its outcome itself (storeOutcome); the middleware does not store it again. */
  stored?: boolean;
}

/**
 * The resource path of a claim whose outcome is known only from its stored response (a message
 * handed to a WhatsApp provider: nothing to re-read). A replay that finds no stored response yet
 * is told the first request is still in progress (409) instead of re-reading anything.
 */
const OUTCOME_ONLY = "-";

export interface WriteTarget {
  /**
   * Where the resulting resource can be read: replays re-read it if no body was stored. Null: the
   * route stores every outcome itself with `storeOutcome` (see OUTCOME_ONLY).
   */
  resourcePath: string | null;
  /** The status of the original success response. */
  status: number;
}

/** Statements prepended to the write's batch. A live duplicate key fails the INSERT (23505), aborting the write. */
export function claimStatements(c: Context<HonoEnv>, target: WriteTarget): SQL[] {
  const claim = c.get("idempotency");
  if (!claim) return [];
  const { tenantId, userId } = c.get("auth");
  return claimKey({
    tenantId,
    userId,
    key: claim.key,
    path: c.req.path,
    requestHash: claim.hash,
    resourcePath: target.resourcePath ?? OUTCOME_ONLY,
    status: target.status,
    ttlHours: IDEMPOTENCY_TTL_HOURS,
  });
}

/**
 * Stores this request's outcome (success or problem) for its claimed key, before answering, for a
 * route whose claim was committed ahead of work that cannot be rolled back (a provider call): a
 * retry with the same key replays it instead of doing the work again. No-op without a key.
 */
export function storeOutcome(c: Context<HonoEnv>, status: number, body: unknown): Promise<void> {
  return settleClaim(c, (owner) => storeResponse(owner, status, body));
}

/**
 * Gives the request's claimed key back when the route failed before doing what the key guards
 * (e.g. a send refused before the provider call): a retry with the same key is then decided
 * afresh, as for every other route, instead of replaying a transient error for 24 h. No-op without a key.
 */
export function releaseOutcome(c: Context<HonoEnv>): Promise<void> {
  return settleClaim(c, releaseClaim);
}

/** Runs the route's own settlement of its claimed key; the middleware then leaves the key alone. */
async function settleClaim(c: Context<HonoEnv>, settle: (owner: KeyOwner) => Statement<unknown>): Promise<void> {
  const claim = c.get("idempotency");
  if (!claim) return;
  const { tenantId, userId } = c.get("auth");
  await unitOfWork(c).run([settle({ tenantId, userId, key: claim.key })]);
  claim.stored = true;
}

/**
 * Thrown by a route whose read found the state its first request left (e.g. the invoice already
 * made): a retry under the same key must replay that request's answer, not refuse the repeat.
 */
class KeyAlreadyClaimed extends Error {
  override name = "KeyAlreadyClaimed";
}

/**
 * For a route about to refuse a request because of what an earlier request did: if this request
 * carries an Idempotency-Key that is already claimed, it is a retry, and the middleware replays the
 * first answer instead. One more round trip, only on that refusal path.
 */
export async function replayIfRetry(c: Context<HonoEnv>): Promise<void> {
  const claim = c.get("idempotency");
  if (!claim) return;
  const { tenantId, userId } = c.get("auth");
  const [rows] = await unitOfWork(c).run([findKey({ tenantId, userId, key: claim.key })]);
  if (rows[0]) throw new KeyAlreadyClaimed("Idempotency-Key already claimed");
}

function isKeyConflict(err: unknown): boolean {
  if (err instanceof KeyAlreadyClaimed) return true;
  const pg = findPgError(err);
  return pg?.code === "23505" && pg.constraint === IDEMPOTENCY_PK;
}

/**
 * @param replayGet re-dispatches a GET of the stored resource path through the app (same auth),
 *   for a replay whose response body was not stored (the write committed but the process stopped first).
 */
export function idempotency(
  replayGet: (c: Context<HonoEnv>, path: string) => Promise<Response>,
): MiddlewareHandler<HonoEnv> {
  return async (c, next) => {
    if (c.req.method !== "POST") return next();
    const key = c.req.header("idempotency-key");
    if (key === undefined) return next();
    if (!KEY.test(key)) {
      throw new AppError("BAD_REQUEST", "Idempotency-Key must be 1–255 visible ASCII characters", {
        errors: [{ path: "header.idempotency-key", message: "invalid" }],
      });
    }
    const hash = await requestHash("POST", c.req.path, await c.req.text());
    c.set("idempotency", { key, hash });
    await next();

    if (c.error && isKeyConflict(c.error)) {
      c.res = await replay(c, key, hash, replayGet);
      return;
    }
    // Store the exact body for later replays, off the response path.
    if (c.get("idempotency")?.stored) return;
    if (c.res.status >= 200 && c.res.status < 300 && c.res.headers.get("content-type")?.includes("json")) {
      const body: unknown = await c.res.clone().json();
      const { tenantId, userId } = c.get("auth");
      c.executionCtx.waitUntil(
        unitOfWork(c)
          .run([storeResponse({ tenantId, userId, key }, c.res.status, body)])
          .catch((err: unknown) => c.get("logger").warn("storing idempotent response failed", {}, err)),
      );
    }
  };
}

async function replay(
  c: Context<HonoEnv>,
  key: string,
  hash: string,
  replayGet: (c: Context<HonoEnv>, path: string) => Promise<Response>,
): Promise<Response> {
  c.error = undefined;
  const { tenantId, userId } = c.get("auth");
  const [rows] = await unitOfWork(c).run([findKey({ tenantId, userId, key })]);
  const stored = rows[0];
  if (!stored)
    return renderError(
      new AppError("CONFLICT", "a request with this Idempotency-Key is in progress; retry shortly"),
      c,
    );
  if (stored.requestHash !== hash || stored.path !== c.req.path) {
    return renderError(
      new AppError("UNPROCESSABLE", "this Idempotency-Key was already used with a different request", {
        extensions: { idempotencyKey: key },
      }),
      c,
    );
  }
  c.set("logFields", { ...c.get("logFields"), idempotentReplay: true });
  const headers = { "idempotent-replayed": "true", "x-request-id": c.get("requestId") };
  if (stored.responseBody !== null && stored.statusCode !== null) {
    const contentType = stored.statusCode >= 400 ? "application/problem+json" : "application/json";
    return new Response(JSON.stringify(stored.responseBody), {
      status: stored.statusCode,
      headers: { ...headers, "content-type": contentType },
    });
  }
  if (stored.resourcePath === OUTCOME_ONLY) {
    return renderError(
      new AppError("CONFLICT", "a request with this Idempotency-Key is in progress; retry shortly"),
      c,
    );
  }
  const res = await replayGet(c, stored.resourcePath ?? c.req.path);
  const out = new Response(res.body, {
    status: res.ok ? (stored.statusCode ?? res.status) : res.status,
    headers: res.headers,
  });
  for (const [k, v] of Object.entries(headers)) out.headers.set(k, v);
  return out;
}
