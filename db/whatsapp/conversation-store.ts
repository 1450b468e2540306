import { and, arrayContains, eq, gt, sql, type SQL } from "drizzle-orm";
import { users } from "../schema/tenants.ts";
import { whatsappConversations, whatsappMessages } from "../schema/whatsapp.ts";
import { query, type Statement } from "../statement.ts";

// The WhatsApp conversations context's SQL (the mirror of the ConversationDOs, migration 0009):
// the inbox's reads. The mirror's writes are in conversation-mirror-store.ts.

export type ConversationRow = typeof whatsappConversations.$inferSelect;

/** What the API needs to reach a conversation's object (its channel and customer), and the row's own links. */
export interface ConversationRef {
  id: string;
  channelId: string | null;
  waId: string | null;
  provider: string;
  contactId: string | null;
  leadId: string | null;
  lastMessagePreview: string | null;
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
        contactId: whatsappConversations.contactId,
        leadId: whatsappConversations.leadId,
        lastMessagePreview: whatsappConversations.lastMessagePreview,
      })
      .from(whatsappConversations)
      .where(and(eq(whatsappConversations.tenantId, tenantId), eq(whatsappConversations.id, id))),
  );
}

export interface ConversationListFilter {
  channelId?: string | undefined;
  status?: "open" | "pending" | "closed" | undefined;
  assignedTo?: string | undefined;
  unread?: boolean | undefined;
  tag?: string | undefined;
}

/** Newest activity first; `after` and `orderBy` come from the keyset cursor (workers/http/pagination.ts). */
export function listConversations(
  tenantId: string,
  filter: ConversationListFilter,
  page: { after: SQL | undefined; orderBy: SQL[]; limit: number },
): Statement<ConversationRow[]> {
  const w = whatsappConversations;
  const where: (SQL | undefined)[] = [eq(w.tenantId, tenantId), page.after];
  if (filter.channelId) where.push(eq(w.channelId, filter.channelId));
  if (filter.status) where.push(eq(w.status, filter.status));
  if (filter.assignedTo) where.push(eq(w.assignedTo, filter.assignedTo));
  if (filter.unread) where.push(gt(w.unreadCount, 0));
  if (filter.tag) where.push(arrayContains(w.tags, [filter.tag]));
  return query((db) =>
    db
      .select()
      .from(w)
      .where(and(...where))
      .orderBy(...page.orderBy)
      .limit(page.limit),
  );
}

export interface MessageConversationRef {
  conversationId: string;
  channelId: string | null;
  waId: string | null;
}

/** The conversation holding a provider message id, in this tenant (a status-only placeholder counts). */
export function findMessageConversation(
  tenantId: string,
  providerMessageId: string,
): Statement<MessageConversationRef[]> {
  return query((db) =>
    db
      .select({
        conversationId: whatsappConversations.id,
        channelId: whatsappConversations.channelId,
        waId: whatsappConversations.waId,
      })
      .from(whatsappMessages)
      .innerJoin(whatsappConversations, eq(whatsappConversations.id, whatsappMessages.conversationId))
      .where(and(eq(whatsappMessages.tenantId, tenantId), eq(whatsappMessages.providerMessageId, providerMessageId)))
      .orderBy(sql`${whatsappMessages.messageAt} desc nulls last`)
      .limit(1),
  );
}

/** The user if they belong to the tenant (an assignee must). */
export function tenantUser(tenantId: string, userId: string): Statement<{ id: string }[]> {
  return query((db) =>
    db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.tenantId, tenantId), eq(users.id, userId))),
  );
}
