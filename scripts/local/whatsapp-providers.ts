// Local stand-in for the three WhatsApp send APIs, so `npm test` and `npm start` send real HTTP
// requests without a provider account. One server, three path families:
//   POST /meta/{version}/{phone-number-id}/messages                 Meta Cloud API (Bearer access token)
//   POST /360dialog/messages                                        360dialog Cloud API hosting (D360-API-KEY)
//   POST /twilio/2010-04-01/Accounts/{AccountSid}/Messages.json     Twilio (Basic AccountSid:AuthToken, form)
// Use {url}/meta, {url}/360dialog and {url}/twilio as WHATSAPP_GRAPH_BASE_URL,
// WHATSAPP_360DIALOG_BASE_URL and TWILIO_API_BASE_URL.
//
// It checks what it is sent the way the real APIs do (credentials, required fields, JSON or form
// shapes, wa_id / E.164 recipients) and answers with their bodies and statuses (ids `wamid.…`,
// `SM…`). Credentials: a channel registered with POST /__channels must present exactly its own;
// any other number or account accepts any non-empty credential, except one starting with
// "invalid" (a way to try the credentials error by hand), so a newcomer can send with whatever
// they typed when connecting a channel.
//
// Controls (JSON bodies; `key` names the channel: Meta its phone-number-id, 360dialog its API key,
// Twilio its AccountSid; omitted, a control applies to any channel of that provider):
//   POST /__channels {provider, phoneNumberId?, accessToken?, apiKey?, accountSid?, authToken?, sender?}
//   POST /__fail     {provider, key?, code, times?}  the next matching valid send(s) fail with that
//                    provider error (Meta/360dialog: 131047, 131026, 190, 100, 130429, 131000, 500;
//                    Twilio: 63016, 21211, 20003, 20429, 500)
//   POST /__next-id  {provider, key?, id}            the next matching success answers with this id
//   GET  /__requests?provider=&key=                  the send requests received, oldest first
//   POST /__reset                                    forgets everything above
import { isRecord } from "../../core/whatsapp/send-message.ts";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";

export const FAKE_PROVIDERS = ["meta", "360dialog", "twilio"] as const;
export type FakeProvider = (typeof FAKE_PROVIDERS)[number];

export interface RecordedRequest {
  provider: FakeProvider;
  /** The channel the request was for (phone-number-id, API key or AccountSid). */
  key: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  /** Parsed JSON (Meta, 360dialog) or the form as an object (Twilio); the raw text if neither parses. */
  body: unknown;
  /** What the fake answered. */
  status: number;
  at: number;
}

export interface RegisteredChannel {
  provider: FakeProvider;
  phoneNumberId?: string;
  accessToken?: string;
  apiKey?: string;
  accountSid?: string;
  authToken?: string;
  sender?: string;
}

export interface LocalWhatsAppProviders {
  url: string;
  /** Base URLs to configure the Worker with. */
  baseUrls: { WHATSAPP_GRAPH_BASE_URL: string; WHATSAPP_360DIALOG_BASE_URL: string; TWILIO_API_BASE_URL: string };
  stop(): Promise<void>;
}

interface Answer {
  status: number;
  body: unknown;
}

interface Scoped<T> {
  provider: FakeProvider;
  key: string | undefined;
  value: T;
}

const MAX_BODY_BYTES = 1024 * 1024;
const WA_ID_RE = /^\+?[1-9][0-9]{7,14}$/;
const E164_ADDRESS_RE = /^whatsapp:\+[1-9][0-9]{7,14}$/;
const CONTENT_SID_RE = /^HX[0-9a-fA-F]{32}$/;
const TEMPLATE_NAME_RE = /^[a-z0-9_]{1,512}$/;

// ---- provider errors, as the real APIs write them --------------------------------------------------

