/**
 * A small namespace-aware XML 1.0 parser, just enough for CFDI documents: elements, attributes,
 * text, CDATA, comments and processing instructions. Workers have no DOMParser, and a CFDI has to
 * be read the way an XSLT processor reads it (attribute-value normalisation, entity decoding,
 * namespace URIs rather than prefixes) for the cadena original to come out byte-exact.
 *
 * Document type declarations are rejected: a CFDI never has one, and internal subsets are the
 * door to entity-expansion attacks.
 */

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
};

export class XmlParseError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} (offset ${offset})`);
    this.name = "XmlParseError";
    this.offset = offset;
  }
}

const XML_NS = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NS = "http://www.w3.org/2000/xmlns/";

const NAME_RE = /[^\s/>=<"']+/y;
const ATTR_RE = /\s*([^\s/>=<"']+)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;
const ENTITY_RE = /&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g;
const PREDEFINED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decodeEntity(_m: string, body: string): string {
  if (body.charCodeAt(0) === 35 /* # */) {
    const code = body.charCodeAt(1) === 120 /* x */ ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
    if (!(code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff))) {
      throw new XmlParseError(`character reference to a character XML forbids: ${body}`, -1);
    }
    return String.fromCodePoint(code);
  }
  return PREDEFINED[body] as string;
}

const BAD_AMP_RE = /&(?!(?:#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);)/;

function decodeText(raw: string, at: number): string {
  if (raw.indexOf("&") < 0) return raw;
  if (BAD_AMP_RE.test(raw)) throw new XmlParseError("unknown or malformed entity reference", at);
  return raw.replace(ENTITY_RE, decodeEntity);
}

/**
 * XML 1.0 §3.3.3: literal tab, CR and LF in an attribute value become spaces before character
 * references are expanded (a `&#10;` survives as a newline). Line ends were already normalised.
 */
function decodeAttribute(raw: string, at: number): string {
  let v = raw;
  if (/[\t\n\r]/.test(v)) v = v.replace(/[\t\n\r]/g, " ");
  return decodeText(v, at);
}

type Scope = { map: Map<string, string> };

type PendingElement = {
  qname: string;
  rawAttrs: [string, string, number][];
  children: (XmlElement | string)[];
  start: number;
  scope: Map<string, string>;
  prefix: string;
  local: string;
};

function splitName(qname: string): [string, string] {
  const i = qname.indexOf(":");
  return i < 0 ? ["", qname] : [qname.slice(0, i), qname.slice(i + 1)];
}

function finishElement(p: PendingElement): XmlElement {
  const scope = p.scope;
  const ns = p.prefix === "" ? (scope.get("") ?? "") : scope.get(p.prefix);
  if (ns === undefined) throw new XmlParseError(`undeclared namespace prefix "${p.prefix}"`, p.start);
  const attributes: XmlAttribute[] = [];
  const seen = new Set<string>();
  for (const [qname, value, at] of p.rawAttrs) {
    const [prefix, local] = splitName(qname);
    let ans = "";
    if (prefix === "xmlns" || qname === "xmlns") ans = XMLNS_NS;
    else if (prefix === "xml") ans = XML_NS;
    else if (prefix !== "") {
      const u = scope.get(prefix);
      if (u === undefined) throw new XmlParseError(`undeclared namespace prefix "${prefix}"`, at);
      ans = u;
    }
    const key = `${ans}|${local}`;
    if (seen.has(key)) throw new XmlParseError(`duplicate attribute ${qname}`, at);
    seen.add(key);
    attributes.push({ qname, prefix, local, ns: ans, value });
  }
  return { qname: p.qname, prefix: p.prefix, local: p.local, ns, attributes, children: p.children, start: p.start };
}

