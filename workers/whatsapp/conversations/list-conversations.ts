import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { CONVERSATION_STATUSES, MAX_TAG_CHARS } from "../../../core/whatsapp/conversation-rules.ts";
import { whatsappConversations } from "../../../db/schema/whatsapp.ts";
import { listConversations } from "../../../db/whatsapp/conversation-store.ts";
import type { HonoEnv } from "../../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../../http/openapi-errors.ts";
import { keyset, ListQuerySchema, page, pageSchema, type SortSpec } from "../../http/pagination.ts";
import { readRun } from "../../services.ts";
import { ConversationSchema, toConversationFromRow } from "./conversation-schema.ts";

const QuerySchema = ListQuerySchema.extend({
  channelId: z.uuid().optional(),
  status: z.enum(CONVERSATION_STATUSES).optional(),
  assignedTo: z.uuid().optional(),
  unread: z
    .enum(["true", "false"])
    .optional()
    .openapi({ description: "true: only conversations with unread messages" }),
  tag: z.string().trim().min(1).max(MAX_TAG_CHARS).optional(),
});

const route = createRoute({
  method: "get",
  path: "/v1/whatsapp/conversations",
  tags: ["WhatsApp"],
  summary: "List WhatsApp conversations (newest activity first)",
  description:
    "The inbox, from the Postgres mirror of the conversations: eventually consistent with them (usually within a second of a message).",
  security: [{ bearerAuth: [] }],
  request: { query: QuerySchema },
  responses: {
    200: {
      description: "A page of conversations",
      content: { "application/json": { schema: pageSchema(ConversationSchema, "WhatsAppConversationPage") } },
    },
    ...problemResponses(...AUTHENTICATED_ERRORS),
  },
});

// "occurred": the last activity (last message), the cursor's timestamp sort.
const SORT: SortSpec = { field: "occurred", direction: "desc" };

export function registerListConversations(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const { where: after, orderBy } = keyset(
      SORT,
      whatsappConversations.lastMessageAt,
      whatsappConversations.id,
      query.cursor,
    );
    const [rows] = await readRun(c, [
      listConversations(
        c.get("auth").tenantId,
        {
          channelId: query.channelId,
          status: query.status,
          assignedTo: query.assignedTo,
          unread: query.unread === "true",
          tag: query.tag,
        },
        { after, orderBy, limit: query.limit + 1 },
      ),
    ]);
    const result = page(rows, query.limit, SORT, (r) => ({ value: r.lastMessageAt, id: r.id }));
    return c.json({ data: result.data.map(toConversationFromRow), nextCursor: result.nextCursor }, 200);
  });
}
