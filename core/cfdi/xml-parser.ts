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
 *
 * Each call to `parseXml` reads with its own `DocumentReader`, which holds everything that depends
 * on the document. The only state shared between calls is two interning caches (names and
 * namespace URIs) that make reading faster and never change what is read.
 */
import type { LimitCode } from "./limits.ts";
import {
  MAX_ATTRIBUTES_PER_ELEMENT,
  MAX_NAMESPACES_PER_DOCUMENT,
  MAX_NAMESPACES_PER_ELEMENT,
  MAX_XML_CHARS,
  MAX_XML_DEPTH,
  MAX_XML_ELEMENTS,
} from "./limits.ts";

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
  readonly pipeInAttributes?: boolean;
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

/** Parses an XML document and returns its root element. */
export function parseXml(input: string): XmlElement {
  if (input.length > MAX_XML_CHARS)
    throw new XmlLimitError("XML_TOO_LARGE", `document larger than ${MAX_XML_CHARS} characters`, 0);
  return new DocumentReader(input).read();
}

// ---------------------------------------------------------------------------------------------
// Character data: entities and attribute values
// ---------------------------------------------------------------------------------------------

const XML_NS = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NS = "http://www.w3.org/2000/xmlns/";

const MALFORMED_ENTITY = "unknown or malformed entity reference";
const ATTR_WS_RE = /[\t\n]/g;
const NON_WS_RE = /\S/;

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

/**
 * Expands the five predefined entities and character references (`&#NN;`, `&#xHH;`) in `raw`,
 * which contains at least one "&" at or after `first`. Anything else after "&" is malformed (no DTD,
 * so no other entity can be declared). One indexOf per reference and slices between them: no regex
 * and no replace callback, which cost several times more on entity-heavy text.
 * A malformed reference anywhere in `raw` is reported in preference to a reference to a character
 * XML forbids, so the forbidden one is only reported once the whole text has been read.
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
  if (forbidden !== undefined)
    throw new XmlParseError(`character reference to a character XML forbids: ${forbidden}`, -1);
  return out + raw.slice(last);
}

function decodeText(raw: string, at: number): string {
  const amp = raw.indexOf("&");
  return amp < 0 ? raw : decodeEntities(raw, amp, at);
}

/**
 * The next occurrence of one character in a document, for callers that ask from positions that
 * never decrease: each occurrence is found by one native indexOf, however many values lie between
 * two of them. (A regex test or indexOf per attribute value would rescan the 2.7 KiB Certificado
 * and the Sello once per character of interest.)
 */
class NextChar {
  private readonly text: string;
  private readonly ch: string;
  private at = -1;
  constructor(text: string, ch: string) {
    this.text = text;
    this.ch = ch;
  }

  /** Position of the first `ch` at or after `from` (the text's length if there is none). */
  from(from: number): number {
    return this.at >= from ? this.at : this.seek(from);
  }

  private seek(from: number): number {
    const i = this.text.indexOf(this.ch, from);
    this.at = i < 0 ? this.text.length : i;
    return this.at;
  }
}

// ---------------------------------------------------------------------------------------------
// Names and namespaces
// ---------------------------------------------------------------------------------------------

/**
 * An element or attribute name split at its colon; every string in it is internalized. `slot` is
 * its place in the name cache (-1 for a name too long to cache); `next` is the cache's guess at
 * the attribute name that follows it.
 */
type Name = {
  readonly qname: string;
  readonly prefix: string;
  readonly local: string;
  readonly slot: number;
  next: Name | undefined;
};

const NAME_SLOTS = 2048;
const MAX_CACHED_NAME = 128;

/** The canonical (internalized) copy of `s`: property keys are internalized by the engine. */
function internalize(s: string): string {
  for (const k in { [s]: 0 }) return k;
  return s;
}

/**
 * Element and attribute names, interned across documents. A CFDI uses a few dozen distinct names,
 * and when every `local`/`prefix` the tree exposes is one canonical internalized string, the
 * comparisons the cadena walk makes by the hundred (attribute lookups, `childElements`,
 * duplicate-attribute checks, namespace lookups) are pointer compares instead of character
 * compares — which in a document with one emoji are two-byte against one-byte.
 *
 * A pure cache: a name found in it always spells exactly the text it was found at, and a guess
 * (`next`: the name that followed this one the last time — CFDI attributes come in a fixed order,
 * so it is nearly always right) is checked against the text before it is used. What it holds
 * changes how fast a document is read, never what is read, so one instance serves the isolate.
 * A fixed-size table indexed by a cheap hash of the name; a miss or collision replaces the slot.
 * Only a name still in its slot gets a new guess, and eviction clears the guess, so what the cache
 * retains stays bounded (its names plus at most one evicted name each).
 */