/** Parses an XML document and returns its root element. */
export function parseXml(input: string): XmlElement {
  let text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if (text.indexOf("\r") >= 0) text = text.replace(/\r\n?/g, "\n");
  const len = text.length;
  let pos = 0;
  const stack: PendingElement[] = [];
  let root: XmlElement | undefined;
  const rootScope: Scope = { map: new Map([["xml", XML_NS]]) };

  while (pos < len) {
    const lt = text.indexOf("<", pos);
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
      NAME_RE.lastIndex = pos + 2;
      const m = NAME_RE.exec(text);
      if (!m) throw new XmlParseError("malformed end tag", pos);
      const top = stack.pop();
      if (!top || top.qname !== m[0]) throw new XmlParseError(`end tag </${m[0]}> does not match`, pos);
      let p = pos + 2 + m[0].length;
      while (p < len && /\s/.test(text[p] as string)) p++;
      if (text.charCodeAt(p) !== 62) throw new XmlParseError("malformed end tag", pos);
      pos = p + 1;
      const el = finishElement(top);
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else root = el;
    } else {
      if (root) throw new XmlParseError("content after the root element", pos);
      NAME_RE.lastIndex = pos + 1;
      const m = NAME_RE.exec(text);
      if (!m) throw new XmlParseError("malformed start tag", pos);
      const qname = m[0];
      let p = pos + 1 + qname.length;
      const rawAttrs: [string, string, number][] = [];
      let declared: Map<string, string> | undefined;
      for (;;) {
        ATTR_RE.lastIndex = p;
        const a = ATTR_RE.exec(text);
        if (!a) break;
        if (a.index === p && !/\s/.test(text[p] as string)) throw new XmlParseError("attributes must be separated by whitespace", p);
        const name = a[1] as string;
        const value = decodeAttribute(a[2] ?? a[3] ?? "", p);
        if (name === "xmlns" || name.startsWith("xmlns:")) {
          declared ??= new Map();
          declared.set(name === "xmlns" ? "" : name.slice(6), value);
        }
        rawAttrs.push([name, value, p]);
        p = ATTR_RE.lastIndex;
      }
      while (p < len && /\s/.test(text[p] as string)) p++;
      let selfClosing = false;
      if (text.charCodeAt(p) === 47 /* / */) {
        selfClosing = true;
        p++;
      }
      if (text.charCodeAt(p) !== 62 /* > */) throw new XmlParseError(`malformed start tag <${qname}>`, pos);
      const parentScope = stack.length ? (stack[stack.length - 1] as PendingElement).scope : rootScope.map;
      let scope = parentScope;
      if (declared) {
        scope = new Map(parentScope);
        for (const [k, v] of declared) scope.set(k, v);
      }
      const [prefix, local] = splitName(qname);
      const pending: PendingElement = { qname, rawAttrs, children: [], start: pos, scope, prefix, local };
      pos = p + 1;
      if (selfClosing) {
        const el = finishElement(pending);
        const parent = stack[stack.length - 1];
        if (parent) parent.children.push(el);
        else root = el;
      } else {
        stack.push(pending);
      }
    }
  }
  if (stack.length) throw new XmlParseError(`unclosed element <${(stack[stack.length - 1] as PendingElement).qname}>`, len);
  if (!root) throw new XmlParseError("no root element", 0);
  return root;
}

/** Value of an attribute without namespace (how XPath `@Name` selects), or undefined. */
export function attr(el: XmlElement, local: string): string | undefined {
  for (const a of el.attributes) if (a.local === local && a.ns === "") return a.value;
  return undefined;
}

export function childElements(el: XmlElement, ns: string, local: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) if (typeof c !== "string" && c.local === local && c.ns === ns) out.push(c);
  return out;
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
export function descendants(el: XmlElement, ns: string, local: string, out: XmlElement[] = []): XmlElement[] {
  for (const c of el.children) {
    if (typeof c === "string") continue;
    if (c.local === local && c.ns === ns) out.push(c);
    descendants(c, ns, local, out);
  }
  return out;
}

/** Concatenated descendant text, like XPath `string(.)`. */
export function textContent(el: XmlElement): string {
  let s = "";
  for (const c of el.children) s += typeof c === "string" ? c : textContent(c);
  return s;
}
