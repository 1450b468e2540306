/**
 * A small namespace-aware XML 1.0 parser, just enough for CFDI documents: elements, attributes,
 * text, CDATA, comments and processing instructions. Workers have no DOMParser, and a CFDI has to
 * be read the way an XSLT processor reads it (attribute-value normalisation, entity decoding,
 * namespace URIs rather than prefixes) for the cadena original to come out byte-exact.
 *
 * Document type declarations are rejected: a CFDI never has one, and internal subsets are the
 * door to entity-expansion attacks. Every document, whoever calls, is held to the limits in
 * limits.ts (size, depth, elements, attributes and namespace declarations), checked as the text is
 * read, and each step below is linear in the text under those limits.
 */
import type { LimitCode } from "./limits.ts";
import { MAX_ATTRIBUTES_PER_ELEMENT, MAX_NAMESPACES_PER_DOCUMENT, MAX_NAMESPACES_PER_ELEMENT, MAX_XML_CHARS, MAX_XML_DEPTH, MAX_XML_ELEMENTS } from "./limits.ts";

export type XmlAttribute = {
  readonly qname: string;
  readonly prefix: string;
  readonly local: string;
  readonly ns: string;
  readonly value: string;
};

export type XmlElement = {
  readonly qname: string;
  readonly prefix: string;
  readonly local: string;
  readonly ns: string;
  readonly attributes: XmlAttribute[];
  /** Child elements and text nodes (strings) in document order. */
  readonly children: (XmlElement | string)[];
  /** Offsets of the start tag in the source text, for error messages. */
  readonly start: number;
  /**
   * Set on the root element only: whether any attribute value in the document contains "|"
   * (lets the cadena take a one-pass shortcut when none does).
   */
  pipeInAttributes?: boolean;
};

export class XmlParseError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} (offset ${offset})`);
    this.name = "XmlParseError";
    this.offset = offset;
  }
}

/** A document past one of the limits in limits.ts: `code` is the limit's (LIMIT_MESSAGES has its Spanish text). */
export class XmlLimitError extends XmlParseError {
  readonly code: LimitCode;
  constructor(code: LimitCode, message: string, offset: number) {
    super(message, offset);
    this.name = "XmlLimitError";
    this.code = code;
  }
}

const XML_NS = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NS = "http://www.w3.org/2000/xmlns/";

const MALFORMED_ENTITY = "unknown or malformed entity reference";

function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

/**
 * Expands the five predefined entities and character references (`&#NN;`, `&#xHH;`) in `raw`,
 * which contains at least one "&" at or after `first`. Anything else after "&" is malformed (no DTD,
 * so no other entity can be declared). One indexOf per reference and slices between them: no regex
 * and no replace callback, which cost several times more on entity-heavy text.
 * Errors as the regex version reported them: a malformed reference anywhere wins over a reference to
 * a character XML forbids.
 */
function decodeEntities(raw: string, first: number, at: number): string {
  let out = "";
  let last = 0;
  let forbidden: string | undefined;
  for (let i = first; i >= 0; i = raw.indexOf("&", last)) {
    const semi = raw.indexOf(";", i + 1);
    if (semi < 0) throw new XmlParseError(MALFORMED_ENTITY, at);
    let rep: string;
    if (raw.charCodeAt(i + 1) === 35 /* # */) {
      const hex = raw.charCodeAt(i + 2) === 120; /* x */
      const from = i + (hex ? 3 : 2);
      if (from >= semi) throw new XmlParseError(MALFORMED_ENTITY, at);
      for (let k = from; k < semi; k++) {
        const c = raw.charCodeAt(k);
        const ok = (c >= 48 && c <= 57) || (hex && ((c >= 97 && c <= 102) || (c >= 65 && c <= 70)));
        if (!ok) throw new XmlParseError(MALFORMED_ENTITY, at);
      }
      const code = parseInt(raw.slice(from, semi), hex ? 16 : 10);
      if (isXmlChar(code)) {
        rep = String.fromCodePoint(code);
      } else {
        forbidden ??= raw.slice(i + 1, semi);
        rep = "";
      }
    } else {
      switch (raw.slice(i + 1, semi)) {
        case "amp":
          rep = "&";
          break;
        case "lt":
          rep = "<";
          break;
        case "gt":
          rep = ">";
          break;
        case "quot":
          rep = '"';
          break;
        case "apos":
          rep = "'";
          break;
        default:
          throw new XmlParseError(MALFORMED_ENTITY, at);
      }
    }
    out += raw.slice(last, i) + rep;
    last = semi + 1;
  }
  if (forbidden !== undefined) throw new XmlParseError(`character reference to a character XML forbids: ${forbidden}`, -1);
  return out + raw.slice(last);
}

