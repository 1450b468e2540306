// Hard ceilings for everything a webhook sender controls. A delivery past a limit is not rejected
// whole (Meta retries rejected deliveries for days); the parser keeps what fits and reports the rest.

/** Largest webhook body read at all; Meta's deliveries are a few KiB, batches rarely pass 100 KiB. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Twilio posts one small form per event (a 1,600-char body and up to 10 media URLs). */
export const MAX_TWILIO_BODY_BYTES = 64 * 1024;
export const MAX_TWILIO_PARAMS = 200;

export const MAX_ENTRIES_PER_DELIVERY = 100;
export const MAX_CHANGES_PER_ENTRY = 100;
/** messages + statuses + contacts of one change, counted together. */
export const MAX_ITEMS_PER_CHANGE = 1_000;
/** Bounds the work a single delivery hands to the Durable Objects behind the route. */
export const MAX_EVENTS_PER_DELIVERY = 5_000;
/** The skipped list is diagnostics; past this it only counts. */
export const MAX_SKIPPED_REPORTED = 100;

/** Text bodies and captions, in UTF-16 code units; WhatsApp itself caps text at 4,096 chars. */
export const MAX_TEXT_CHARS = 64 * 1024;
/** Names, titles, MIME types, emoji, addresses. */
export const MAX_SHORT_TEXT_CHARS = 1_024;
/** Message ids, wa_ids, phone-number ids: longer than this is not an id. */
export const MAX_ID_CHARS = 256;
/** Serialized JSON kept for a message this parser does not understand. */
export const MAX_RAW_JSON_CHARS = 16 * 1024;
/** Nesting serialized into that raw JSON; deeper values become "…". */
export const MAX_RAW_JSON_DEPTH = 16;

export const MAX_SHARED_CONTACTS = 20;
export const MAX_CONTACT_FIELDS = 20;
export const MAX_ORDER_ITEMS = 100;
export const MAX_STATUS_ERRORS = 10;
export const MAX_TWILIO_MEDIA = 10;

/** Signature headers are 71 (Meta), 64 (360dialog) or 28 (Twilio) chars; anything far longer is noise. */
export const MAX_SIGNATURE_HEADER_CHARS = 512;
