import { channelRuleViolations, type ChannelShape } from "../../../core/channels/whatsapp-channel.ts";
import { findPgError } from "../../http/error-handler.ts";
import { AppError } from "../../http/problem.ts";
import { takenNumberField } from "../../../db/whatsapp/channel-store.ts";

/** 422 naming every field that breaks the provider's rules (core/channels/whatsapp-channel.ts). */
export function assertChannelRules(channel: ChannelShape): void {
  const violations = channelRuleViolations(channel);
  if (violations.length === 0) return;
  throw new AppError("UNPROCESSABLE", `the channel does not meet the requirements of ${channel.provider}`, {
    errors: violations.map((v) => ({ path: `body.${v.path}`, message: v.message, code: v.code })),
  });
}

/**
 * 409 CHANNEL_NUMBER_TAKEN when a global unique index refused the number (another live channel,
 * in this tenant or another, holds it). Says nothing about who holds it. Undefined for other errors.
 */
export function numberTakenProblem(err: unknown): AppError | undefined {
  const pg = findPgError(err);
  const field = pg?.code === "23505" ? takenNumberField(pg.constraint) : undefined;
  if (!field) return undefined;
  return new AppError("CHANNEL_NUMBER_TAKEN", `this WhatsApp number (${field}) is already connected to a channel`, {
    errors: [{ path: `body.${field}`, message: "este número ya está conectado a otro canal", code: "duplicate" }],
  });
}
