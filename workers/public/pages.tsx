import { raw } from "hono/html";
import type { Child, FC } from "hono/jsx";
import type { ProposalView } from "../../core/proposals/proposal-view.ts";
import type { InvoiceLinks } from "./invoice-links.ts";

// Server-rendered, script-free pages for the client who opens a proposal link (es-MX).
// Mobile-first; every control has a label; printable (see proposal.css @media print).

export const Layout: FC<{ title: string; children?: Child }> = ({ title, children }) => (
  <>
    {raw("<!doctype html>")}
    <html lang="es-MX">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <title>{title}</title>
        <link rel="stylesheet" href="/assets/proposal.css" />
      </head>
      <body>
        <main>{children}</main>
        <footer>
          <p>Enlace privado: no lo compartas. Impulsado por Zuclubit Smart CRM.</p>
        </footer>
      </body>
    </html>
  </>
);

export const MessagePage: FC<{ title: string; heading: string; message: string; tenantName?: string | undefined }> = ({
  title,
  heading,
  message,
  tenantName,
}) => (
  <Layout title={title}>
    <section class="card message" aria-labelledby="msg-title">
      {tenantName ? <p class="tenant">{tenantName}</p> : null}
      <h1 id="msg-title">{heading}</h1>
      <p>{message}</p>
    </section>
  </Layout>
);

const NOTICES: Record<string, string> = {
  aceptada: "¡Gracias! Registramos tu aceptación de esta propuesta.",
  rechazada: "Registramos que rechazaste esta propuesta. Gracias por avisarnos.",
  "sin-cambios": "Esta propuesta ya tenía una respuesta; abajo ves su estado final.",
  "formulario-vencido": "El formulario caducó. Revisa la propuesta y vuelve a enviar tu respuesta.",
};

export interface ProposalPageProps {
  view: ProposalView;
  token: string;
  formToken: string;
  decidable: boolean;
  notice?: string | undefined;
  errors?: Record<string, string> | undefined;
  values?: Record<string, string> | undefined;
  /** Accepted and invoiced: signed links to the stamped invoice. */
  invoice?: InvoiceLinks | null | undefined;
}

