import type { OpenAPIHono } from "@hono/zod-openapi";
import type { HonoEnv } from "../context.ts";
import { registerCreateInvoice } from "./create-invoice.ts";
import { registerGetInvoice } from "./get-invoice.ts";
import { registerGetInvoiceXml } from "./get-invoice-xml.ts";
import { registerGetInvoicePdf } from "./get-invoice-pdf.ts";
import { registerStampInvoice } from "./stamp-invoice.ts";
import { registerCancelInvoice } from "./cancel-invoice.ts";
import { registerListInvoices } from "./list-invoices.ts";

export function registerInvoiceRoutes(app: OpenAPIHono<HonoEnv>): void {
  registerListInvoices(app);
  registerCreateInvoice(app);
  registerGetInvoice(app);
  registerGetInvoiceXml(app);
  registerGetInvoicePdf(app);
  registerStampInvoice(app);
  registerCancelInvoice(app);
}
