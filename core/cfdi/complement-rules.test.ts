/**
 * Complements in the cadena original: the committed rules equal a fresh compilation of the SAT
 * stylesheets in vendor/sat, and for documents generated from every complement template (random
 * attribute subsets, repeated children, whitespace and entities in values) the native cadena
 * equals xsltproc on cadenaoriginal_4_0.xslt.
 */
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateComplementRules } from "../../scripts/cfdi.ts";
import { cadenaFromXml } from "./cadena.ts";
import { COMPLEMENT_RULES } from "./complement-rules.ts";
import { readFileSync } from "node:fs";
import { hasTool, repoRoot, satDir, tempDir, writeDocs, xsltprocCadena, xsltprocConcat } from "./test/oracle.ts";
import type { Instr, Rules, Sel } from "./xslt-subset.ts";
import { escapeAttribute } from "./xml-writer.ts";

const oracle = hasTool("xsltproc");

type Spec = { ns: string; local: string; attrs: Set<string>; text: boolean; children: Map<string, Spec> };

function specFor(rules: Rules, ns: string, local: string, depth: number, visiting: Set<string>): Spec {
  const spec: Spec = { ns, local, attrs: new Set(), text: false, children: new Map() };
  const key = `${ns}|${local}`;
  const body = rules[key];
  if (body && depth < 6 && !visiting.has(key)) {
    visiting.add(key);
    walk(rules, body, spec, depth, visiting);
    visiting.delete(key);
  }
  return spec;
}

function ensurePath(rules: Rules, spec: Spec, sel: Sel, depth: number, visiting: Set<string>, apply: boolean): Spec[] {
  if (sel.k === "self") return [spec];
  if (sel.k === "attr") {
    spec.attrs.add(sel.name);
    return [];
  }
  if (sel.abs) return [];
  let cur = spec;
  sel.steps.forEach((st, i) => {
    const k = `${st.ns}|${st.local}`;
    let child = cur.children.get(k);
    if (!child) {
      const last = i === sel.steps.length - 1;
      child =
        last && apply
          ? specFor(rules, st.ns, st.local, depth + 1, visiting)
          : { ns: st.ns, local: st.local, attrs: new Set(), text: false, children: new Map() };
      cur.children.set(k, child);
    }
    cur = child;
  });
  return [cur];
}

function walk(rules: Rules, body: readonly Instr[], spec: Spec, depth: number, visiting: Set<string>): void {
  for (const ins of body) {
    if (ins.op === "req" || ins.op === "opt") {
      if (ins.sel.k === "attr") spec.attrs.add(ins.sel.name);
      else for (const n of ensurePath(rules, spec, ins.sel, depth, visiting, false)) n.text = true;
    } else if (ins.op === "apply") {
      if (ins.sel.k === "self") continue; // the template of this element is being walked already
      ensurePath(rules, spec, ins.sel, depth, visiting, true);
    } else if (ins.op === "each") {
      for (const n of ensurePath(rules, spec, ins.sel, depth, visiting, false)) {
        // `for-each ./X` + `apply-templates .` is the common idiom: give X its own template.
        const hasApplySelf = ins.body.some((b) => b.op === "apply" && b.sel.k === "self");
        if (hasApplySelf && !n.attrs.size && !n.children.size) {
          const full = specFor(rules, n.ns, n.local, depth + 1, visiting);
          n.attrs = full.attrs;
          n.children = full.children;
          n.text = full.text;
        }
        walk(
          rules,
          ins.body.filter((b) => !(b.op === "apply" && b.sel.k === "self")),
          n,
          depth + 1,
          visiting,
        );
      }
    } else if (ins.op === "if") {
      if (ins.test.k === "attrEq") spec.attrs.add(ins.test.name);
      else ensurePath(rules, spec, ins.test.sel, depth, visiting, true);
      walk(rules, ins.body, spec, depth, visiting);
    }
  }
}

const valueArb = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9]{1,8}$/),
  fc.constantFrom("  con  espacios ", "a\tb", "x\ny", "&", "<>", '"q"', "ñandú", "", " ", "1.5", "2024-01-01T00:00:00"),
);

