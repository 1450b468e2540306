// The text of a WhatsApp message a person would search for or see in an inbox preview: what the
// customer typed, a caption, the title of the button or list row they tapped, a place's name, a
// shared contact's name, a template's name and parameters. Runtime-free: the Postgres mirror
// (whatsapp_messages.text) and the inbox API derive it the same way.
import type { InboundMessage } from "./events.ts";

/** Bound on whatsapp_messages.text: enough to find a message, far below a body's size limits. */
export const MAX_SEARCHABLE_TEXT_CHARS = 1_000;
/** Bound on whatsapp_conversations.last_message_preview (one inbox line). */
export const MAX_PREVIEW_CHARS = 160;

/** The parts of a stored message's content that carry words (inbound and outbound shapes). */
export type SearchableContent = Partial<
  Pick<InboundMessage, "text" | "interactive" | "button" | "location" | "contacts" | "order" | "system">
> & {
  media?: { caption?: string; filename?: string } | undefined;
  template?: { name: string; parameters: string[] } | undefined;
};

/** Null when the message carries no words (a sticker, a reaction, a purged body). */
export function searchableText(content: SearchableContent | null, max = MAX_SEARCHABLE_TEXT_CHARS): string | null {
  if (content === null) return null;
  const parts: (string | undefined)[] = [
    content.text,
    content.media?.caption,
    content.media?.filename,
    content.interactive?.title,
    content.interactive?.description,
    content.button?.text,
    content.location?.name,
    content.location?.address,
    ...(content.contacts ?? []).map((c) => c.name),
    content.order?.text,
    content.system?.body,
    content.template ? [content.template.name, ...content.template.parameters].join(" ") : undefined,
  ];
  const seen = new Set<string>();
  const words: string[] = [];
  for (const part of parts) {
    const trimmed = part?.trim();
    if (!trimmed || seen.has(trimmed)) continue;
    seen.add(trimmed);
    words.push(trimmed);
  }
  return words.length === 0 ? null : cut(words.join(" · "), max);
}

/** At most `max` UTF-16 units, never splitting a surrogate pair (an emoji cut in half is invalid text in Postgres). */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}
