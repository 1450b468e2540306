import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { isChannelProvider } from "../../../core/channels/whatsapp-channel.ts";
import { normalizePhone } from "../../../core/contacts/phone.ts";
import { getContact } from "../../../db/contacts/contact-store.ts";
import { getCustomer } from "../../../db/customers/customer-store.ts";
import { getChannel } from "../../../db/whatsapp/channel-store.ts";
import { NIL_UUID } from "../../../db/tenant-reference.ts";
import { conversationStub } from "../../../durable-objects/conversation-client.ts";
import type { HonoEnv } from "../../context.ts";
import { AUTHENTICATED_ERRORS, problemResponses } from "../../http/openapi-errors.ts";
import { AppError } from "../../http/problem.ts";
import { readRun } from "../../services.ts";
import { SentMessageSchema, TemplateInput, sendInConversation } from "./send-message.ts";

// POST /v1/whatsapp/conversations (issue 12): the first message to a customer who has not written
// (a quote follow-up, a payment reminder). WhatsApp allows only an approved template outside the
// 24-hour window, so that is all this takes. The recipient is a phone number, or the contact's
// phone, or the customer's WhatsApp number (else its phone). The conversation is the one of
// (channel, number): starting one that exists sends into it.

const StartInput = z
  .object({
    channelId: z.uuid().openapi({ description: "One of the account's WhatsApp channels" }),
    to: z.string().min(1).max(40).optional().openapi({
      example: "+52 55 1234 5678",
      description: "A phone number (Mexican numbers may omit +52); or give contactId or customerId",
    }),
    contactId: z.uuid().optional(),
    customerId: z.uuid().optional().openapi({ description: "Sends to the customer's WhatsApp number, else its phone" }),
    template: TemplateInput.shape.template,
  })
  .refine((b) => [b.to, b.contactId, b.customerId].filter((v) => v !== undefined).length === 1, {
    message: "indica exactamente uno de to, contactId o customerId",
  })
  .openapi("WhatsAppStartConversation");

const route = createRoute({
  method: "post",
  path: "/v1/whatsapp/conversations",
  tags: ["WhatsApp"],
  summary: "Start a WhatsApp conversation with an approved template",
  description: [
    "Sends an approved template to a number through one of the account's channels and answers with the message as its conversation stored it (`conversationId` included).",
    "",
    "- The recipient: `to` (a phone number), `contactId` (the contact's phone) or `customerId` (its WhatsApp number, else its phone).",
    "- The conversation is created only once the provider accepted the message; a number new to the account then becomes a contact and a lead with source WhatsApp, as when a customer writes first. If the conversation exists, the template goes into it.",
    "- Quota, provider refusals and `Idempotency-Key` as for sends in a conversation.",
  ].join("\n"),
  security: [{ bearerAuth: [] }],
  request: { body: { required: true, content: { "application/json": { schema: StartInput } } } },
  responses: {
    201: { description: "Sent and recorded", content: { "application/json": { schema: SentMessageSchema } } },
    ...problemResponses(...AUTHENTICATED_ERRORS, 409, 422, 502, 503, 504),
  },
});

function invalid(path: string, message: string, code = "invalid"): AppError {
  return new AppError("UNPROCESSABLE", message, { errors: [{ path: `body.${path}`, message, code }] });
}

export function registerStartConversation(app: OpenAPIHono<HonoEnv>): void {
  app.openapi(route, async (c) => {
    const input = c.req.valid("json");
    const { tenantId } = c.get("auth");

    // One batch whichever recipient field was given: the absent one looks up the nil UUID (no row).
    const [channels, contacts, customers] = await readRun(c, [
      getChannel(tenantId, input.channelId),
      getContact(tenantId, input.contactId ?? NIL_UUID),
      getCustomer(tenantId, input.customerId ?? NIL_UUID),
    ]);
    const channel = channels[0];
    if (!channel) throw invalid("channelId", "no hay un canal de WhatsApp con este id", "not_found");
    if (!isChannelProvider(channel.provider)) throw new Error(`unknown provider ${channel.provider}`);

    let path = "to";
    let number: string | null | undefined = input.to;
    if (input.contactId !== undefined) {
      path = "contactId";
      const contact = contacts[0];
      if (!contact) throw invalid(path, "no hay un contacto con este id", "not_found");
      number = contact.phone;
      if (!number) throw invalid(path, "el contacto no tiene teléfono", "no_phone");
    } else if (input.customerId !== undefined) {
      path = "customerId";
      const customer = customers[0];
      if (!customer) throw invalid(path, "no hay un cliente con este id", "not_found");
      number = customer.whatsappPhone ?? customer.phone;
      if (!number) throw invalid(path, "el cliente no tiene WhatsApp ni teléfono", "no_phone");
    }
    const phone = normalizePhone(number ?? "");
    if (!phone.ok) throw invalid(path, phone.reason);
    const waId = phone.e164.slice(1);

    const stub = conversationStub(c.env, channel.id, waId);
    const target = {
      channelId: channel.id,
      waId,
      provider: channel.provider,
      stub,
      open: (s: typeof stub) => s.ingest({ tenantId, channelId: channel.id, waId, messages: [], statuses: [] }),
    };
    return c.json(await sendInConversation(c, target, { type: "template", template: input.template }), 201);
  });
}