class NameCache {
  private readonly slots = new Array<Name | undefined>(NAME_SLOTS).fill(undefined);

  /** The cached name spelled by text[start, end), if the cache holds it. */
  find(text: string, start: number, end: number): Name | undefined {
    const hit = this.slots[slotOf(text, start, end)];
    return hit !== undefined && hit.qname === text.slice(start, end) ? hit : undefined;
  }

  /** The name text[start, end), which `nameEnd` delimited (only such names enter the cache). */
  intern(text: string, start: number, end: number): Name {
    const slot = slotOf(text, start, end);
    const slice = text.slice(start, end);
    const hit = this.slots[slot];
    if (hit !== undefined && hit.qname === slice) return hit;
    if (end - start > MAX_CACHED_NAME) {
      // Not worth keeping (no CFDI name is this long): the cache holds small strings only.
      const c = slice.indexOf(":");
      return {
        qname: slice,
        prefix: c < 0 ? "" : slice.slice(0, c),
        local: c < 0 ? slice : slice.slice(c + 1),
        slot: -1,
        next: undefined,
      };
    }
    const qname = internalize(slice);
    const colon = qname.indexOf(":");
    const name: Name =
      colon < 0
        ? { qname, prefix: "", local: qname, slot, next: undefined }
        : {
            qname,
            prefix: internalize(qname.slice(0, colon)),
            local: internalize(qname.slice(colon + 1)),
            slot,
            next: undefined,
          };
    if (hit !== undefined) hit.next = undefined;
    this.slots[slot] = name;
    return name;
  }

  /** Records that `next` followed `name`, if `name` is still cached. */
  remember(name: Name, next: Name): void {
    if (name.slot >= 0 && this.slots[name.slot] === name) name.next = next;
  }
}

function slotOf(text: string, start: number, end: number): number {
  const n = end - start;
  let h = Math.imul(n, 0x9e3779b1) ^ text.charCodeAt(start);
  h = Math.imul(h ^ text.charCodeAt(n > 1 ? start + 1 : start), 0x85ebca6b);
  h = Math.imul(h ^ text.charCodeAt(start + (n >> 1)), 0xc2b2ae35);
  h = Math.imul(h ^ text.charCodeAt(end - 1), 0x27d4eb2f);
  return (h ^ (h >>> 15)) & (NAME_SLOTS - 1);
}

const names = new NameCache();

/**
 * Namespace URIs, internalized for the same reason as names (a handful per document). A pure
 * cache too, shared by every caller for as long as the isolate lives: it keeps only URIs of a
 * sensible length, and starts over when full, so documents from outside can neither make it hold
 * megabytes nor crowd the SAT's URIs out of it for good.
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
 * an element that declares nothing shares its parent's, so a document with many declarations and
 * many children costs no copying per element. A lookup walks at most MAX_NAMESPACES_PER_DOCUMENT
 * links; in a CFDI, two or three.
 */
type Scope = { readonly prefix: string; readonly uri: string; readonly parent: Scope | undefined };

const ROOT_SCOPE: Scope = { prefix: "xml", uri: XML_NS, parent: undefined };

