import { and, eq } from "drizzle-orm";
import { whatsappConversations } from "../schema/whatsapp.ts";
import { query, type Statement } from "../statement.ts";

// The WhatsApp conversations context's SQL (the mirror of the ConversationDOs, migration 0009).

/** What the API needs to reach a conversation's object: its channel and customer. */
export interface ConversationRef {
  id: string;
  channelId: string | null;
  waId: string | null;
  provider: string;
}

/** A conversation of the tenant by id (RLS as well: another tenant's id finds nothing). */
export function getConversationRef(tenantId: string, id: string): Statement<ConversationRef[]> {
  return query((db) =>
    db
      .select({
        id: whatsappConversations.id,
        channelId: whatsappConversations.channelId,
        waId: whatsappConversations.waId,
        provider: whatsappConversations.provider,
      })
      .from(whatsappConversations)
      .where(and(eq(whatsappConversations.tenantId, tenantId), eq(whatsappConversations.id, id))),
  );
}
