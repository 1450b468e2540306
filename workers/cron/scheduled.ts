import { createLogger } from "../../platform/logger.ts";
import { loadConfig, type Env } from "../../platform/env.ts";
import { runDailyMaintenance } from "./daily-maintenance.ts";
import { sweepOutbox } from "./outbox-sweep.ts";
import { sweepInvoices } from "./invoice-sweep.ts";
import { runMsiReminders } from "./msi-reminders.ts";

// Cron triggers (wrangler.jsonc): every minute the outbox and invoice sweeps; daily at 12:00 UTC (06:00 in
// Mexico City, which has had no DST since 2022) the maintenance run; hourly the MSI reminders and
// morning summary, for the tenants whose local time is 08:00 or later (claims make later runs of
// the day retries only).
export const CRON_EVERY_MINUTE = "* * * * *";
export const CRON_DAILY = "0 12 * * *";
export const CRON_HOURLY = "0 * * * *";

export async function handleScheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
  const config = loadConfig(env);
  const logger = createLogger(config, "crm-cron");
  const waitUntil = (p: Promise<unknown>) => ctx.waitUntil(p);
  switch (controller.cron) {
    case CRON_EVERY_MINUTE:
      // Independent sweeps: one failing does not hold the other back.
      await Promise.all([
        sweepOutbox(env, config, logger, waitUntil),
        sweepInvoices(env, config, logger, waitUntil).catch((err: unknown) =>
          logger.error("invoice sweep failed; the next minute tries again", {}, err),
        ),
      ]);
      return;
    case CRON_DAILY:
      await runDailyMaintenance(env, config, logger, waitUntil, new Date(controller.scheduledTime));
      return;
    case CRON_HOURLY:
      await runMsiReminders(env, config, logger, waitUntil, new Date(controller.scheduledTime));
      return;
    default:
      logger.warn("unknown cron trigger", { cron: controller.cron });
  }
}
