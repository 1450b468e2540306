// The one place the Worker calls a WhatsApp provider to send: the pure adapters
// (core/whatsapp/send-*.ts) build the request and read the answer; this does the fetch, with a
// timeout, and turns a refusal into the API's problem.
import type { ChannelProvider, ChannelCredentials } from "../../core/channels/whatsapp-channel.ts";
import { dialogSendRequest, parseDialogResponse } from "../../core/whatsapp/send-360dialog.ts";
import { metaSendRequest, parseCloudApiResponse } from "../../core/whatsapp/send-meta.ts";
import type { OutboundSend, ProviderRequest, SendFailure, SendResult } from "../../core/whatsapp/send-message.ts";
import { parseTwilioResponse, twilioSendRequest } from "../../core/whatsapp/send-twilio.ts";
import type { Config } from "../../platform/env.ts";
import { AppError } from "../http/problem.ts";

/** What sending needs of a channel: its provider, number fields and opened credentials. */
export interface SendingChannel {
  provider: ChannelProvider;
  phoneNumberId: string | null;
  sender: string | null;
  accountSid: string | null;
  credentials: Readonly<ChannelCredentials>;
}

/** The provider did not answer within WHATSAPP_SEND_TIMEOUT_MS, or the connection failed. */
export type TransportFailure = { ok: false; transport: "timeout" | "network" };

const CHECK_CHANNEL =
  "Un administrador debe revisar las credenciales y los datos del número en la configuración del canal de WhatsApp.";

/** A channel that lacks what its provider needs to send: the admin's problem, never the provider's. */
function incomplete(what: string): AppError {
  return new AppError("PROVIDER_CREDENTIALS", `El canal de WhatsApp no tiene ${what}. ${CHECK_CHANNEL}`);
}

/** The request for this channel's provider; throws the 502 problem when the channel cannot send. */
export function buildSendRequest(
  config: Config,
  channel: SendingChannel,
  to: string,
  message: OutboundSend,
  /** Twilio: where its status callbacks for this message go (the channel's webhook). */
  statusCallback?: string,
): ProviderRequest {
  const { credentials } = channel;
  switch (channel.provider) {
    case "meta":
      if (!channel.phoneNumberId || !credentials.accessToken) throw incomplete("phoneNumberId y accessToken");
      return metaSendRequest(
        config.WHATSAPP_GRAPH_BASE_URL,
        { phoneNumberId: channel.phoneNumberId, accessToken: credentials.accessToken },
        to,
        message,
      );
    case "360dialog":
      if (!credentials.apiKey) throw incomplete("apiKey");
      return dialogSendRequest(config.WHATSAPP_360DIALOG_BASE_URL, { apiKey: credentials.apiKey }, to, message);
    case "twilio":
      if (!channel.accountSid || !channel.sender || !credentials.authToken)
        throw incomplete("accountSid, sender y authToken");
      return twilioSendRequest(
        config.TWILIO_API_BASE_URL,
        {
          accountSid: channel.accountSid,
          authToken: credentials.authToken,
          sender: channel.sender,
          ...(statusCallback ? { statusCallback } : {}),
        },
        to,
        message,
      );
  }
}

function parseFor(provider: ChannelProvider): (status: number, text: string) => SendResult {
  switch (provider) {
    case "meta":
      return parseCloudApiResponse;
    case "360dialog":
      return parseDialogResponse;
    case "twilio":
      return parseTwilioResponse;
  }
}

/** One attempt: the provider's answer read by its adapter, or how the transport failed. Never throws. */
export async function callProvider(
  config: Config,
  provider: ChannelProvider,
  request: ProviderRequest,
): Promise<SendResult | TransportFailure> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(config.WHATSAPP_SEND_TIMEOUT_MS),
    });
    text = await res.text();
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    return { ok: false, transport: timedOut ? "timeout" : "network" };
  }
  return parseFor(provider)(res.status, text);
}

const PROVIDER_NAMES: Record<ChannelProvider, string> = { meta: "Meta", "360dialog": "360dialog", twilio: "Twilio" };

/** The problem a refused send is for the API's caller (Spanish detail; the provider's code as `providerCode`). */
export function sendFailureProblem(provider: ChannelProvider, f: SendFailure): AppError {
  const name = PROVIDER_NAMES[provider];
  const extensions = { provider, providerCode: f.providerCode };
  switch (f.kind) {
    case "window_closed":
      return new AppError(
        "WINDOW_CLOSED",
        `${name} rechazó el mensaje porque la ventana de atención de 24 horas está cerrada: el cliente no ha escrito en las últimas 24 horas. Envía una plantilla aprobada.`,
        { extensions },
      );
    case "recipient":
      return new AppError(
        "RECIPIENT_UNREACHABLE",
        `${name} no puede entregar mensajes a este número de WhatsApp (no existe, no usa WhatsApp o no acepta mensajes de este negocio).`,
        { extensions },
      );
    case "rejected":
      return new AppError(
        "PROVIDER_REJECTED",
        `${name} rechazó el mensaje: revisa la plantilla (nombre, idioma y parámetros), el enlace del documento o el texto.`,
        { extensions },
      );
    case "credentials":
      return new AppError("PROVIDER_CREDENTIALS", `${name} rechazó las credenciales del canal. ${CHECK_CHANNEL}`, {
        extensions,
      });
    case "throttled":
      return new AppError(
        "PROVIDER_RATE_LIMITED",
        `${name} está limitando los envíos de este número; intenta de nuevo en unos minutos.`,
        { extensions, headers: { "retry-after": "60" } },
      );
    case "unavailable":
      return new AppError(
        "PROVIDER_UNAVAILABLE",
        `${name} no pudo procesar el envío (error del proveedor); intenta de nuevo más tarde.`,
        { extensions },
      );
  }
}

export function transportProblem(provider: ChannelProvider, t: TransportFailure): AppError {
  const name = PROVIDER_NAMES[provider];
  const extensions = { provider, providerCode: null };
  return t.transport === "timeout"
    ? new AppError(
        "PROVIDER_TIMEOUT",
        `${name} no respondió a tiempo: el mensaje pudo haberse enviado o no. Revisa la conversación antes de reintentar.`,
        { extensions },
      )
    : new AppError("PROVIDER_UNAVAILABLE", `No se pudo conectar con ${name}; intenta de nuevo más tarde.`, {
        extensions,
      });
}
