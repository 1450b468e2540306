// One error type for the whole API, rendered as RFC 9457 problem+json by `renderProblem`. Most
// codes name an HTTP status; a few name a problem a client handles on its own (its `type` URI
// differs from the generic one of the same status).
export const ERROR_CODES = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  GONE: 410,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
  /** A WhatsApp number (phone number id or Twilio sender) already connected by a live channel, in any tenant. */
  CHANNEL_NUMBER_TAKEN: 409,
  /** ENCRYPTION_SECRET is not configured, so stored secrets cannot be sealed or opened. */
  ENCRYPTION_NOT_CONFIGURED: 503,
  /** A free-form WhatsApp message outside the 24-hour customer-service window: send a template. */
  WINDOW_CLOSED: 422,
  /** The WhatsApp provider cannot deliver to this customer's number. */
  RECIPIENT_UNREACHABLE: 422,
  /** The WhatsApp provider refused the message itself (template, parameters, media URL). */
  PROVIDER_REJECTED: 422,
  /** The WhatsApp provider refused the channel's credentials or account set-up: an admin must check the channel. */
  PROVIDER_CREDENTIALS: 502,
  /** The WhatsApp provider failed or answered something unreadable. */
  PROVIDER_UNAVAILABLE: 502,
  /** The WhatsApp provider did not answer in time: the message may or may not have gone out. */
  PROVIDER_TIMEOUT: 504,
  /** The WhatsApp provider's own rate limit. */
  PROVIDER_RATE_LIMITED: 429,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface FieldError {
  /** JSON path of the offending field, e.g. `body.items.0.quantity`. */
  path: string;
  message: string;
  code?: string;
}

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  requestId?: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const TITLES: Record<ErrorCode, string> = {
  BAD_REQUEST: "Bad request",
  UNAUTHORIZED: "Unauthorized",
  FORBIDDEN: "Forbidden",
  NOT_FOUND: "Not found",
  METHOD_NOT_ALLOWED: "Method not allowed",
  CONFLICT: "Conflict",
  GONE: "Gone",
  PRECONDITION_FAILED: "Precondition failed",
  PAYLOAD_TOO_LARGE: "Payload too large",
  UNSUPPORTED_MEDIA_TYPE: "Unsupported media type",
  UNPROCESSABLE: "Unprocessable content",
  RATE_LIMITED: "Too many requests",
  INTERNAL: "Internal server error",
  SERVICE_UNAVAILABLE: "Service unavailable",
  CHANNEL_NUMBER_TAKEN: "WhatsApp number already connected",
  ENCRYPTION_NOT_CONFIGURED: "Encryption not configured",
  WINDOW_CLOSED: "Customer-service window closed",
  RECIPIENT_UNREACHABLE: "Recipient unreachable",
  PROVIDER_REJECTED: "Message rejected by the provider",
  PROVIDER_CREDENTIALS: "Provider refused the channel's credentials",
  PROVIDER_UNAVAILABLE: "Provider unavailable",
  PROVIDER_TIMEOUT: "Provider timeout",
  PROVIDER_RATE_LIMITED: "Provider rate limit",
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors: FieldError[] | undefined;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    detail: string,
    options: {
      errors?: FieldError[];
      extensions?: Record<string, unknown>;
      headers?: Record<string, string>;
      cause?: unknown;
    } = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.status = ERROR_CODES[code];
    this.errors = options.errors;
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }
}

export function problemBody(error: AppError, requestId: string | undefined, instance?: string): ProblemDetails {
  return {
    ...error.extensions,
    type: `https://docs.zuclubit.mx/problems/${error.code.toLowerCase().replaceAll("_", "-")}`,
    title: TITLES[error.code],
    status: error.status,
    detail: error.message,
    code: error.code,
    ...(requestId ? { requestId } : {}),
    ...(instance ? { instance } : {}),
    ...(error.errors ? { errors: error.errors } : {}),
  };
}

export function problemResponse(error: AppError, requestId: string | undefined, instance?: string): Response {
  const headers = new Headers({ "content-type": "application/problem+json", ...error.headers });
  if (requestId) headers.set("x-request-id", requestId);
  return new Response(JSON.stringify(problemBody(error, requestId, instance)), { status: error.status, headers });
}
