import type { CloudEvent } from "../../core/events/cloudevents.ts";
import { jsonByteLength } from "../../core/events/queue-batches.ts";
import { ownerSql } from "./harness.ts";

// The events queue in tests is the real one (workerd's queue, consumed by queues/events-consumer.ts
// in the background). Suites that read what the consumer writes wait for it here, explicitly.

/**
 * Waits until every outbox row of the tenant (or with these ids) is marked delivered by the
 * consumer; fails after `timeoutMs` with how many are still undelivered. The default outlasts one
 * consumer retry (20 s back-off after a failed first attempt, queues/events-consumer.ts).
 */
export async function waitForDelivery(
  rows: { tenantId: string } | { ids: readonly string[] },
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] =
      "ids" in rows
        ? await ownerSql`select count(*)::int as n from outbox where id = any(${[...rows.ids]}::uuid[]) and delivered_at is null`
        : await ownerSql`select count(*)::int as n from outbox where tenant_id = ${rows.tenantId} and delivered_at is null`;
    const undelivered = (row as { n: number }).n;
    if (undelivered === 0) return;
    if (Date.now() > deadline) throw new Error(`${undelivered} outbox rows still undelivered after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface RecordedMessage {
  id: string;
  bytes: number;
  body: CloudEvent;
}

export interface RecordedCall {
  ok: boolean;
  messages: RecordedMessage[];
}

/**
 * Fault injector around the real queue binding: the first `failures` sendBatch calls throw (as a
 * binding outage would) without sending; every other call goes to the real queue. Records every
 * call, so a suite can count what was actually handed over, per event id.
 */
export function flakyQueue(real: Queue<unknown>, failures: number): { queue: Queue<unknown>; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  let left = failures;
  const queue = {
    send: (body: unknown, options?: QueueSendOptions) => real.send(body, options),
    async sendBatch(messages: Iterable<MessageSendRequest<unknown>>, options?: QueueSendBatchOptions) {
      const list = [...messages];
      const recorded = list.map((m) => ({
        id: (m.body as CloudEvent).id,
        bytes: jsonByteLength(m.body),
        body: m.body as CloudEvent,
      }));
      if (left > 0) {
        left -= 1;
        calls.push({ ok: false, messages: recorded });
        throw new Error("injected fault: queue binding unavailable");
      }
      try {
        const result = await real.sendBatch(list, options);
        calls.push({ ok: true, messages: recorded });
        return result;
      } catch (err) {
        calls.push({ ok: false, messages: recorded });
        throw err;
      }
    },
  };
  return { queue: queue as unknown as Queue<unknown>, calls };
}
