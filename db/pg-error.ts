// Postgres errors as the drivers throw them, for every entry point that maps one to an outcome.

export interface PgLikeError {
  code: string;
  message: string;
  constraint?: string;
  detail?: string;
}

function isPgError(err: unknown): err is PgLikeError {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code);
}

/** The Postgres error behind `err` (drivers and drizzle wrap it in `cause`), if any. */
export function findPgError(err: unknown): PgLikeError | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isPgError(e)) return e;
  }
  return undefined;
}