export const ProposalPage: FC<ProposalPageProps> = ({
  view,
  token,
  formToken,
  decidable,
  notice,
  errors,
  values,
  invoice,
}) => (
  <Layout title={`${view.number} · ${view.title} · ${view.tenantName}`}>
    <header class="card head">
      <div class="logo" aria-hidden="true">
        {view.tenantName.slice(0, 1).toUpperCase()}
      </div>
      <div>
        <p class="tenant">{view.tenantName}</p>
        <h1>{view.title}</h1>
        <p class="meta">
          Propuesta <strong>{view.number}</strong>
          {view.clientName ? (
            <>
              {" "}
              · para <strong>{view.clientName}</strong>
            </>
          ) : null}
        </p>
        <p class="meta">
          {view.sentOn ? <>Enviada el {view.sentOn}. </> : null}
          {view.validUntil ? (
            <>
              Válida hasta el <strong>{view.validUntil}</strong>.
            </>
          ) : null}
        </p>
        <p>
          <span class={`status status-${view.status}`} role="status">
            Estado: {view.statusLabel}
          </span>
        </p>
      </div>
    </header>

    {notice && NOTICES[notice] ? (
      <p class="notice" role="status">
        {NOTICES[notice]}
      </p>
    ) : null}

    <section class="card" aria-labelledby="items-title">
      <h2 id="items-title">Conceptos</h2>
      <div class="table-wrap">
        <table>
          <caption class="sr-only">
            Conceptos de la propuesta con cantidad, precio, descuento, impuesto e importe
          </caption>
          <thead>
            <tr>
              <th scope="col">Concepto</th>
              <th scope="col" class="num">
                Cant.
              </th>
              <th scope="col" class="num">
                Precio unitario
              </th>
              {view.hasDiscount ? (
                <th scope="col" class="num">
                  Desc.
                </th>
              ) : null}
              <th scope="col" class="num">
                IVA
              </th>
              <th scope="col" class="num">
                Importe
              </th>
            </tr>
          </thead>
          <tbody>
            {view.items.map((item) => (
              <tr>
                <th scope="row">
                  {item.name}
                  {item.description ? <span class="desc">{item.description}</span> : null}
                </th>
                <td class="num" data-label="Cantidad">
                  {item.quantity}
                </td>
                <td class="num" data-label="Precio unitario">
                  {item.unitPrice}
                </td>
                {view.hasDiscount ? (
                  <td class="num" data-label="Descuento">
                    {item.discount}
                  </td>
                ) : null}
                <td class="num" data-label="IVA">
                  {item.tax}
                </td>
                <td class="num" data-label="Importe">
                  {item.total}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <dl class="totals">
        <div>
          <dt>Subtotal</dt>
          <dd>{view.subtotal}</dd>
        </div>
        {view.hasDiscount ? (
          <div>
            <dt>Descuento</dt>
            <dd>-{view.discount}</dd>
          </div>
        ) : null}
        <div>
          <dt>IVA</dt>
          <dd>{view.tax}</dd>
        </div>
        <div class="grand">
          <dt>Total</dt>
          <dd data-testid="total">{view.total}</dd>
        </div>
      </dl>
      <p class="actions-inline">
        <a href={`/p/${token}/pdf`} download={`${view.number}.pdf`}>
          Descargar PDF
        </a>
      </p>
    </section>

    {view.notes ? (
      <section class="card" aria-labelledby="notes-title">
        <h2 id="notes-title">Notas</h2>
        <p class="pre">{view.notes}</p>
      </section>
    ) : null}
    {view.terms ? (
      <section class="card" aria-labelledby="terms-title">
        <h2 id="terms-title">Términos y condiciones</h2>
        <p class="pre">{view.terms}</p>
      </section>
    ) : null}

    {view.status === "accepted" ? (
      <section class="card outcome accepted" aria-labelledby="outcome-title">
        <h2 id="outcome-title">Propuesta aceptada</h2>
        <p>
          Aceptada
          {view.acceptedByName ? (
            <>
              {" "}
              por <strong>{view.acceptedByName}</strong>
            </>
          ) : null}
          {view.decidedOn ? <> el {view.decidedOn}</> : null}. {view.tenantName} se pondrá en contacto contigo.
        </p>
        {invoice ? (
          <p class="actions-inline" data-testid="invoice">
            Factura {invoice.label}:{" "}
            <a href={invoice.xml} rel="nofollow">
              Descargar XML
            </a>{" "}
            ·{" "}
            <a href={invoice.pdf} rel="nofollow">
              Descargar PDF
            </a>{" "}
            <small>(enlaces válidos 15 minutos; recarga la página para obtener nuevos)</small>
          </p>
        ) : null}
      </section>
    ) : null}
    {view.status === "rejected" ? (
      <section class="card outcome rejected" aria-labelledby="outcome-title">
        <h2 id="outcome-title">Propuesta rechazada</h2>
        <p>
          Rechazada{view.decidedOn ? <> el {view.decidedOn}</> : null}.
          {view.rejectionReason ? <> Motivo: «{view.rejectionReason}».</> : null}
        </p>
      </section>
    ) : null}

    {decidable ? (
      <>
        <section class="card" aria-labelledby="accept-title">
          <h2 id="accept-title">Aceptar la propuesta</h2>
          <form method="post" action={`/p/${token}/accept`} novalidate={false}>
            <input type="hidden" name="formToken" value={formToken} />
            <label for="fullName">
              Nombre completo <span aria-hidden="true">*</span>
            </label>
            <input
              id="fullName"
              name="fullName"
              type="text"
              autocomplete="name"
              required
              minlength={3}
              maxlength={200}
              value={values?.fullName ?? ""}
              aria-invalid={errors?.fullName ? "true" : undefined}
              aria-describedby={errors?.fullName ? "fullName-error" : undefined}
            />
            {errors?.fullName ? (
              <p class="field-error" id="fullName-error">
                {errors.fullName}
              </p>
            ) : null}
            <label for="rfc">RFC para facturar (opcional)</label>
            <input
              id="rfc"
              name="rfc"
              type="text"
              autocomplete="off"
              maxlength={13}
              value={values?.rfc ?? ""}
              aria-invalid={errors?.rfc ? "true" : undefined}
              aria-describedby={errors?.rfc ? "rfc-error" : undefined}
            />
            {errors?.rfc ? (
              <p class="field-error" id="rfc-error">
                {errors.rfc}
              </p>
            ) : null}
            <label for="email">Correo para la factura (opcional)</label>
            <input
              id="email"
              name="email"
              type="email"
              autocomplete="email"
              maxlength={254}
              value={values?.email ?? ""}
              aria-invalid={errors?.email ? "true" : undefined}
              aria-describedby={errors?.email ? "email-error" : undefined}
            />
            {errors?.email ? (
              <p class="field-error" id="email-error">
                {errors.email}
              </p>
            ) : null}
            <div class="check">
              <input id="confirm" name="confirm" type="checkbox" value="si" required />
              <label for="confirm">Confirmo que acepto esta propuesta por {view.total}.</label>
            </div>
            {errors?.confirm ? <p class="field-error">{errors.confirm}</p> : null}
            <button type="submit" class="primary">
              Aceptar propuesta
            </button>
          </form>
        </section>
        <section class="card" aria-labelledby="reject-title">
          <h2 id="reject-title">¿No te interesa?</h2>
          <form method="post" action={`/p/${token}/reject`}>
            <input type="hidden" name="formToken" value={formToken} />
            <label for="reason">Motivo (opcional)</label>
            <textarea id="reason" name="reason" rows={3} maxlength={1000}></textarea>
            <button type="submit" class="secondary">
              Rechazar propuesta
            </button>
          </form>
        </section>
      </>
    ) : null}
  </Layout>
);