function render(
  spec: Spec,
  prefixes: Map<string, string>,
  rnd: fc.Arbitrary<number>,
  seed: number,
  top: boolean,
): string {
  const pick = (n: number) => fc.sample(fc.integer({ min: 0, max: n }), { numRuns: 1, seed: seed++ })[0] as number;
  const value = () => fc.sample(valueArb, { numRuns: 1, seed: seed++ })[0] as string;
  const p = prefixes.get(spec.ns) as string;
  let s = `<${p}:${spec.local}`;
  if (top) for (const [ns, pre] of prefixes) s += ` xmlns:${pre}="${ns}"`;
  for (const a of spec.attrs)
    if (pick(4) > 0)
      s += ` ${a}="${escapeAttribute(a === "version" || a === "Version" ? (pick(1) ? "1.1" : "1.0") : value())}"`;
  s += ">";
  if (spec.text && pick(1)) s += escapeAttribute(value());
  for (const child of spec.children.values()) {
    const n = pick(2);
    for (let i = 0; i < n; i++) {
      s += render(child, prefixes, rnd, seed, false);
      seed += 97;
    }
  }
  return `${s}</${p}:${spec.local}>`;
}

function collectNs(spec: Spec, out: Set<string>): Set<string> {
  out.add(spec.ns);
  for (const c of spec.children.values()) collectNs(c, out);
  return out;
}

const HEADER = `<cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4" Version="4.0" Fecha="2024-01-01T00:00:00" NoCertificado="1" SubTotal="1" Moneda="MXN" Total="1" TipoDeComprobante="P" Exportacion="01" LugarExpedicion="01000"><cfdi:Emisor Rfc="AAA010101AAA" Nombre="E" RegimenFiscal="601"/><cfdi:Receptor Rfc="XAXX010101000" Nombre="R" DomicilioFiscalReceptor="01000" RegimenFiscalReceptor="616" UsoCFDI="CP01"/><cfdi:Conceptos><cfdi:Concepto ClaveProdServ="84111506" Cantidad="1" ClaveUnidad="ACT" Descripcion="Pago" ValorUnitario="0" Importe="0" ObjetoImp="01"/></cfdi:Conceptos><cfdi:Complemento>`;

describe("complement rules", () => {
  it("complement-rules.ts is the compilation of the SAT stylesheets in vendor/sat", () => {
    expect(readFileSync(join(repoRoot, "core/cfdi/complement-rules.ts"), "utf8")).toBe(generateComplementRules(satDir));
  });

  it.skipIf(!oracle)(
    "cadena equals xsltproc for documents generated from every complement template",
    () => {
      const keys = Object.keys(COMPLEMENT_RULES);
      expect(keys.length).toBeGreaterThan(150);
      const docs: string[] = [];
      keys.forEach((key, i) => {
        const [ns, local] = key.split("|") as [string, string];
        const spec = specFor(COMPLEMENT_RULES, ns, local, 0, new Set());
        const prefixes = new Map([...collectNs(spec, new Set())].map((n, j) => [n, `c${j}`] as const));
        for (let v = 0; v < 2; v++)
          docs.push(
            `${HEADER}${render(spec, prefixes, fc.integer(), i * 1000 + v * 17, true)}</cfdi:Complemento></cfdi:Comprobante>`,
          );
      });
      const files = writeDocs(tempDir("cfdi-compl-"), docs);
      const ours = docs.map((d) => cadenaFromXml(d));
      const theirs = xsltprocConcat(files);
      if (ours.join("") !== theirs) {
        docs.forEach((_, i) => expect(ours[i], files[i]).toBe(xsltprocCadena(files[i] as string)));
      }
      expect(ours.join("")).toBe(theirs);
      // The generated documents really exercise the complements: most add values to the cadena.
      const header = cadenaFromXml(`${HEADER}</cfdi:Complemento></cfdi:Comprobante>`);
      expect(ours.filter((c) => c.length > header.length + 4).length).toBeGreaterThan(docs.length * 0.6);
    },
    60_000,
  );
});
