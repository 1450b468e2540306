import type { PDFFont } from "pdf-lib";

// The standard PDF fonts encode WinAnsi only (all of Spanish, but no emoji or CJK); pdf-lib throws
// on anything else. Text for them goes through here: line breaks and tabs become spaces, and a
// character the font cannot encode becomes "?".

const charsets = new WeakMap<PDFFont, Set<number>>();

export function encodableText(font: PDFFont, text: string): string {
  let set = charsets.get(font);
  if (!set) {
    set = new Set(font.getCharacterSet());
    charsets.set(font, set);
  }
  let out = "";
  for (const ch of text.replace(/[\t\r\n]+/g, " ")) out += set.has(ch.codePointAt(0) ?? 0) ? ch : "?";
  return out;
}
