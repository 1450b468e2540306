import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Issue } from "../../core/cfdi/errors.ts";
import type { InvoiceInput } from "../../core/cfdi/invoice-input.ts";
import { getCustomer } from "../../db/customers/customer-store.ts";
import { NIL_UUID } from "../../db/tenant-reference.ts";
import { getFiscalProfile } from "../../db/fiscal/fiscal-profile-store.ts";
import { mapProposal, newInvoice } from "../../platform/invoicing/new-invoice.ts";
import {
  insertInvoice,
  validationFailedEvent,
  liveInvoiceOfProposal,
  proposalItemsToInvoice,
  proposalToInvoice,
  LIVE_PROPOSAL_INVOICE_KEY,
  type NewInvoice,
} from "../../db/invoicing/invoice-store.ts";
import type { HonoEnv } from "../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../http/openapi-errors.ts";
import { AppError } from "../http/problem.ts";
import { publish } from "../events/publish.ts";
import { replayIfRetry } from "../http/idempotency.ts";
import { findPgError } from "../http/error-handler.ts";
import { readRun, writeRun } from "../services.ts";
import { InvoiceSchema, toInvoice } from "./invoice-schema.ts";

// POST /v1/invoices (issue 13): an invoice in `draft` (or `validation_failed`, with the engine's
// issues), from an accepted proposal or from an explicit engine model. Nothing is sealed or sent
// to a PAC here; stamping is its own step. Two round trips: what the invoice is built from (one
// batch), then the insert with the Idempotency-Key claim (one batch); the engine runs between.

const FromProposal = z
  .object({
    proposalId: z.uuid(),
    metodoPago: z.enum(["PUE", "PPD"]).optional().openapi({ description: "Default PPD (payment not settled yet)" }),
    formaPago: z
      .string()
      .regex(/^[0-9]{2}$/, "clave de 2 dígitos del catálogo c_FormaPago")
      .optional()
      .openapi({ description: "Default 99 (por definir) with PPD", example: "03" }),
    usoCfdi: z
      .string()
      .regex(/^[A-Z0-9]{3,4}$/, "clave del catálogo c_UsoCFDI")
      .optional()
      .openapi({ description: "Default: the customer's" }),
    condicionesDePago: z.string().min(1).max(1_000).optional(),
  })
  .strict()
  .openapi("InvoiceFromProposal");

const FromModel = z
  .object({
    customerId: z.uuid().optional(),
    invoice: z.record(z.string(), z.unknown()).openapi({
      description:
        "The CFDI engine's model (core/cfdi/README.md). `emisor` and `lugarExpedicion` default to the fiscal profile's; an `emisor.rfc` other than the profile's is refused.",
    }),
  })
  .strict()
  .openapi("InvoiceFromModel");