function decodeText(raw: string, at: number): string {
  const amp = raw.indexOf("&");
  return amp < 0 ? raw : decodeEntities(raw, amp, at);
}

const ATTR_WS_RE = /[\t\n]/g;

/**
 * Set by parseXml: whether any attribute value in the document contains "|".
 */
let sawPipe = false;

/**
 * An element or attribute name split at its colon; every string in it is internalized. `slot` is
 * its place in the name cache (-1 for a name too long to cache). `next` is a guess: the attribute
 * name that followed this one (or, for an element name, came first) the last time — CFDI
 * attributes come in a fixed order, so the guess is nearly always right. Only a name that is
 * still in the cache gets a new guess, and eviction clears it, so what the cache retains stays
 * bounded (its names plus at most one evicted name each).
 */
type Name = { readonly qname: string; readonly prefix: string; readonly local: string; readonly slot: number; next: Name | undefined };

/**
 * Names are interned across documents: a CFDI uses a few dozen distinct names, and when every
 * `local`/`prefix` the tree exposes is one canonical internalized string, the comparisons the
 * cadena walk makes by the hundred (`attr`, `childElements`, duplicate-attribute checks, namespace
 * lookups) are pointer compares instead of character compares — which in a document with one
 * emoji are two-byte against one-byte. A fixed-size table indexed by a cheap hash of the name;
 * a hit is confirmed with `startsWith` on the document (no slice), a miss or collision replaces
 * the slot. Only speed depends on the cache: a `Name` always spells exactly the document's name.
 */
const NAME_SLOTS = 2048;
const MAX_CACHED_NAME = 128;
const nameCache: (Name | undefined)[] = new Array<Name | undefined>(NAME_SLOTS).fill(undefined);

/** The canonical (internalized) copy of `s`: property keys are internalized by the engine. */
function internalize(s: string): string {
  for (const k in { [s]: 0 }) return k;
  return s;
}

function nameSlot(text: string, start: number, end: number): number {
  const n = end - start;
  let h = Math.imul(n, 0x9e3779b1) ^ text.charCodeAt(start);
  h = Math.imul(h ^ text.charCodeAt(n > 1 ? start + 1 : start), 0x85ebca6b);
  h = Math.imul(h ^ text.charCodeAt(start + (n >> 1)), 0xc2b2ae35);
  h = Math.imul(h ^ text.charCodeAt(end - 1), 0x27d4eb2f);
  return (h ^ (h >>> 15)) & (NAME_SLOTS - 1);
}

/** The cached name spelled by text[start, end), if the cache holds it. */
function cachedName(text: string, start: number, end: number): Name | undefined {
  const hit = nameCache[nameSlot(text, start, end)];
  return hit !== undefined && hit.qname === text.slice(start, end) ? hit : undefined;
}

/** The name text[start, end), which `nameEnd` delimited (only such names enter the cache). */
function internName(text: string, start: number, end: number): Name {
  const slot = nameSlot(text, start, end);
  const slice = text.slice(start, end);
  const hit = nameCache[slot];
  if (hit !== undefined && hit.qname === slice) return hit;
  if (end - start > MAX_CACHED_NAME) {
    // Not worth keeping (no CFDI name is this long): the cache holds small strings only.
    const c = slice.indexOf(":");
    return { qname: slice, prefix: c < 0 ? "" : slice.slice(0, c), local: c < 0 ? slice : slice.slice(c + 1), slot: -1, next: undefined };
  }
  const qname = internalize(slice);
  const colon = qname.indexOf(":");
  const name: Name = colon < 0 ? { qname, prefix: "", local: qname, slot, next: undefined } : { qname, prefix: internalize(qname.slice(0, colon)), local: internalize(qname.slice(colon + 1)), slot, next: undefined };
  if (hit !== undefined) hit.next = undefined;
  nameCache[slot] = name;
  return name;
}

