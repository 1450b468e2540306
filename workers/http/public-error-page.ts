import type { AppError } from "./problem.ts";
import { PUBLIC_CSP } from "../public/security-headers.ts";

// An error on a public proposal page (rate limited, limiter down, a bug) as a short page in
// Spanish, with the same headers as the pages themselves.

const MESSAGES: Partial<Record<number, [string, string]>> = {
  400: ["Solicitud no válida", "No pudimos leer lo que enviaste. Vuelve a abrir el enlace e inténtalo de nuevo."],
  413: ["Solicitud demasiado grande", "Lo que enviaste es demasiado grande. Vuelve a intentarlo con menos texto."],
  429: [
    "Demasiadas solicitudes",
    "Recibimos muchas solicitudes seguidas para esta propuesta. Espera un momento y vuelve a intentarlo.",
  ],
  503: ["Servicio no disponible por un momento", "No pudimos atenderte ahora. Vuelve a intentarlo en unos segundos."],
};

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] ?? ch,
  );
}

export function publicErrorPage(error: AppError, requestId: string | undefined): Response {
  const [title, message] = MESSAGES[error.status] ?? [
    "Algo salió mal",
    "Tuvimos un problema al mostrar esta propuesta. Vuelve a intentarlo en unos minutos.",
  ];
  const retry = error.headers["retry-after"];
  const html = `<!doctype html>
<html lang="es-MX"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow"><title>${escapeHtml(title)}</title><link rel="stylesheet" href="/assets/proposal.css"></head>
<body><main><section class="card message"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>
${retry ? `<p>Puedes reintentar en ${escapeHtml(retry)} s.</p>` : ""}${requestId ? `<p class="meta">Referencia: ${escapeHtml(requestId)}</p>` : ""}</section></main></body></html>`;
  const headers = new Headers({
    ...error.headers,
    "content-type": "text/html; charset=utf-8",
    "cache-control": "private, no-store",
    "content-security-policy": PUBLIC_CSP,
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
  });
  if (requestId) headers.set("x-request-id", requestId);
  return new Response(html, { status: error.status, headers });
}
