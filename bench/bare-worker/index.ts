// The baseline for bench/api.ts: Hono with one route and nothing else, under the same wrangler and
// workerd as the app, so the difference is what the app does per request.
import { Hono } from "hono";

const app = new Hono();
app.get("/", (c) => c.json({ ok: true }));
// bench/whatsapp.ts: a POST that reads its body, beside the app's webhook.
app.post("/", async (c) => {
  await c.req.arrayBuffer();
  return c.json({ received: true });
});

export default app;
