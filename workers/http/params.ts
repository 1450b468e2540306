import { z } from "@hono/zod-openapi";

/** `{id}` in a route path: a UUID (anything else is a 400 with a field error, never a query). */
export const IdParamSchema = z.object({
  id: z.uuid({ error: "id must be a uuid" }).openapi({ param: { name: "id", in: "path" } }),
});