const CLOUD_ERRORS: Record<string, { status: number; message: string; details?: string; type?: string }> = {
  "131047": {
    status: 400,
    message: "(#131047) Re-engagement message",
    details:
      "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
  },
  "131026": {
    status: 400,
    message: "(#131026) Message Undeliverable",
    details:
      "Unable to deliver message. Reasons can include: the recipient phone number is not a WhatsApp phone number.",
  },
  "190": { status: 401, message: "Error validating access token: Session has expired.", type: "OAuthException" },
  "100": { status: 400, message: "(#100) Invalid parameter", details: "Parameter value is not valid" },
  "132001": {
    status: 404,
    message: "(#132001) Template name does not exist in the translation",
    details: "template name does not exist in the translation",
  },
  "130429": {
    status: 400,
    message: "(#130429) Rate limit hit",
    details: "Cloud API message throughput has been reached.",
  },
  "131000": { status: 500, message: "(#131000) Something went wrong", details: "Something went wrong" },
  "500": { status: 500, message: "An unknown error has occurred.", type: "OAuthException" },
};

function cloudError(code: string, detailsOverride?: string): Answer {
  const e = CLOUD_ERRORS[code] ?? { status: 400, message: `(#${code}) Error`, details: "Error" };
  const numeric = code === "500" ? 1 : Number(code);
  const details = detailsOverride ?? e.details;
  return {
    status: e.status,
    body: {
      error: {
        message: e.message,
        type: e.type ?? "OAuthException",
        code: numeric,
        ...(details === undefined ? {} : { error_data: { messaging_product: "whatsapp", details } }),
        ...(code === "500" ? { is_transient: true } : {}),
        fbtrace_id: randomBytes(9).toString("base64url"),
      },
    },
  };
}

const TWILIO_ERRORS: Record<string, { status: number; message: string }> = {
  "63016": {
    status: 400,
    message:
      "Failed to send freeform message because you are outside the allowed window. If you are using WhatsApp, please use a Message Template.",
  },
  "21211": { status: 400, message: "The 'To' number is not a valid phone number." },
  "20003": { status: 401, message: "Authenticate" },
  "20429": { status: 429, message: "Too Many Requests" },
  "21619": { status: 400, message: "A text message body or media urls must be specified." },
  "21617": { status: 400, message: "The concatenated message body exceeds the 1600 character limit." },
  "21620": { status: 400, message: "Invalid media URL(s)." },
  "21656": { status: 400, message: "The ContentVariables Parameter is invalid." },
  "21604": { status: 400, message: "A 'To' phone number is required." },
  "21603": { status: 400, message: "A 'From' phone number is required." },
  "63007": { status: 400, message: "Twilio could not find a Channel with the specified From address" },
  "500": { status: 500, message: "An internal server error has occurred." },
};

function twilioError(code: string): Answer {
  const e = TWILIO_ERRORS[code] ?? { status: 400, message: "Error" };
  const numeric = code === "500" ? 20500 : Number(code);
  return {
    status: e.status,
    body: {
      code: numeric,
      message: e.message,
      more_info: `https://www.twilio.com/docs/errors/${numeric}`,
      status: e.status,
    },
  };
}

// ---- request checks -------------------------------------------------------------------------------

/** Meta and 360dialog download media links over "HTTP/HTTPS" (Cloud API media docs); Twilio likewise. */
function isHttpUrl(v: unknown): boolean {
  if (typeof v !== "string") return false;
  try {
    const { protocol } = new URL(v);
    return protocol === "https:" || protocol === "http:";
  } catch {
    return false;
  }
}

