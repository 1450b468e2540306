/**
 * JSON as Meta sends it: every non-ASCII character as \uXXXX and "/" as "\/". Same value as
 * JSON.stringify's, other bytes, so a signature over one does not verify the other; demo commands,
 * benchmarks and tests use it to send what Meta sends (plain ASCII, too, safe in a shell).
 */
export function metaEscapedJson(json: string): string {
  return json
    .replace(/\//g, "\\/")
    .replace(/[\u0080-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
