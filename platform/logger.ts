import { Logger, type LogContext } from "../core/logging/logger.ts";
import type { Config } from "./env.ts";

/** The logger of one entry point (`crm-api`, `crm-events`, `crm-cron`, …) at the configured level. */
export function createLogger(config: Config, service: string, context: LogContext = {}): Logger {
  return new Logger({ service, environment: config.ENVIRONMENT, level: config.LOG_LEVEL, context });
}
