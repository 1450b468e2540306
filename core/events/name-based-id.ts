/**
 * Name-based UUIDs (RFC 9562 §5.5, version 5: SHA-1 over namespace bytes + name): the same name
 * always gives the same id, so an event re-emitted or re-pushed for the same fact carries the id its
 * first copy had and consumers deduplicate it (outbox primary key, NATS `Nats-Msg-Id`). SHA-1 is
 * what the RFC specifies for v5; nothing here relies on it resisting collisions by an adversary.
 */
import { hexFromBytes } from "../encoding/digest.ts";
import { isUuid } from "./cloudevents.ts";

export async function uuidV5(namespace: string, name: string): Promise<string> {
  if (!isUuid(namespace)) throw new TypeError(`namespace must be a UUID: ${namespace}`);
  const ns = namespace.replace(/-/g, "");
  const nameBytes = new TextEncoder().encode(name);
  const input = new Uint8Array(16 + nameBytes.length);
  for (let i = 0; i < 16; i++) input[i] = parseInt(ns.slice(i * 2, i * 2 + 2), 16);
  input.set(nameBytes, 16);
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-1", input)).slice(0, 16);
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hexFromBytes(hash);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
