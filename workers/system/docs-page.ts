import { html, raw } from "hono/html";

interface OpenApiOperation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean; description?: string }[];
  responses?: Record<string, { description?: string }>;
}
interface OpenApiDocument {
  info: { title: string; version: string; description?: string };
  paths?: Record<string, Record<string, OpenApiOperation>>;
}

const METHODS = ["get", "post", "put", "patch", "delete"];

/** A self-contained, script-free reference page rendered from the OpenAPI document. */
export function renderDocsPage(doc: OpenApiDocument) {
  const ops = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ path, method: m, op: item[m] as OpenApiOperation })),
  );
  const byTag = new Map<string, typeof ops>();
  for (const o of ops) {
    const tag = o.op.tags?.[0] ?? "Other";
    byTag.set(tag, [...(byTag.get(tag) ?? []), o]);
  }
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${doc.info.title} — API reference</title>
        <style>
          body {
            font:
              16px/1.5 system-ui,
              sans-serif;
            max-width: 60rem;
            margin: 0 auto;
            padding: 1rem;
            color: #1a1a1a;
          }
          h1 {
            font-size: 1.6rem;
          }
          h2 {
            margin-top: 2rem;
            border-bottom: 1px solid #ddd;
          }
          .op {
            border: 1px solid #ddd;
            border-radius: 6px;
            padding: 0.5rem 1rem;
            margin: 0.75rem 0;
          }
          .m {
            display: inline-block;
            min-width: 4.5rem;
            font-weight: 700;
            text-transform: uppercase;
            font-family: monospace;
          }
          code {
            background: #f4f4f4;
            padding: 0 0.25rem;
            border-radius: 3px;
          }
          .muted {
            color: #555;
          }
        </style>
      </head>
      <body>
        <h1>${doc.info.title} <span class="muted">v${doc.info.version}</span></h1>
        <p>${doc.info.description ?? ""}</p>
        <p>
          Machine-readable: <a href="/openapi.json"><code>/openapi.json</code></a> (OpenAPI 3.1). Authenticated routes
          take <code>Authorization: Bearer &lt;Supabase access token&gt;</code>. Errors are RFC 9457
          <code>application/problem+json</code>.
        </p>
        ${raw(
          [...byTag.entries()]
            .map(
              ([tag, list]) =>
                `<h2>${escapeHtml(tag)}</h2>` +
                list
                  .map(
                    ({ path, method, op }) =>
                      `<div class="op"><span class="m">${method}</span> <code>${escapeHtml(path)}</code>` +
                      `${op.security?.length ? ' <span class="muted">(auth)</span>' : ""}` +
                      `<div>${escapeHtml(op.summary ?? "")}</div>` +
                      (op.description ? `<div class="muted">${escapeHtml(op.description)}</div>` : "") +
                      (op.parameters?.length
                        ? `<div>Parameters: ${op.parameters
                            .map(
                              (p) =>
                                `<code>${escapeHtml(p.name)}</code> (${escapeHtml(p.in)}${p.required ? ", required" : ""})`,
                            )
                            .join(", ")}</div>`
                        : "") +
                      `<div class="muted">Responses: ${Object.entries(op.responses ?? {})
                        .map(([s, r]) => `${escapeHtml(s)} ${escapeHtml(r.description ?? "")}`)
                        .join(" · ")}</div></div>`,
                  )
                  .join(""),
            )
            .join(""),
        )}
      </body>
    </html>`;
}

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] ?? ch,
  );
}
