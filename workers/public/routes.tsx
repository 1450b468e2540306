import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { checkFormToken, issueFormToken } from "../../core/public/form-token.ts";
import { isLinkPreviewer } from "../../core/public/link-previewers.ts";
import { buildProposalView } from "../../core/proposals/proposal-view.ts";
import type { HonoEnv } from "../context.ts";
import { AppError } from "../http/problem.ts";
import { parseAcceptForm, parseRejectReason } from "./decision-form.ts";
import { MessagePage, ProposalPage } from "./pages.tsx";
import { invoiceLinks } from "./invoice-links.ts";
import { decide, loadPublicProposal, tokenHashOf, TOKEN_PATTERN, type PublicProposal } from "./public-proposal.ts";
import { keyedRateLimit } from "../middleware/rate-limit.ts";
import { publicLinkPolicy } from "../../core/ratelimit/policies.ts";
import { publicSecurityHeaders } from "./security-headers.ts";
import { PROPOSAL_CSS } from "./styles.ts";
import { registerProposalPdf } from "./proposal-pdf-route.ts";

// Public proposal pages: /p/{token}. No login: the unguessable token is the credential.

function formSecret(c: Context<HonoEnv>): string {
  const secret = c.get("config").PUBLIC_FORM_SECRET;
  if (!secret) throw new AppError("INTERNAL", "PUBLIC_FORM_SECRET is not configured");
  return secret;
}

function notFoundPage(c: Context<HonoEnv>) {
  c.header("cache-control", "private, no-store");
  return c.html(
    <MessagePage
      title="Enlace no encontrado"
      heading="No encontramos esta propuesta"
      message="Revisa que el enlace esté completo. Si lo recibiste por WhatsApp o correo, vuelve a abrirlo desde el mensaje original o pide uno nuevo a quien te lo envió."
    />,
    404,
  );
}

const GONE_TEXT: Record<
  NonNullable<PublicProposal["gone"]>,
  { title: string; heading: (n: string) => string; why: string }
> = {
  expired: { title: "Propuesta vencida", heading: (n) => `La propuesta ${n} ya venció`, why: "Su vigencia terminó" },
  revoked: {
    title: "Propuesta retirada",
    heading: (n) => `La propuesta ${n} ya no está disponible`,
    why: "Quien la envió la retiró",
  },
  suspended: {
    title: "Propuesta no disponible",
    heading: (n) => `La propuesta ${n} no está disponible por ahora`,
    why: "Por el momento no se pueden aceptar ni rechazar propuestas de este vendedor",
  },
};

function gonePage(c: Context<HonoEnv>, p: PublicProposal) {
  c.header("cache-control", "private, no-store");
  const text = GONE_TEXT[p.gone ?? "revoked"];
  return c.html(
    <MessagePage
      title={text.title}
      tenantName={p.view.tenantName}
      heading={text.heading(p.view.number)}
      message={`${text.why}. Para recibir una propuesta actualizada, contacta a ${p.view.tenantName} por el mismo medio por el que recibiste este enlace.`}
    />,
    410,
  );
}

async function renderProposal(
  c: Context<HonoEnv>,
  token: string,
  p: PublicProposal,
  extra: { notice?: string; errors?: Record<string, string>; values?: Record<string, string> } = {},
  status: 200 | 422 = 200,
) {
  if (p.gone) return gonePage(c, p);
  c.header("cache-control", "private, no-store");
  const [formToken, invoice] = await Promise.all([issueFormToken(formSecret(c), p.tokenHash), invoiceLinks(c, p)]);
  return c.html(
    <ProposalPage
      invoice={invoice}
      view={buildProposalView(p.view)}
      token={token}
      formToken={formToken}
      decidable={p.decidable}
      notice={extra.notice}
      errors={extra.errors}
      values={extra.values}
    />,
    status,
  );
}

