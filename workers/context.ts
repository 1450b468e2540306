import type { Config, Env } from "../platform/env.ts";
import type { Logger } from "../core/logging/logger.ts";
import type { IdempotencyClaim } from "./http/idempotency.ts";
import type { Role } from "../core/auth/roles.ts";
import type { Timings } from "./http/server-timing.ts";

export interface AuthContext {
  userId: string;
  tenantId: string;
  role: Role;
  email: string | undefined;
}

export interface HonoEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    config: Config;
    logger: Logger;
    auth: AuthContext;
    /** Set by the idempotency middleware when a POST carries `Idempotency-Key`. */
    idempotency: IdempotencyClaim | undefined;
    /** Extra fields merged into the request's single log line. */
    logFields: Record<string, unknown>;
    /** Time spent per segment (recordTiming in http/server-timing.ts); logged and sent as Server-Timing. */
    timings: Timings;
  };
}