/** The Cloud API's checks of a message body (Meta and 360dialog); a reason when it is refused. */
export function cloudBodyProblem(body: unknown): string | null {
  if (!isRecord(body)) return "the body must be a JSON object";
  if (body.messaging_product !== "whatsapp") return 'messaging_product must be "whatsapp"';
  if (body.recipient_type !== undefined && body.recipient_type !== "individual")
    return "recipient_type must be individual";
  if (typeof body.to !== "string" || !WA_ID_RE.test(body.to)) return "to must be a wa_id or phone number";
  switch (body.type) {
    case "text": {
      const t = body.text;
      if (!isRecord(t) || typeof t.body !== "string" || t.body.length === 0) return "text.body is required";
      if (t.body.length > 4096) return "text.body is longer than 4096 characters";
      if (t.preview_url !== undefined && typeof t.preview_url !== "boolean")
        return "text.preview_url must be a boolean";
      return null;
    }
    case "template": {
      const t = body.template;
      if (!isRecord(t) || typeof t.name !== "string" || !TEMPLATE_NAME_RE.test(t.name))
        return "template.name is invalid";
      if (!isRecord(t.language) || typeof t.language.code !== "string" || t.language.code.length === 0)
        return "template.language.code is required";
      if (t.components !== undefined) {
        if (!Array.isArray(t.components)) return "template.components must be an array";
        for (const c of t.components as unknown[]) {
          if (!isRecord(c) || typeof c.type !== "string") return "template.components[].type is required";
          if (c.parameters !== undefined) {
            if (!Array.isArray(c.parameters) || c.parameters.length === 0)
              return "component parameters must be a non-empty array";
            for (const p of c.parameters as unknown[]) {
              if (!isRecord(p) || p.type !== "text" || typeof p.text !== "string" || p.text.length === 0)
                return "a text parameter needs a non-empty text";
            }
          }
        }
      }
      return null;
    }
    case "document": {
      const d = body.document;
      if (!isRecord(d)) return "document is required";
      if (d.link === undefined && d.id === undefined) return "document.link or document.id is required";
      if (d.link !== undefined && !isHttpUrl(d.link)) return "document.link must be an HTTP(S) URL";
      if (d.caption !== undefined && (typeof d.caption !== "string" || d.caption.length > 1024))
        return "document.caption must be text of at most 1024 characters";
      return null;
    }
    default:
      return `unsupported message type ${JSON.stringify(body.type)}`;
  }
}

/** Twilio's checks of a WhatsApp message form: the error code it answers with, or null. */
export function twilioFormProblem(form: URLSearchParams, channel: RegisteredChannel | undefined): string | null {
  const from = form.get("From");
  const to = form.get("To");
  if (!to) return "21604";
  if (!from) return "21603";
  if (!E164_ADDRESS_RE.test(to)) return "21211";
  if (!E164_ADDRESS_RE.test(from) || (channel?.sender !== undefined && channel.sender !== from)) return "63007";
  const body = form.get("Body");
  const media = form.getAll("MediaUrl");
  const contentSid = form.get("ContentSid");
  if (!body && media.length === 0 && !contentSid) return "21619";
  if (body && body.length > 1600) return "21617";
  if (media.some((m) => !isHttpUrl(m))) return "21620";
  if (contentSid !== null) {
    if (!CONTENT_SID_RE.test(contentSid)) return "21656";
    const vars = form.get("ContentVariables");
    if (vars !== null) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(vars);
      } catch {
        return "21656";
      }
      if (!isRecord(parsed) || !Object.values(parsed).every((v) => typeof v === "string")) return "21656";
    }
  }
  return null;
}

