/**
 * The SAT complement stylesheets included by cadenaoriginal_4_0.xslt (Pagos 2.0, Comercio
 * Exterior, Carta Porte, Nómina, implocal, …) use a tiny slice of XSLT: `xsl:template match`,
 * `call-template Requerido|Opcional` with a `select`, `for-each`, `apply-templates` and `if`,
 * over paths such as `./@Attr`, `.`, `./p:A/p:B`, `.//p:A` and tests `./p:A` or `./@v='1.1'`.
 *
 * `compileStylesheet` turns one such stylesheet into data (`Rules`), done once at development
 * time (`npm run -s cfdi -- gen-complement-rules`, checked by a test against vendor/sat), and
 * `applyTemplates` interprets those rules at run time, so a Worker can compute the cadena of any
 * CFDI carrying those complements without an XSLT engine. Anything outside the slice makes the
 * compiler fail loudly instead of guessing.
 */
import type { XmlElement } from "./xml-parser.ts";
import { attr, parseXml } from "./xml-parser.ts";

export type Step = { readonly ns: string; readonly local: string; readonly desc?: true };
export type Sel =
  | { readonly k: "self" }
  | { readonly k: "attr"; readonly name: string }
  | { readonly k: "path"; readonly abs?: true; readonly steps: readonly Step[] };
export type Test =
  { readonly k: "exists"; readonly sel: Sel } | { readonly k: "attrEq"; readonly name: string; readonly value: string };
export type Instr =
  | { readonly op: "req" | "opt"; readonly sel: Sel }
  | { readonly op: "apply"; readonly sel: Sel }
  | { readonly op: "each"; readonly sel: Sel; readonly body: readonly Instr[] }
  | { readonly op: "if"; readonly test: Test; readonly body: readonly Instr[] };
/** Template bodies keyed by "namespaceURI|localName" of the element they match. */
export type Rules = Readonly<Record<string, readonly Instr[]>>;

const XSL = "http://www.w3.org/1999/XSL/Transform";

class XsltSubsetError extends Error {}

function compileSel(expr: string, prefixes: Map<string, string>): Sel {
  const e = expr.trim();
  if (e === ".") return { k: "self" };
  const a = /^(?:\.\/)?@([A-Za-z_][\w.\-À-ÿ]*)$/.exec(e);
  if (a) return { k: "attr", name: a[1] as string };
  let rest = e;
  let abs = false;
  let nextDesc = false;
  if (rest.startsWith(".//")) {
    rest = rest.slice(3);
    nextDesc = true;
  } else if (rest.startsWith("./")) rest = rest.slice(2);
  else if (rest.startsWith("/")) {
    rest = rest.slice(1);
    abs = true;
  }
  const steps: Step[] = [];
  for (const part of rest.split("/")) {
    if (part === "") {
      nextDesc = true;
      continue;
    }
    const m = /^([A-Za-z_][\w.\-]*):([A-Za-z_][\w.\-À-ÿ]*)$/.exec(part);
    if (!m) throw new XsltSubsetError(`unsupported step "${part}" in "${expr}"`);
    const ns = prefixes.get(m[1] as string);
    if (ns === undefined) throw new XsltSubsetError(`undeclared prefix in "${expr}"`);
    steps.push(nextDesc ? { ns, local: m[2] as string, desc: true } : { ns, local: m[2] as string });
    nextDesc = false;
  }
  if (!steps.length) throw new XsltSubsetError(`empty path "${expr}"`);
  return abs ? { k: "path", abs: true, steps } : { k: "path", steps };
}

function compileTest(expr: string, prefixes: Map<string, string>): Test {
  const eq = /^(?:\.\/)?@([\w]+)\s*=\s*'([^']*)'$/.exec(expr.trim());
  if (eq) return { k: "attrEq", name: eq[1] as string, value: eq[2] as string };
  return { k: "exists", sel: compileSel(expr, prefixes) };
}

function compileBody(el: XmlElement, prefixes: Map<string, string>): Instr[] {
  const out: Instr[] = [];
  for (const c of el.children) {
    if (typeof c === "string") {
      if (c.trim()) throw new XsltSubsetError(`literal text "${c.trim()}" in a template`);
      continue;
    }
    if (c.ns !== XSL) throw new XsltSubsetError(`literal result element <${c.qname}>`);
    const select = attr(c, "select");
    switch (c.local) {
      case "call-template": {
        const name = attr(c, "name");
        if (name !== "Requerido" && name !== "Opcional") throw new XsltSubsetError(`call-template ${name}`);
        const params = c.children.filter((x): x is XmlElement => typeof x !== "string");
        const p = params[0];
        if (params.length !== 1 || !p || p.local !== "with-param" || attr(p, "select") === undefined)
          throw new XsltSubsetError("call-template without one with-param select");
        out.push({ op: name === "Requerido" ? "req" : "opt", sel: compileSel(attr(p, "select") as string, prefixes) });
        break;
      }
      case "apply-templates":
        if (select === undefined) throw new XsltSubsetError("apply-templates without select");
        out.push({ op: "apply", sel: compileSel(select, prefixes) });
        break;
      case "for-each":
        if (select === undefined) throw new XsltSubsetError("for-each without select");
        out.push({ op: "each", sel: compileSel(select, prefixes), body: compileBody(c, prefixes) });
        break;
      case "if": {
        const test = attr(c, "test");
        if (test === undefined) throw new XsltSubsetError("if without test");
        out.push({ op: "if", test: compileTest(test, prefixes), body: compileBody(c, prefixes) });
        break;
      }
      default:
        throw new XsltSubsetError(`unsupported instruction xsl:${c.local}`);
    }
  }
  return out;
}