/**
 * Namespace URIs, internalized for the same reason (a handful per document). The cache lives as
 * long as the isolate and serves every caller: it keeps only URIs of a sensible length, and starts
 * over when full, so documents from outside can neither make it hold megabytes nor crowd the
 * SAT's URIs out of it for good.
 */
const nsCache = new Map<string, string>();
const NS_CACHE_SIZE = 256;
const MAX_CACHED_NS = 256;

function internNs(uri: string): string {
  if (uri.length > MAX_CACHED_NS) return uri;
  let c = nsCache.get(uri);
  if (c === undefined) {
    c = internalize(uri);
    if (nsCache.size >= NS_CACHE_SIZE) nsCache.clear();
    nsCache.set(c, c);
  }
  return c;
}

/**
 * The namespace bindings in scope, as a chain: each declaration links to the scope it extends, and
 * an element that declares nothing shares its parent's. (Copying a map per element made a
 * document with many declarations and many children quadratic.) A lookup walks at most
 * MAX_NAMESPACES_PER_DOCUMENT links; in a CFDI, two or three.
 */
type Scope = { readonly prefix: string; readonly uri: string; readonly parent: Scope | undefined };

const ROOT_SCOPE: Scope = { prefix: "xml", uri: XML_NS, parent: undefined };

function lookupNs(scope: Scope | undefined, prefix: string): string | undefined {
  for (let s = scope; s !== undefined; s = s.parent) if (s.prefix === prefix) return s.uri;
  return undefined;
}

type PendingElement = {
  name: Name;
  /** Flat [name, value, offset, …] triples, in document order. */
  rawAttrs: (Name | string | number)[];
  children: (XmlElement | string)[];
  start: number;
  scope: Scope;
};

/**
 * Up to this many attributes the duplicate check compares pairs (at most 120 compares of
 * internalized strings, cheaper than hashing); above it, a Set keeps it linear.
 */
const PAIRWISE_DUPLICATE_CHECK = 16;

/** Namespace well-formedness: no two attributes with the same expanded name. */
function checkDuplicates(attributes: readonly XmlAttribute[], raw: readonly (Name | string | number)[]): void {
  const n = attributes.length;
  if (n <= PAIRWISE_DUPLICATE_CHECK) {
    for (let i = 1; i < n; i++) {
      const a = attributes[i] as XmlAttribute;
      for (let j = 0; j < i; j++) {
        const b = attributes[j] as XmlAttribute;
        if (a.local === b.local && a.ns === b.ns) throw new XmlParseError(`duplicate attribute ${a.qname}`, raw[i * 3 + 2] as number);
      }
    }
    return;
  }
  // Names never contain a space, so "ns local" (or the bare local name, which has none, when
  // there is no namespace) is one key per expanded name.
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const a = attributes[i] as XmlAttribute;
    const key = a.ns === "" ? a.local : `${a.ns} ${a.local}`;
    if (seen.has(key)) throw new XmlParseError(`duplicate attribute ${a.qname}`, raw[i * 3 + 2] as number);
    seen.add(key);
  }
}

function finishElement(p: PendingElement): XmlElement {
  const scope = p.scope;
  const { qname, prefix, local } = p.name;
  const ns = prefix === "" ? (lookupNs(scope, "") ?? "") : lookupNs(scope, prefix);
  if (ns === undefined) throw new XmlParseError(`undeclared namespace prefix "${prefix}"`, p.start);
  const raw = p.rawAttrs;
  const attributes: XmlAttribute[] = [];
  for (let i = 0; i < raw.length; i += 3) {
    const name = raw[i] as Name;
    const value = raw[i + 1] as string;
    const aprefix = name.prefix;
    if (name.local === name.qname) {
      // no colon (a name like ":x" has an empty prefix but is still looked up as prefixed)
      attributes.push({ qname: name.qname, prefix: "", local: name.local, ns: name.qname === "xmlns" ? XMLNS_NS : "", value });
    } else {
      let ans: string | undefined;
      if (aprefix === "xmlns") ans = XMLNS_NS;
      else if (aprefix === "xml") ans = XML_NS;
      else ans = lookupNs(scope, aprefix);
      if (ans === undefined) throw new XmlParseError(`undeclared namespace prefix "${aprefix}"`, raw[i + 2] as number);
      attributes.push({ qname: name.qname, prefix: aprefix, local: name.local, ns: ans, value });
    }
  }
  if (attributes.length > 1) checkDuplicates(attributes, raw);
  return { qname, prefix, local, ns, attributes, children: p.children, start: p.start };
}

