// The baseline for bench/api.ts: Hono with one route and nothing else, under the same wrangler and
// workerd as the app, so the difference is what the app does per request.
import { Hono } from "hono";

const app = new Hono();
app.get("/", (c) => c.json({ ok: true }));

export default app;