/**
 * Compiles one complement stylesheet. Named templates (utilerias) and the root template
 * (`match="/"`, which the main stylesheet's own root template overrides) are skipped.
 */
export function compileStylesheet(xslt: string): Record<string, Instr[]> {
  const root = parseXml(xslt);
  const prefixes = new Map<string, string>();
  for (const a of root.attributes) if (a.prefix === "xmlns") prefixes.set(a.local, a.value);
  const rules: Record<string, Instr[]> = {};
  for (const t of root.children) {
    if (typeof t === "string" || t.ns !== XSL) continue;
    if (t.local === "output" || t.local === "include") continue;
    if (t.local !== "template") throw new XsltSubsetError(`unsupported top-level xsl:${t.local}`);
    const match = attr(t, "match");
    if (match === undefined || match === "/") continue;
    const m = /^([A-Za-z_][\w.\-]*):([A-Za-z_][\w.\-À-ÿ]*)$/.exec(match.trim());
    if (!m || !prefixes.has(m[1] as string)) throw new XsltSubsetError(`unsupported match "${match}"`);
    const key = `${prefixes.get(m[1] as string)}|${m[2]}`;
    if (rules[key]) throw new XsltSubsetError(`two templates match ${match}`);
    rules[key] = compileBody(t, prefixes);
  }
  return rules;
}

// ---------------------------------------------------------------------------------------------
// Interpreter
// ---------------------------------------------------------------------------------------------

export type CadenaSink = {
  req(v: string | undefined): void;
  opt(v: string | undefined): void;
  raw(s: string): void;
};

function stringValue(el: XmlElement): string {
  let s = "";
  for (const c of el.children) s += typeof c === "string" ? c : stringValue(c);
  return s;
}

function select(ctx: XmlElement, root: XmlElement, steps: readonly Step[], abs: boolean): XmlElement[] {
  let nodes: XmlElement[];
  let i = 0;
  if (abs) {
    // "/p:X": the document node's child, i.e. the root element if it matches.
    const first = steps[0] as Step;
    nodes = root.local === first.local && root.ns === first.ns ? [root] : [];
    i = 1;
  } else nodes = [ctx];
  for (; i < steps.length; i++) {
    const st = steps[i] as Step;
    const next: XmlElement[] = [];
    const seen = new Set<XmlElement>();
    const visit = (e: XmlElement, deep: boolean) => {
      for (const c of e.children) {
        if (typeof c === "string") continue;
        if (c.local === st.local && c.ns === st.ns && !seen.has(c)) {
          seen.add(c);
          next.push(c);
        }
        if (deep) visit(c, true);
      }
    };
    for (const n of nodes) visit(n, st.desc === true);
    nodes = next;
  }
  return nodes;
}

function valueOf(sel: Sel, ctx: XmlElement, root: XmlElement): string | undefined {
  if (sel.k === "self") return stringValue(ctx);
  if (sel.k === "attr") return attr(ctx, sel.name);
  const nodes = select(ctx, root, sel.steps, sel.abs === true);
  return nodes.length ? stringValue(nodes[0] as XmlElement) : undefined;
}

function nodesOf(sel: Sel, ctx: XmlElement, root: XmlElement): XmlElement[] {
  if (sel.k === "self") return [ctx];
  if (sel.k === "attr") return []; // attributes have no templates here; the built-in rule for them copies nothing we select
  return select(ctx, root, sel.steps, sel.abs === true);
}

function exec(body: readonly Instr[], ctx: XmlElement, root: XmlElement, rules: Rules, out: CadenaSink): void {
  for (const ins of body) {
    switch (ins.op) {
      case "req":
        out.req(valueOf(ins.sel, ctx, root) ?? "");
        break;
      case "opt":
        out.opt(valueOf(ins.sel, ctx, root));
        break;
      case "apply":
        for (const n of nodesOf(ins.sel, ctx, root)) applyTemplates(n, root, rules, out);
        break;
      case "each":
        for (const n of nodesOf(ins.sel, ctx, root)) exec(ins.body, n, root, rules, out);
        break;
      case "if": {
        const t = ins.test;
        const ok =
          t.k === "attrEq"
            ? attr(ctx, t.name) === t.value
            : t.sel.k === "attr"
              ? attr(ctx, t.sel.name) !== undefined
              : nodesOf(t.sel, ctx, root).length > 0;
        if (ok) exec(ins.body, ctx, root, rules, out);
        break;
      }
    }
  }
}

/**
 * `xsl:apply-templates` on one element: its compiled template when there is one, otherwise the
 * XSLT built-in rule (recurse into children, copy text nodes verbatim).
 */
export function applyTemplates(el: XmlElement, root: XmlElement, rules: Rules, out: CadenaSink): void {
  const body = rules[`${el.ns}|${el.local}`];
  if (body) {
    exec(body, el, root, rules, out);
    return;
  }
  for (const c of el.children) {
    if (typeof c === "string") out.raw(c);
    else applyTemplates(c, root, rules, out);
  }
}