function isWs(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

function isNameStop(c: number): boolean {
  return c <= 32 || c === 47 || c === 62 || c === 61 || c === 34 || c === 39 || c === 60;
}

/** End of an XML name starting at `p` (stops at whitespace, '/', '>', '=', quotes, '<'). */
function nameEnd(text: string, p: number, len: number): number {
  while (p < len && !isNameStop(text.charCodeAt(p))) p++;
  return p;
}

function nextIndex(text: string, ch: string, from: number, len: number): number {
  const i = text.indexOf(ch, from);
  return i < 0 ? len : i;
}

/** Parses an XML document and returns its root element. */
export function parseXml(input: string): XmlElement {
  if (input.length > MAX_XML_CHARS) throw new XmlLimitError("XML_TOO_LARGE", `document larger than ${MAX_XML_CHARS} characters`, 0);
  let text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if (text.indexOf("\r") >= 0) text = text.replace(/\r\n?/g, "\n");
  const len = text.length;
  let pos = 0;
  const stack: PendingElement[] = [];
  let root: XmlElement | undefined;
  let elements = 0;
  let namespaces = 0;
  sawPipe = false;
  // Next position (≥ the last value start looked at) of each character attribute values care about; len = none.
  let ltAt = -1;
  let ampAt = -1;
  let tabAt = -1;
  let nlAt = -1;
  let pipeAt = -1;
  let eqAt = -1;

  while (pos < len) {
    // ltAt, when at or after pos, is already the next "<" (none lies between the attribute value
    // it was searched from and ltAt).
    const lt = ltAt >= pos ? (ltAt < len ? ltAt : -1) : text.indexOf("<", pos);
    const end = lt < 0 ? len : lt;
    if (end > pos) {
      const raw = text.slice(pos, end);
      const top = stack[stack.length - 1];
      if (top) {
        if (raw.indexOf("]]>") >= 0) throw new XmlParseError("']]>' is not allowed in text", pos);
        top.children.push(decodeText(raw, pos));
      } else if (/\S/.test(raw)) {
        throw new XmlParseError("text outside the root element", pos);
      }
    }
    if (lt < 0) break;
    pos = lt;
    const c = text.charCodeAt(pos + 1);
    if (c === 33 /* ! */) {
      if (text.startsWith("<!--", pos)) {
        const close = text.indexOf("-->", pos + 4);
        if (close < 0) throw new XmlParseError("unterminated comment", pos);
        pos = close + 3;
      } else if (text.startsWith("<![CDATA[", pos)) {
        const close = text.indexOf("]]>", pos + 9);
        if (close < 0) throw new XmlParseError("unterminated CDATA section", pos);
        const top = stack[stack.length - 1];
        if (!top) throw new XmlParseError("CDATA outside the root element", pos);
        top.children.push(text.slice(pos + 9, close));
        pos = close + 3;
      } else {
        throw new XmlParseError("document type declarations are not accepted", pos);
      }
    } else if (c === 63 /* ? */) {
      const close = text.indexOf("?>", pos + 2);
      if (close < 0) throw new XmlParseError("unterminated processing instruction", pos);
      pos = close + 2;
    } else if (c === 47 /* / */) {
      const top = stack.pop();
      // The end tag must repeat the open element's name: compare it in place instead of
      // scanning a name out of the text first.
      let p = top ? pos + 2 + top.name.qname.length : 0;
      if (!top || (p < len && !isNameStop(text.charCodeAt(p))) || text.slice(pos + 2, p) !== top.name.qname) {
        throw new XmlParseError(`end tag </${text.slice(pos + 2, nameEnd(text, pos + 2, len))}> does not match`, pos);
      }
      while (p < len && isWs(text.charCodeAt(p))) p++;
      if (text.charCodeAt(p) !== 62) throw new XmlParseError("malformed end tag", pos);
      pos = p + 1;
      const el = finishElement(top);
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else root = el;
    } else {
      if (root) throw new XmlParseError("content after the root element", pos);
      if (++elements > MAX_XML_ELEMENTS) throw new XmlLimitError("XML_TOO_MANY_ELEMENTS", `more than ${MAX_XML_ELEMENTS} elements`, pos);
      const ne = nameEnd(text, pos + 1, len);
      if (ne === pos + 1) throw new XmlParseError("malformed start tag", pos);
      const elName = internName(text, pos + 1, ne);
      const qname = elName.qname;
      let p = ne;
      const rawAttrs: (Name | string | number)[] = [];
      let prev = elName;
      let scope = stack.length ? (stack[stack.length - 1] as PendingElement).scope : ROOT_SCOPE;
      let declaredHere = 0;
      for (;;) {
        const before = p;
        while (p < len && isWs(text.charCodeAt(p))) p++;
        const ch = text.charCodeAt(p);
        if (ch === 62 /* > */ || ch === 47 /* / */ || p >= len) break;
        if (p === before) throw new XmlParseError("attributes must be separated by whitespace", p);
        const at = p;
        if (rawAttrs.length === MAX_ATTRIBUTES_PER_ELEMENT * 3) throw new XmlLimitError("XML_TOO_MANY_ATTRIBUTES", `more than ${MAX_ATTRIBUTES_PER_ELEMENT} attributes on <${qname}>`, at);
        // Only names nameEnd delimited enter the cache, so a cached name found at p and followed
        // by "=" is exactly what the character scan would return. First guess: the name that
        // followed the previous one last time; then text[p, next "=") looked up in the cache
        // (eqAt only moves forward, so the search stays linear); then the scan.
        let attrName: Name | undefined;
        let nEnd = -1;
        const guess = prev.next;
        if (guess !== undefined) {
          const e = p + guess.qname.length;
          if (text.charCodeAt(e) === 61 /* = */ && text.slice(p, e) === guess.qname) {
            attrName = guess;
            nEnd = e;
          }
        }
        if (attrName === undefined) {
          if (eqAt < p) eqAt = nextIndex(text, "=", p, len);
          if (eqAt - p <= 64 && eqAt > p) {
            attrName = cachedName(text, p, eqAt);
            nEnd = eqAt;
          }
          if (attrName === undefined) {
            nEnd = nameEnd(text, p, len);
            if (nEnd === p) throw new XmlParseError(`malformed start tag <${qname}>`, pos);
            attrName = internName(text, p, nEnd);
          }
          if (prev.slot >= 0 && nameCache[prev.slot] === prev) prev.next = attrName;
        }
        prev = attrName;
        const name = attrName.qname;
        p = nEnd;
        if (text.charCodeAt(p) === 61 /* = */) p++;
        else {
          while (p < len && isWs(text.charCodeAt(p))) p++;
          if (text.charCodeAt(p) !== 61 /* = */) throw new XmlParseError(`attribute ${name} without value`, at);
          p++;
        }
        let q = text.charCodeAt(p);
        if (q !== 34 && q !== 39) {
          while (p < len && isWs(text.charCodeAt(p))) p++;
          q = text.charCodeAt(p);
        }
        if (q !== 34 && q !== 39) throw new XmlParseError(`attribute ${name} value must be quoted`, at);
        const vStart = p + 1;
        const close = text.indexOf(q === 34 ? '"' : "'", vStart);
        if (close < 0) throw new XmlParseError("unterminated attribute value", at);
        // Which special characters the value holds, from per-document "next occurrence" pointers
        // that only move forward: a few native indexOf scans per document instead of a regex
        // test per value (the 2.7 KiB Certificado and 344-character Sello included).
        if (ltAt < vStart) ltAt = nextIndex(text, "<", vStart, len);
        if (ltAt < close) throw new XmlParseError("'<' is not allowed in attribute values", at);
        let value = text.slice(vStart, close);
        if (pipeAt < vStart) pipeAt = nextIndex(text, "|", vStart, len);
        if (pipeAt < close) sawPipe = true;
        if (tabAt < vStart) tabAt = nextIndex(text, "\t", vStart, len);
        if (nlAt < vStart) nlAt = nextIndex(text, "\n", vStart, len);
        // XML 1.0 §3.3.3: literal tab and LF (CR was already folded into LF) become spaces before
        // character references are expanded (a `&#10;` survives as a newline).
        if (tabAt < close || nlAt < close) value = value.replace(ATTR_WS_RE, " ");
        if (ampAt < vStart) ampAt = nextIndex(text, "&", vStart, len);
        if (ampAt < close) value = decodeEntities(value, value.indexOf("&"), at);
        if (name === "xmlns" || attrName.prefix === "xmlns") {
          if (++declaredHere > MAX_NAMESPACES_PER_ELEMENT) throw new XmlLimitError("XML_TOO_MANY_NAMESPACES_IN_ELEMENT", `more than ${MAX_NAMESPACES_PER_ELEMENT} namespace declarations on <${qname}>`, at);
          if (++namespaces > MAX_NAMESPACES_PER_DOCUMENT) throw new XmlLimitError("XML_TOO_MANY_NAMESPACES", `more than ${MAX_NAMESPACES_PER_DOCUMENT} namespace declarations in the document`, at);
          scope = { prefix: name === "xmlns" ? "" : attrName.local, uri: internNs(value), parent: scope };
        }
        rawAttrs.push(attrName, value, at);
        p = close + 1;
      }
      let selfClosing = false;
      if (text.charCodeAt(p) === 47 /* / */) {
        selfClosing = true;
        p++;
      }
      if (text.charCodeAt(p) !== 62 /* > */) throw new XmlParseError(`malformed start tag <${qname}>`, pos);
      const pending: PendingElement = { name: elName, rawAttrs, children: [], start: pos, scope };
      pos = p + 1;
      if (selfClosing) {
        const el = finishElement(pending);
        const parent = stack[stack.length - 1];
        if (parent) parent.children.push(el);
        else root = el;
      } else {
        if (stack.length >= MAX_XML_DEPTH) throw new XmlLimitError("XML_TOO_DEEP", `elements nested deeper than ${MAX_XML_DEPTH} levels`, pos);
        stack.push(pending);
      }
    }
  }
  if (stack.length) throw new XmlParseError(`unclosed element <${(stack[stack.length - 1] as PendingElement).name.qname}>`, len);
  if (!root) throw new XmlParseError("no root element", 0);
  root.pipeInAttributes = sawPipe;
  return root;
}

let cursorEl: XmlElement | undefined;
let cursorAt = 0;

/**
 * Value of an attribute without namespace (how XPath `@Name` selects), or undefined.
 * The search starts after the attribute the previous lookup on the same element found: callers
 * ask in document order (the cadena walks attributes in Anexo 20 order, which is how CFDI are
 * written), so most lookups compare one name. The parser rejects two attributes with the same
 * expanded name, so where the search starts cannot change the answer.
 */
export function attr(el: XmlElement, local: string): string | undefined {
  const list = el.attributes;
  const n = list.length;
  let i = el === cursorEl && cursorAt < n ? cursorAt : 0;
  for (let k = 0; k < n; k++) {
    const a = list[i] as XmlAttribute;
    if (a.local === local && a.ns === "") {
      cursorEl = el;
      cursorAt = i + 1;
      return a.value;
    }
    if (++i === n) i = 0;
  }
  return undefined;
}

const NONE: readonly XmlElement[] = Object.freeze([]);

/** Child elements named {ns}local, in document order (a shared empty array when there are none). */
export function childElements(el: XmlElement, ns: string, local: string): readonly XmlElement[] {
  let out: XmlElement[] | undefined;
  for (const c of el.children) if (typeof c !== "string" && c.local === local && c.ns === ns) (out ??= []).push(c);
  return out ?? NONE;
}

export function firstChild(el: XmlElement, ns: string, local: string): XmlElement | undefined {
  for (const c of el.children) if (typeof c !== "string" && c.local === local && c.ns === ns) return c;
  return undefined;
}

export function elementChildren(el: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) if (typeof c !== "string") out.push(c);
  return out;
}

/** Descendant elements (not self) in document order, like XPath `.//ns:local`. */
export function descendants(el: XmlElement, ns: string, local: string): readonly XmlElement[] {
  let out: XmlElement[] | undefined;
  const visit = (e: XmlElement) => {
    for (const c of e.children) {
      if (typeof c === "string") continue;
      if (c.local === local && c.ns === ns) (out ??= []).push(c);
      if (c.children.length) visit(c);
    }
  };
  visit(el);
  return out ?? NONE;
}
