// Local stand-in for a Resend-compatible email API (core/messaging/email.ts), so `npm test` and
// `npm start` send real HTTP requests without a provider account:
//   POST /emails   Authorization: Bearer <the key it was started with>; JSON {from, to, subject, text?, html?}
//                  → 200 {"id": "…"}; 401 for another key; 422 {statusCode, name, message} for a bad body
// Use its url as EMAIL_API_BASE_URL and its key as EMAIL_API_KEY. A repeated Idempotency-Key gets
// the first answer without a second message, as Resend does.
//
// Controls:
//   GET  /__requests?to=       the send requests received (all, or those to one address), oldest first
//   POST /__fail {to?, status?, times?}  the next matching valid send(s) fail with that status (default 500)
//   POST /__reset              forgets requests and failures
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";

export interface RecordedEmail {
  method: string;
  path: string;
  /** The Authorization header is not kept; whether it matched is. */
  authorized: boolean;
  idempotencyKey: string | null;
  body: unknown;
  status: number;
  /** The id answered (null for a refusal). */
  id: string | null;
  at: number;
}

export interface LocalEmailProvider {
  url: string;
  apiKey: string;
  stop(): Promise<void>;
}

interface Answer {
  status: number;
  body: unknown;
}

const MAX_BODY_BYTES = 1024 * 1024;
const ADDRESS_RE = /^(?:[^<>]*<)?[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>?$/;

function error(status: number, name: string, message: string): Answer {
  return { status, body: { statusCode: status, name, message } };
}

/** Checks a send body the way Resend does: from, to (1–50 addresses), subject, and some content. */
function checkBody(body: unknown): { ok: true; to: string[] } | { ok: false; answer: Answer } {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return { ok: false, answer: error(422, "validation_error", "The request body must be a JSON object.") };
  const b = body as Record<string, unknown>;
  if (typeof b.from !== "string" || !ADDRESS_RE.test(b.from))
    return { ok: false, answer: error(422, "validation_error", "Invalid `from` field.") };
  const to = typeof b.to === "string" ? [b.to] : b.to;
  if (
    !Array.isArray(to) ||
    to.length === 0 ||
    to.length > 50 ||
    !to.every((t) => typeof t === "string" && ADDRESS_RE.test(t))
  )
    return { ok: false, answer: error(422, "validation_error", "Invalid `to` field.") };
  if (typeof b.subject !== "string" || b.subject === "")
    return { ok: false, answer: error(422, "missing_required_field", "Missing `subject` field.") };
  if (typeof b.text !== "string" && typeof b.html !== "string")
    return { ok: false, answer: error(422, "missing_required_field", "Missing `html` or `text` field.") };
  return { ok: true, to: to as string[] };
}

export async function startEmailProvider(opts: {
  port: number;
  host?: string;
  apiKey?: string;
}): Promise<LocalEmailProvider> {
  const host = opts.host ?? "127.0.0.1";
  const apiKey = opts.apiKey ?? `re_local_${randomUUID().replaceAll("-", "")}`;
  let requests: (RecordedEmail & { to: string[] })[] = [];
  let failures: { to: string | undefined; status: number; times: number }[] = [];
  let answered = new Map<string, Answer>();

  function send(
    headers: Record<string, string | string[] | undefined>,
    text: string,
  ): { answer: Answer; record: RecordedEmail & { to: string[] } } {
    const authorized = headers.authorization === `Bearer ${apiKey}`;
    const idempotencyKey = typeof headers["idempotency-key"] === "string" ? headers["idempotency-key"] : null;
    let body: unknown;
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      body = text;
    }
    const record = (answer: Answer, to: string[]) => ({
      answer,
      record: {
        method: "POST",
        path: "/emails",
        authorized,
        idempotencyKey,
        body,
        status: answer.status,
        id: answer.status === 200 ? String((answer.body as { id: string }).id) : null,
        at: Date.now(),
        to,
      },
    });
    if (!authorized) return record(error(401, "validation_error", "API key is invalid"), []);
    const checked = checkBody(body);
    if (!checked.ok) return record(checked.answer, []);
    const replay = idempotencyKey ? answered.get(idempotencyKey) : undefined;
    if (replay) return record(replay, checked.to);
    const failure = failures.find((f) => f.times > 0 && (f.to === undefined || checked.to.includes(f.to)));
    if (failure) {
      failure.times -= 1;
      failures = failures.filter((f) => f.times > 0);
      return record(error(failure.status, "application_error", "Something went wrong."), checked.to);
    }
    const answer = { status: 200, body: { id: randomUUID() } };
    if (idempotencyKey) answered.set(idempotencyKey, answer);
    return record(answer, checked.to);
  }

  function control(method: string, url: URL, text: string): Answer | null {
    if (method === "GET" && url.pathname === "/__requests") {
      const to = url.searchParams.get("to");
      return { status: 200, body: requests.filter((r) => to === null || r.to.includes(to)) };
    }
    if (method !== "POST" || !url.pathname.startsWith("/__")) return null;
    if (url.pathname === "/__reset") {
      requests = [];
      failures = [];
      answered = new Map();
      return { status: 201, body: { reset: true } };
    }
    if (url.pathname === "/__fail") {
      let input: Record<string, unknown> = {};
      try {
        input = (JSON.parse(text || "{}") ?? {}) as Record<string, unknown>;
      } catch {
        return { status: 400, body: { error: "JSON body expected" } };
      }
      const status = typeof input.status === "number" && input.status >= 400 ? input.status : 500;
      const times = typeof input.times === "number" && input.times > 0 ? input.times : 1;
      const to = typeof input.to === "string" ? input.to : undefined;
      failures.push({ to, status, times });
      return { status: 201, body: { failing: status, times } };
    }
    return { status: 404, body: { error: "not_found" } };
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://fake.local");
      const text = Buffer.concat(chunks).toString("utf8");
      const reply = (a: Answer) => {
        res.writeHead(a.status, { "content-type": "application/json" });
        res.end(JSON.stringify(a.body));
      };
      if (size > MAX_BODY_BYTES) return reply({ status: 413, body: { error: "too large" } });
      const ctl = control(req.method ?? "GET", url, text);
      if (ctl) return reply(ctl);
      if (req.method !== "POST" || url.pathname !== "/emails")
        return reply({ status: 404, body: { error: "not_found" } });
      const { answer, record } = send(req.headers, text);
      requests.push(record);
      reply(answer);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, host, () => resolve());
  });
  return {
    url: `http://${host}:${opts.port}`,
    apiKey,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