const route = createRoute({
  method: "post",
  path: "/v1/invoices",
  tags: ["Invoicing"],
  summary: "Create an invoice (draft) from an accepted proposal or an engine model",
  description: [
    "Builds the CFDI 4.0 with the engine and answers 201 with the invoice: `draft` when valid, `validation_failed` with every issue (in Spanish) when the engine refuses it — nothing reaches a PAC until it is stamped.",
    "",
    "- From a proposal: it must be accepted (409 otherwise), have a customer with RFC, régimen and código postal, and SAT keys on its priced lines (422 listing what is missing). `totalEsperado` is the accepted total, so SAT rounding that would change it is a `TOTAL_MISMATCH` issue, never another amount.",
    "- One live invoice per proposal: a second request is a 409 with `invoiceId`; an invoice refused by the engine leaves room for a new attempt.",
    "- 409 until the account has a fiscal profile. `Idempotency-Key` honoured.",
  ].join("\n"),
  security: [{ bearerAuth: [] }],
  request: {
    body: { required: true, content: { "application/json": { schema: z.union([FromProposal, FromModel]) } } },
  },
  responses: {
    201: { description: "Created", content: { "application/json": { schema: InvoiceSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 409, 422),
  },
});

function noProfile(): AppError {
  return new AppError("CONFLICT", "La cuenta aún no tiene perfil fiscal para facturar (PUT /v1/fiscal-profile).");
}

function unprocessable(detail: string, issues: readonly Issue[], prefix: string): AppError {
  return new AppError("UNPROCESSABLE", detail, {
    errors: issues.map((i) => ({ path: `${prefix}${i.path}`, message: i.message, code: i.code })),
  });
}

async function fromProposal(c: Context<HonoEnv>, body: z.infer<typeof FromProposal>): Promise<NewInvoice> {
  const tenantId = c.get("auth").tenantId;
  const [profiles, proposals, items, live] = await readRun(c, [
    getFiscalProfile(tenantId),
    proposalToInvoice(tenantId, body.proposalId),
    proposalItemsToInvoice(tenantId, body.proposalId),
    liveInvoiceOfProposal(tenantId, body.proposalId),
  ]);
  const profile = profiles[0];
  if (!profile) throw noProfile();
  const proposal = proposals[0];
  if (!proposal)
    throw unprocessable(
      "la cotización no existe",
      [{ path: "proposalId", code: "not_found", message: "no hay una cotización con este id" }],
      "body.",
    );
  if (proposal.status !== "accepted")
    throw new AppError(
      "CONFLICT",
      `Solo se factura una cotización aceptada; ${proposal.proposalNumber} está en estado ${proposal.status}.`,
    );
  if (live[0]) {
    await replayIfRetry(c);
    throw existing(proposal.proposalNumber, live[0].id);
  }
  if (!proposal.customerId)
    throw unprocessable(
      "la cotización no tiene cliente",
      [
        {
          path: "customerId",
          code: "CUSTOMER_MISSING",
          message: "La cotización no tiene un cliente con datos fiscales a quien facturar.",
        },
      ],
      "proposal.",
    );
  const mapped = mapProposal(profile, proposal, items, body);
  if (!mapped.ok) throw unprocessable("faltan datos para facturar la cotización", mapped.issues, "");
  return newInvoice(tenantId, c.get("auth").userId, mapped.input, {
    customerId: proposal.customerId,
    proposalId: proposal.id,
    fallbackTotal: proposal.total,
  });
}

function existing(proposalNumber: string, invoiceId: string): AppError {
  return new AppError("CONFLICT", `La cotización ${proposalNumber} ya tiene una factura (${invoiceId}).`, {
    extensions: { invoiceId },
  });
}

async function fromModel(c: Context<HonoEnv>, body: z.infer<typeof FromModel>): Promise<NewInvoice> {
  const tenantId = c.get("auth").tenantId;
  const [profiles, customers] = await readRun(c, [
    getFiscalProfile(tenantId),
    getCustomer(tenantId, body.customerId ?? NIL_UUID),
  ]);
  const profile = profiles[0];
  if (!profile) throw noProfile();
  if (body.customerId && !customers[0])
    throw unprocessable(
      "el cliente no existe",
      [{ path: "customerId", code: "not_found", message: "no hay un cliente con este id" }],
      "body.",
    );
  const model = body.invoice as Partial<InvoiceInput>;
  const emisor = model.emisor as Partial<InvoiceInput["emisor"]> | undefined;
  if (emisor?.rfc !== undefined && emisor.rfc !== profile.rfc)
    throw unprocessable(
      "el emisor no es la cuenta",
      [
        {
          path: "invoice.emisor.rfc",
          code: "EMISOR_NOT_PROFILE",
          message: `El emisor debe ser ${profile.rfc}, el RFC del perfil fiscal.`,
        },
      ],
      "body.",
    );
  const input = {
    ...model,
    emisor: { rfc: profile.rfc, nombre: profile.razonSocial, regimenFiscal: profile.regimenFiscal, ...emisor },
    lugarExpedicion: model.lugarExpedicion ?? profile.lugarExpedicion,
    ...(model.serie === undefined && profile.serie ? { serie: profile.serie } : {}),
  } as InvoiceInput;
  return newInvoice(tenantId, c.get("auth").userId, input, {
    customerId: body.customerId ?? null,
    proposalId: null,
    fallbackTotal: "0",
  });
}

export function registerCreateInvoice(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const invoice = "proposalId" in body ? await fromProposal(c, body) : await fromModel(c, body);
    const [rows, events] = await writeRun(c, { resourcePath: `/v1/invoices/${invoice.id}`, status: 201 }, [
      insertInvoice(invoice),
      validationFailedEvent(invoice.tenantId, invoice.id, invoice.createdBy),
    ]).catch((err: unknown) => {
      // Another request for the same proposal committed between our read and this write.
      if (findPgError(err)?.constraint === LIVE_PROPOSAL_INVOICE_KEY)
        throw new AppError(
          "CONFLICT",
          "La cotización ya tiene una factura; consúltala en GET /v1/invoices?proposalId=…",
        );
      throw err;
    });
    publish(c, events);
    const row = rows[0]!;
    c.set("logFields", { ...c.get("logFields"), invoice: { id: row.id, status: row.status } });
    return c.json(toInvoice(row), 201, { location: `/v1/invoices/${row.id}` });
  });
}