function lookupNs(scope: Scope | undefined, prefix: string): string | undefined {
  for (let s = scope; s !== undefined; s = s.parent) if (s.prefix === prefix) return s.uri;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Elements
// ---------------------------------------------------------------------------------------------

/** An element whose start tag has been read; its prefixes are resolved when it is finished. */
type PendingElement = {
  readonly name: Name;
  /** Flat [name, value, offset, …] triples, in document order. */
  readonly rawAttrs: (Name | string | number)[];
  readonly children: (XmlElement | string)[];
  readonly start: number;
  /** The bindings in scope: the parent's, extended by each declaration on this element. */
  scope: Scope;
  /** Namespace declarations on this element. */
  declarations: number;
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
        if (a.local === b.local && a.ns === b.ns)
          throw new XmlParseError(`duplicate attribute ${a.qname}`, raw[i * 3 + 2] as number);
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

/** Resolves the prefixes of an element and its attributes (all its declarations are known by now). */
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
      attributes.push({
        qname: name.qname,
        prefix: "",
        local: name.local,
        ns: name.qname === "xmlns" ? XMLNS_NS : "",
        value,
      });
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

function skipWs(text: string, p: number, len: number): number {
  while (p < len && isWs(text.charCodeAt(p))) p++;
  return p;
}

function isNameStop(c: number): boolean {
  return c <= 32 || c === 47 || c === 62 || c === 61 || c === 34 || c === 39 || c === 60;
}

/** End of an XML name starting at `p` (stops at whitespace, '/', '>', '=', quotes, '<'). */
function nameEnd(text: string, p: number, len: number): number {
  while (p < len && !isNameStop(text.charCodeAt(p))) p++;
  return p;
}

// ---------------------------------------------------------------------------------------------
// The reader: one per document
// ---------------------------------------------------------------------------------------------

/**
 * Reads one document from the start: `read` alternates character data and markup, and each
 * `read…` method below reads one construct starting at the position it is given and returns the
 * position after it.
 */
class DocumentReader {
  private readonly text: string;
  private readonly len: number;
  /** Elements whose start tag has been read and whose end tag has not, outermost first. */
  private readonly open: PendingElement[] = [];
  private root: XmlElement | undefined;
  private elements = 0;
  private namespaces = 0;
  /** Whether any attribute value read so far contains "|". */
  private pipeInAttributes = false;
  // The characters markup and attribute values care about.
  private readonly lt: NextChar;
  private readonly eq: NextChar;
  private readonly amp: NextChar;
  private readonly tab: NextChar;
  private readonly nl: NextChar;
  private readonly pipe: NextChar;

  constructor(input: string) {
    let text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
    // XML 1.0 §2.11: CR LF and lone CR are read as LF.
    if (text.indexOf("\r") >= 0) text = text.replace(/\r\n?/g, "\n");
    this.text = text;
    this.len = text.length;
    this.lt = new NextChar(text, "<");
    this.eq = new NextChar(text, "=");
    this.amp = new NextChar(text, "&");
    this.tab = new NextChar(text, "\t");
    this.nl = new NextChar(text, "\n");
    this.pipe = new NextChar(text, "|");
  }

  read(): XmlElement {
    const len = this.len;
    let pos = 0;
    while (pos < len) {
      const lt = this.lt.from(pos);
      if (lt > pos) this.readText(pos, lt);
      if (lt === len) break;
      pos = this.readMarkup(lt);
    }
    const unclosed = this.open[this.open.length - 1];
    if (unclosed) throw new XmlParseError(`unclosed element <${unclosed.name.qname}>`, this.len);
    if (!this.root) throw new XmlParseError("no root element", 0);
    return this.root;
  }

  private readText(start: number, end: number): void {
    const raw = this.text.slice(start, end);
    const parent = this.open[this.open.length - 1];
    if (parent) {
      if (raw.indexOf("]]>") >= 0) throw new XmlParseError("']]>' is not allowed in text", start);
      parent.children.push(decodeText(raw, start));
    } else if (NON_WS_RE.test(raw)) {
      throw new XmlParseError("text outside the root element", start);
    }
  }

  /** Whatever starts with the "<" at `lt`. */
  private readMarkup(lt: number): number {
    const c = this.text.charCodeAt(lt + 1);
    if (c === 47 /* / */) return this.readEndTag(lt);
    if (c === 63 /* ? */) return this.readProcessingInstruction(lt);
    if (c !== 33 /* ! */) return this.readStartTag(lt);
    if (this.text.startsWith("<!--", lt)) return this.readComment(lt);
    if (this.text.startsWith("<![CDATA[", lt)) return this.readCData(lt);
    throw new XmlParseError("document type declarations are not accepted", lt);
  }

  /** Skipped: nothing in a comment reaches the tree. */
  private readComment(lt: number): number {
    const close = this.text.indexOf("-->", lt + 4);
    if (close < 0) throw new XmlParseError("unterminated comment", lt);
    return close + 3;
  }

  /** Skipped, the XML declaration included: nothing in a CFDI depends on one. */
  private readProcessingInstruction(lt: number): number {
    const close = this.text.indexOf("?>", lt + 2);
    if (close < 0) throw new XmlParseError("unterminated processing instruction", lt);
    return close + 2;
  }

  /** A text node, taken verbatim. */
  private readCData(lt: number): number {
    const close = this.text.indexOf("]]>", lt + 9);
    if (close < 0) throw new XmlParseError("unterminated CDATA section", lt);
    const parent = this.open[this.open.length - 1];
    if (!parent) throw new XmlParseError("CDATA outside the root element", lt);
    parent.children.push(this.text.slice(lt + 9, close));
    return close + 3;
  }

  private readEndTag(lt: number): number {
    const { text, len } = this;
    const el = this.open.pop();
    // The end tag must repeat the open element's name: compared in place, without scanning a
    // name out of the text first.
    let p = el ? lt + 2 + el.name.qname.length : 0;
    if (!el || (p < len && !isNameStop(text.charCodeAt(p))) || text.slice(lt + 2, p) !== el.name.qname) {
      throw new XmlParseError(`end tag </${text.slice(lt + 2, nameEnd(text, lt + 2, len))}> does not match`, lt);
    }
    p = skipWs(text, p, len);
    if (text.charCodeAt(p) !== 62 /* > */) throw new XmlParseError("malformed end tag", lt);
    this.attach(this.open[this.open.length - 1], finishElement(el));
    return p + 1;
  }

  private readStartTag(lt: number): number {
    if (this.root) throw new XmlParseError("content after the root element", lt);
    if (++this.elements > MAX_XML_ELEMENTS)
      throw new XmlLimitError("XML_TOO_MANY_ELEMENTS", `more than ${MAX_XML_ELEMENTS} elements`, lt);
    const text = this.text;
    const end = nameEnd(text, lt + 1, this.len);
    if (end === lt + 1) throw new XmlParseError("malformed start tag", lt);
    const parent = this.open[this.open.length - 1];
    const el: PendingElement = {
      name: names.intern(text, lt + 1, end),
      rawAttrs: [],
      children: [],
      start: lt,
      scope: parent ? parent.scope : ROOT_SCOPE,
      declarations: 0,
    };
    let p = this.readAttributes(el, end);
    const selfClosing = text.charCodeAt(p) === 47; /* / */
    if (selfClosing) p++;
    if (text.charCodeAt(p) !== 62 /* > */) throw new XmlParseError(`malformed start tag <${el.name.qname}>`, lt);
    if (selfClosing) {
      this.attach(parent, finishElement(el));
    } else {
      if (this.open.length >= MAX_XML_DEPTH)
        throw new XmlLimitError("XML_TOO_DEEP", `elements nested deeper than ${MAX_XML_DEPTH} levels`, p + 1);
      this.open.push(el);
    }
    return p + 1;
  }

  /** Adds a finished element to its parent, or makes it the root. */
  private attach(parent: PendingElement | undefined, el: XmlElement): void {
    if (parent) parent.children.push(el);
    // The root is finished last, after every attribute value in the document has been read.
    else this.root = { ...el, pipeInAttributes: this.pipeInAttributes };
  }

  /** The attributes after an element name ending at `p`; returns where they stop (at '/', '>' or the end of the text). */
  private readAttributes(el: PendingElement, p: number): number {
    const { text, len } = this;
    for (;;) {
      const before = p;
      p = skipWs(text, p, len);
      const c = text.charCodeAt(p);
      if (c === 62 /* > */ || c === 47 /* / */ || p >= len) return p;
      if (p === before) throw new XmlParseError("attributes must be separated by whitespace", p);
      if (el.rawAttrs.length === MAX_ATTRIBUTES_PER_ELEMENT * 3)
        throw new XmlLimitError(
          "XML_TOO_MANY_ATTRIBUTES",
          `more than ${MAX_ATTRIBUTES_PER_ELEMENT} attributes on <${el.name.qname}>`,
          p,
        );
      p = this.readAttribute(el, p);
    }
  }

  /** `name = "value"` (or with single quotes) at `at`, added to `el`. */
  private readAttribute(el: PendingElement, at: number): number {
    const { text, len } = this;
    const raw = el.rawAttrs;
    const name = this.readAttributeName(raw.length > 0 ? (raw[raw.length - 3] as Name) : el.name, at, el);
    // Every way of reading the name matches the text exactly, so it ends at its length.
    let p = at + name.qname.length;
    if (text.charCodeAt(p) !== 61 /* = */) {
      p = skipWs(text, p, len);
      if (text.charCodeAt(p) !== 61 /* = */) throw new XmlParseError(`attribute ${name.qname} without value`, at);
    }
    p = skipWs(text, p + 1, len);
    const q = text.charCodeAt(p);
    if (q !== 34 /* " */ && q !== 39 /* ' */)
      throw new XmlParseError(`attribute ${name.qname} value must be quoted`, at);
    const close = text.indexOf(q === 34 ? '"' : "'", p + 1);
    if (close < 0) throw new XmlParseError("unterminated attribute value", at);
    const value = this.attributeValue(p + 1, close, at);
    if (name.qname === "xmlns" || name.prefix === "xmlns") this.declareNamespace(el, name, value, at);
    raw.push(name, value, at);
    return close + 1;
  }

  /**
   * The attribute name at `at`, `prev` being the name before it in the tag (the element's own name
   * for the first attribute). Only names `nameEnd` delimited enter the cache, so a cached name
   * found at `at` and followed by "=" is exactly what the character scan would return. Tried in
   * order: the name that followed `prev` last time, the cached name spelling text[at, next "="),
   * and the scan.
   */
  private readAttributeName(prev: Name, at: number, el: PendingElement): Name {
    const text = this.text;
    const guess = prev.next;
    if (guess !== undefined) {
      const end = at + guess.qname.length;
      if (text.charCodeAt(end) === 61 /* = */ && text.slice(at, end) === guess.qname) return guess;
    }
    const eq = this.eq.from(at);
    let name = eq > at && eq - at <= 64 ? names.find(text, at, eq) : undefined;
    if (name === undefined) {
      const end = nameEnd(text, at, this.len);
      if (end === at) throw new XmlParseError(`malformed start tag <${el.name.qname}>`, el.start);
      name = names.intern(text, at, end);
    }
    names.remember(prev, name);
    return name;
  }

  /**
   * The value between quotes at [start, close). XML 1.0 §3.3.3: literal tab and LF (CR was already
   * folded into LF) become spaces before character references are expanded, so a `&#10;` survives
   * as a newline.
   */
  private attributeValue(start: number, close: number, at: number): string {
    if (this.lt.from(start) < close) throw new XmlParseError("'<' is not allowed in attribute values", at);
    if (this.pipe.from(start) < close) this.pipeInAttributes = true;
    let value = this.text.slice(start, close);
    if (this.tab.from(start) < close || this.nl.from(start) < close) value = value.replace(ATTR_WS_RE, " ");
    if (this.amp.from(start) < close) value = decodeEntities(value, value.indexOf("&"), at);
    return value;
  }

  /** `xmlns="uri"` or `xmlns:p="uri"` on `el`: in scope for `el` and its descendants. */
  private declareNamespace(el: PendingElement, name: Name, uri: string, at: number): void {
    const qname = el.name.qname;
    if (++el.declarations > MAX_NAMESPACES_PER_ELEMENT)
      throw new XmlLimitError(
        "XML_TOO_MANY_NAMESPACES_IN_ELEMENT",
        `more than ${MAX_NAMESPACES_PER_ELEMENT} namespace declarations on <${qname}>`,
        at,
      );
    if (++this.namespaces > MAX_NAMESPACES_PER_DOCUMENT)
      throw new XmlLimitError(
        "XML_TOO_MANY_NAMESPACES",
        `more than ${MAX_NAMESPACES_PER_DOCUMENT} namespace declarations in the document`,
        at,
      );
    el.scope = { prefix: name.qname === "xmlns" ? "" : name.local, uri: internNs(uri), parent: el.scope };
  }
}

// ---------------------------------------------------------------------------------------------
// Reading the tree
// ---------------------------------------------------------------------------------------------

/** Value of an attribute without namespace (how XPath `@Name` selects), or undefined. */
export function attr(el: XmlElement, local: string): string | undefined {
  for (const a of el.attributes) if (a.local === local && a.ns === "") return a.value;
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