/** The convention for numbers and accounts nobody registered: any non-empty credential but "invalid…". */
function acceptedByConvention(credential: string): boolean {
  return credential.length > 0 && !credential.startsWith("invalid");
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

// ---- server -----------------------------------------------------------------------------------------

export async function startWhatsAppProviders(opts: { port: number; host?: string }): Promise<LocalWhatsAppProviders> {
  const host = opts.host ?? "127.0.0.1";
  let requests: RecordedRequest[] = [];
  let channels: RegisteredChannel[] = [];
  let failures: Scoped<{ code: string; times: number }>[] = [];
  let nextIds: Scoped<string>[] = [];

  const take = <T>(list: Scoped<T>[], provider: FakeProvider, key: string): Scoped<T> | undefined =>
    list.find((s) => s.provider === provider && (s.key === undefined || s.key === key));

  function injectedFailure(provider: FakeProvider, key: string): string | undefined {
    const f = take(failures, provider, key);
    if (!f) return undefined;
    f.value.times -= 1;
    if (f.value.times <= 0) failures = failures.filter((x) => x !== f);
    return f.value.code;
  }

  function nextId(provider: FakeProvider, key: string, make: () => string): string {
    const n = take(nextIds, provider, key);
    if (!n) return make();
    nextIds = nextIds.filter((x) => x !== n);
    return n.value;
  }

  function cloudSend(provider: "meta" | "360dialog", key: string, credentialOk: boolean, text: string): Answer {
    if (!credentialOk) {
      return provider === "meta"
        ? cloudError("190")
        : { status: 401, body: { meta: { success: false, http_code: 401, developer_message: "Invalid api_key" } } };
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return cloudError("100", "the request body is not valid JSON");
    }
    const problem = cloudBodyProblem(body);
    if (problem) return cloudError("100", problem);
    const injected = injectedFailure(provider, key);
    if (injected) return cloudError(injected);
    const to = (body as { to: string }).to;
    const id = nextId(provider, key, () => `wamid.${Buffer.from(`HBgN${to}${hex(12)}`).toString("base64")}`);
    const isTemplate = (body as { type: string }).type === "template";
    return {
      status: 200,
      body: {
        messaging_product: "whatsapp",
        contacts: [{ input: to, wa_id: to.replace(/^\+/, "") }],
        messages: [{ id, ...(isTemplate ? { message_status: "accepted" } : {}) }],
      },
    };
  }

  function twilioSend(
    accountSid: string,
    authorization: string | undefined,
    text: string,
    contentType: string,
  ): Answer {
    const channel = channels.find((c) => c.provider === "twilio" && c.accountSid === accountSid);
    const basic = /^Basic (.+)$/.exec(authorization ?? "")?.[1];
    const [user, ...rest] = basic ? Buffer.from(basic, "base64").toString("utf8").split(":") : [];
    const password = rest.join(":");
    const authOk =
      user === accountSid &&
      (channel?.authToken !== undefined ? password === channel.authToken : acceptedByConvention(password));
    if (!authOk) return twilioError("20003");
    if (!contentType.startsWith("application/x-www-form-urlencoded")) return twilioError("21619");
    const form = new URLSearchParams(text);
    const problem = twilioFormProblem(form, channel);
    if (problem) return twilioError(problem);
    const injected = injectedFailure("twilio", accountSid);
    if (injected) return twilioError(injected);
    const sid = nextId("twilio", accountSid, () => `SM${hex(16)}`);
    const now = new Date().toUTCString();
    const media = form.getAll("MediaUrl").length;
    return {
      status: 201,
      body: {
        account_sid: accountSid,
        api_version: "2010-04-01",
        body: form.get("Body") ?? "",
        date_created: now,
        date_sent: null,
        date_updated: now,
        direction: "outbound-api",
        error_code: null,
        error_message: null,
        from: form.get("From"),
        messaging_service_sid: null,
        num_media: String(media),
        num_segments: "1",
        price: null,
        price_unit: null,
        sid,
        status: "queued",
        subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json` },
        to: form.get("To"),
        uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
      },
    };
  }

  function route(
    req: IncomingMessage,
    path: string,
    text: string,
  ): { provider: FakeProvider; key: string; answer: Answer; body: unknown } | null {
    const headers = req.headers;
    let m = /^\/meta\/(v\d+\.\d+)\/([^/]+)\/messages$/.exec(path);
    if (m) {
      const phoneNumberId = decodeURIComponent(m[2]!);
      const token = /^Bearer (.+)$/.exec(headers.authorization ?? "")?.[1] ?? "";
      const channel = channels.find((c) => c.provider === "meta" && c.phoneNumberId === phoneNumberId);
      const ok = channel?.accessToken !== undefined ? token === channel.accessToken : acceptedByConvention(token);
      return {
        provider: "meta",
        key: phoneNumberId,
        answer: cloudSend("meta", phoneNumberId, ok, text),
        body: parsed(text),
      };
    }
    if (path === "/360dialog/messages") {
      const apiKey = String(headers["d360-api-key"] ?? "");
      const registered = channels.some((c) => c.provider === "360dialog" && c.apiKey === apiKey);
      const ok = registered || acceptedByConvention(apiKey);
      return {
        provider: "360dialog",
        key: apiKey,
        answer: cloudSend("360dialog", apiKey, ok, text),
        body: parsed(text),
      };
    }
    m = /^\/twilio\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(path);
    if (m) {
      const accountSid = decodeURIComponent(m[1]!);
      const answer = twilioSend(accountSid, headers.authorization, text, String(headers["content-type"] ?? ""));
      return { provider: "twilio", key: accountSid, answer, body: Object.fromEntries(new URLSearchParams(text)) };
    }
    return null;
  }

  function parsed(text: string): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }

  function control(method: string, path: string, query: URLSearchParams, text: string): Answer | null {
    if (method === "GET" && path === "/__requests") {
      const provider = query.get("provider");
      const key = query.get("key");
      return {
        status: 200,
        body: requests.filter((r) => (!provider || r.provider === provider) && (!key || r.key === key)),
      };
    }
    if (method !== "POST" || !path.startsWith("/__")) return null;
    if (path === "/__reset") {
      requests = [];
      channels = [];
      failures = [];
      nextIds = [];
      return { status: 200, body: { reset: true } };
    }
    const input = parsed(text);
    if (!isRecord(input) || !(FAKE_PROVIDERS as readonly unknown[]).includes(input.provider))
      return { status: 400, body: { error: `provider must be one of ${FAKE_PROVIDERS.join(", ")}` } };
    const provider = input.provider as FakeProvider;
    const key = typeof input.key === "string" ? input.key : undefined;
    switch (path) {
      case "/__channels": {
        const channel: RegisteredChannel = { provider };
        for (const f of ["phoneNumberId", "accessToken", "apiKey", "accountSid", "authToken", "sender"] as const) {
          if (typeof input[f] === "string") channel[f] = input[f];
        }
        const id = channel.phoneNumberId ?? channel.apiKey ?? channel.accountSid;
        if (!id) return { status: 400, body: { error: "a channel needs phoneNumberId, apiKey or accountSid" } };
        channels = channels.filter((c) => (c.phoneNumberId ?? c.apiKey ?? c.accountSid) !== id).concat(channel);
        return { status: 201, body: { registered: true } };
      }
      case "/__fail": {
        const code = typeof input.code === "number" || typeof input.code === "string" ? String(input.code) : "";
        if (!code) return { status: 400, body: { error: "code is required" } };
        const times = typeof input.times === "number" && input.times > 0 ? input.times : 1;
        failures.push({ provider, key, value: { code, times } });
        return { status: 201, body: { failing: code, times } };
      }
      case "/__next-id": {
        if (typeof input.id !== "string" || !input.id) return { status: 400, body: { error: "id is required" } };
        nextIds.push({ provider, key, value: input.id });
        return { status: 201, body: { id: input.id } };
      }
      default:
        return { status: 404, body: { error: "not_found" } };
    }
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
      const send = (a: Answer) => {
        res.writeHead(a.status, { "content-type": "application/json" });
        res.end(JSON.stringify(a.body));
      };
      if (size > MAX_BODY_BYTES) return send({ status: 413, body: { error: "too large" } });
      const ctl = control(req.method ?? "GET", url.pathname, url.searchParams, text);
      if (ctl) return send(ctl);
      const routed = req.method === "POST" ? route(req, url.pathname, text) : null;
      if (!routed) return send({ status: 404, body: { error: "not_found" } });
      requests.push({
        provider: routed.provider,
        key: routed.key,
        method: req.method ?? "POST",
        path: url.pathname,
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
        body: routed.body,
        status: routed.answer.status,
        at: Date.now(),
      });
      send(routed.answer);
    });
    req.on("error", (err: Error) => sendError(res, err));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, host, () => resolve());
  });
  const url = `http://${host}:${opts.port}`;
  return {
    url,
    baseUrls: {
      WHATSAPP_GRAPH_BASE_URL: `${url}/meta`,
      WHATSAPP_360DIALOG_BASE_URL: `${url}/360dialog`,
      TWILIO_API_BASE_URL: `${url}/twilio`,
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sendError(res: ServerResponse, err: Error): void {
  if (res.headersSent) return;
  res.writeHead(400, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: err.message }));
}