export function registerPublicPages(app: OpenAPIHono<HonoEnv>): void {
  app.use("/p/*", publicSecurityHeaders);
  // Per link (and per IP, globally): reading and deciding have separate buckets.
  const linkLimit = keyedRateLimit(
    "link",
    async (c) => {
      const token = c.req.param("token");
      if (!token || !TOKEN_PATTERN.test(token)) return undefined;
      const kind = c.req.method === "POST" ? "decide" : "read";
      return `${(await tokenHashOf(token)).slice(0, 32)}:${kind}`;
    },
    (c, scale) => publicLinkPolicy(c.req.method === "POST" ? "decide" : "read", scale),
  );
  // "/p/:token/*" also matches "/p/:token" itself (Hono's wildcard matches nothing too).
  app.use("/p/:token/*", linkLimit);

  app.get("/assets/proposal.css", (c) => {
    c.header("content-type", "text/css; charset=utf-8");
    c.header("cache-control", "public, max-age=3600");
    return c.body(PROPOSAL_CSS);
  });

  // GET renders (and counts a view when a person opens it); HEAD is what link previewers send.
  app.on(["GET", "HEAD"], "/p/:token", async (c) => {
    const token = c.req.param("token");
    if (!TOKEN_PATTERN.test(token)) return notFoundPage(c);
    const person = !isLinkPreviewer(c.req.method, c.req.header("user-agent"));
    c.set("logFields", { ...c.get("logFields"), linkPreviewer: !person });
    const proposal = await loadPublicProposal(c, token, person);
    if (!proposal) return notFoundPage(c);
    const notice = c.req.query("resultado");
    return renderProposal(c, token, proposal, notice ? { notice } : {});
  });

  const decision = (kind: "accept" | "reject") => async (c: Context<HonoEnv>) => {
    const token = c.req.param("token") ?? "";
    if (!TOKEN_PATTERN.test(token)) return notFoundPage(c);
    const form = await c.req.parseBody().catch(() => {
      throw new AppError("BAD_REQUEST", "the form could not be read");
    });
    // The happy path is one round trip (the guarded decision); only a page with an error needs the
    // proposal loaded to render it.
    const tokenHash = await tokenHashOf(token);
    const rerender = async (extra: Parameters<typeof renderProposal>[3]) => {
      const current = await loadPublicProposal(c, token, false);
      if (!current) return notFoundPage(c);
      if (current.gone) return gonePage(c, current);
      return renderProposal(c, token, current, extra, 422);
    };
    const csrf = await checkFormToken(
      formSecret(c),
      tokenHash,
      typeof form.formToken === "string" ? form.formToken : null,
    );
    if (!csrf.ok) {
      c.set("logFields", { ...c.get("logFields"), formToken: csrf.reason });
      return rerender({ notice: "formulario-vencido" });
    }
    let outcome;
    if (kind === "accept") {
      const parsed = parseAcceptForm(form);
      if (!parsed.ok) return rerender({ errors: parsed.errors, values: parsed.values });
      outcome = await decide(c, token, { kind: "accept", input: parsed.input });
    } else {
      outcome = await decide(c, token, { kind: "reject", reason: parseRejectReason(form) });
    }
    if (outcome === "gone") {
      const current = await loadPublicProposal(c, token, false);
      if (current?.gone) return gonePage(c, current);
    }
    if (outcome === "not-found") return notFoundPage(c);
    c.set("logFields", { ...c.get("logFields"), decision: outcome });
    // Post/Redirect/Get: a reload never re-submits, and every tab lands on the final state.
    const result = outcome === "accepted" ? "aceptada" : outcome === "rejected" ? "rechazada" : "sin-cambios";
    return c.redirect(`/p/${token}?resultado=${result}`, 303);
  };
  registerProposalPdf(app, { notFound: notFoundPage, gone: gonePage });
  app.post("/p/:token/accept", decision("accept"));
  app.post("/p/:token/reject", decision("reject"));
}
