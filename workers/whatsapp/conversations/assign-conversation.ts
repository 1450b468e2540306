import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { tenantUser } from "../../../db/whatsapp/conversation-store.ts";
import type { HonoEnv } from "../../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../../http/openapi-errors.ts";
import { IdParamSchema } from "../../http/params.ts";
import { AppError } from "../../http/problem.ts";
import { readRun } from "../../services.ts";
import { ConversationSchema, objectCall, toConversationFromSummary } from "./conversation-schema.ts";
import { resolveConversation } from "./resolve-conversation.ts";

const BodySchema = z
  .object({
    userId: z.uuid().nullable().openapi({ description: "A user of the tenant, or null to unassign" }),
  })
  .openapi("WhatsAppAssignment");

const route = createRoute({
  method: "post",
  path: "/v1/whatsapp/conversations/{id}/assign",
  tags: ["WhatsApp"],
  summary: "Assign a conversation to a user of the tenant (or unassign it)",
  security: [{ bearerAuth: [] }],
  request: { params: IdParamSchema, body: { required: true, content: { "application/json": { schema: BodySchema } } } },
  responses: {
    200: { description: "The updated conversation", content: { "application/json": { schema: ConversationSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 404, 422),
  },
});

export function registerAssignConversation(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const { userId } = c.req.valid("json");
    const tenantId = c.get("auth").tenantId;
    // The object stores any assignee id and the mirror column has no foreign key: the user is checked here.
    const { conversation, stub } = await resolveConversation(c, c.req.valid("param").id);
    if (userId !== null) {
      const [users] = await readRun(c, [tenantUser(tenantId, userId)]);
      if (users.length === 0)
        throw new AppError("UNPROCESSABLE", "the assignee is not a user of this tenant", {
          errors: [{ path: "body.userId", message: "unknown user" }],
        });
    }
    const summary = await objectCall(() => stub.assign({ userId }));
    return c.json(toConversationFromSummary(summary, conversation), 200);
  });
}
