/**
 * Phone numbers to E.164 ("+525512345678"), the form stored in `contacts.phone` and
 * `customers.whatsapp_phone` (CHECK `^\+[1-9][0-9]{7,14}$`) and used as the WhatsApp identity.
 *
 * Mexico (IFT, Plan Técnico Fundamental de Numeración, in force since 2019-08-03): every number is
 * 10 national digits (lada + número) and the old prefixes were abolished — "01" (larga distancia
 * nacional), "044"/"045" (móvil local / nacional) and the "1" after "+52" for mobiles. People still
 * type them, so they are dropped here. Area codes never start with 0 or 1.
 *
 * Other countries are accepted only with an explicit "+<código de país>" (we cannot guess the
 * country of a bare national number) and 8–15 digits in total (ITU-T E.164 allows at most 15).
 * Only the shape is checked for them; per-country plans are out of scope.
 */

export type PhoneResult = { ok: true; e164: string } | { ok: false; reason: string };

const MAX_INPUT = 40;
// Digits plus the separators people write: spaces, hyphens, dots, parentheses; "+" only in front.
const ALLOWED_RE = /^\+?[0-9\s().-]+$/;
const MX_NATIONAL_RE = /^[2-9][0-9]{9}$/;

function mexican(national: string): PhoneResult {
  if (MX_NATIONAL_RE.test(national)) return { ok: true, e164: `+52${national}` };
  if (national.length !== 10) {
    return {
      ok: false,
      reason: `El número mexicano tiene ${national.length} dígitos; debe tener 10 (clave lada + número).`,
    };
  }
  return { ok: false, reason: "El número mexicano no es válido: la clave lada no puede empezar con 0 ni con 1." };
}

/**
 * Normalises `input` to E.164. Without "+", the number is read as Mexican (the only default
 * country supported): 10 digits, optionally preceded by "01", "044", "045", "52" or "521".
 */
export function normalizePhone(input: string, _defaultCountry: "MX" = "MX"): PhoneResult {
  if (typeof input !== "string") return { ok: false, reason: "El teléfono debe ser texto." };
  const text = input.trim();
  if (text === "") return { ok: false, reason: "El teléfono está vacío." };
  if (text.length > MAX_INPUT)
    return { ok: false, reason: `El teléfono es demasiado largo (máximo ${MAX_INPUT} caracteres).` };
  if (!ALLOWED_RE.test(text)) {
    return {
      ok: false,
      reason:
        'El teléfono solo puede contener dígitos, espacios, guiones, puntos, paréntesis y un "+" inicial (sin extensiones ni letras).',
    };
  }
  const digits = text.replace(/[^0-9]/g, "");
  if (digits === "") return { ok: false, reason: "El teléfono no contiene dígitos." };

  if (text.startsWith("+")) {
    if (digits.startsWith("52")) {
      let national = digits.slice(2);
      // "+52 1 55 …": the mobile "1" abolished in 2019.
      if (national.length === 11 && national.startsWith("1")) national = national.slice(1);
      return mexican(national);
    }
    if (digits.startsWith("0")) return { ok: false, reason: "El código de país no puede empezar con 0." };
    if (digits.length < 8 || digits.length > 15) {
      return {
        ok: false,
        reason: `Un número internacional debe tener entre 8 y 15 dígitos incluyendo el código de país; tiene ${digits.length}.`,
      };
    }
    return { ok: true, e164: `+${digits}` };
  }

  if (digits.startsWith("00")) {
    return {
      ok: false,
      reason:
        'Para números de otros países escriba el código de país con "+" (por ejemplo +1 212 555 0123) en lugar de "00".',
    };
  }
  let national = digits;
  if (national.length === 13 && (national.startsWith("044") || national.startsWith("045")))
    national = national.slice(3);
  else if (national.length === 12 && national.startsWith("01")) national = national.slice(2);
  // Country code typed without "+": "52 55 …" or "521 55 …". Unambiguous, since a national number
  // is exactly 10 digits.
  else if (national.length === 12 && national.startsWith("52")) national = national.slice(2);
  else if (national.length === 13 && national.startsWith("521")) national = national.slice(3);
  return mexican(national);
}
