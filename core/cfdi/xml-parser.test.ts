/**
 * The parser's shortcuts must never change what it reads: names come from a cross-document cache
 * and are guessed from the previous attribute's successor, and special characters are found with
 * per-document forward pointers. These documents are built to defeat each shortcut (wrong
 * guesses, names that are prefixes of each other, cache-slot collisions, characters that appear
 * before the value that holds them) and the result is checked field by field.
 */
import { describe, expect, it } from "vitest";
import type { XmlElement } from "./xml-parser.ts";
import { elementChildren, parseXml } from "./xml-parser.ts";

const attrs = (el: XmlElement) => el.attributes.map((a) => [a.qname, a.prefix, a.local, a.ns, a.value]);
const plain = (el: XmlElement) => el.attributes.map((a) => [a.qname, a.value]);

describe("XML parser: names", () => {
  it("reads every attribute name whatever order the previous documents used", () => {
    const orders = [
      `<r a="1" bb="2" c="3"/>`,
      `<r bb="2" a="1" c="3"/>`,
      `<r b="x" bbc="y" c="z" a="w"/>`,
      `<r a="1" c="3" bb="2"/>`,
      `<r a ="1"  bb= "2"\tc\n=\n'3'/>`,
      `<r aa="1" a="2" aaa="3"/>`,
      `<r a="1" bb="2" c="3"/>`,
    ];
    for (let round = 0; round < 3; round++) {
      expect(plain(parseXml(orders[0] as string))).toEqual([
        ["a", "1"],
        ["bb", "2"],
        ["c", "3"],
      ]);
      expect(plain(parseXml(orders[1] as string))).toEqual([
        ["bb", "2"],
        ["a", "1"],
        ["c", "3"],
      ]);
      expect(plain(parseXml(orders[2] as string))).toEqual([
        ["b", "x"],
        ["bbc", "y"],
        ["c", "z"],
        ["a", "w"],
      ]);
      expect(plain(parseXml(orders[3] as string))).toEqual([
        ["a", "1"],
        ["c", "3"],
        ["bb", "2"],
      ]);
      expect(plain(parseXml(orders[4] as string))).toEqual([
        ["a", "1"],
        ["bb", "2"],
        ["c", "3"],
      ]);
      expect(plain(parseXml(orders[5] as string))).toEqual([
        ["aa", "1"],
        ["a", "2"],
        ["aaa", "3"],
      ]);
      expect(plain(parseXml(orders[6] as string))).toEqual([
        ["a", "1"],
        ["bb", "2"],
        ["c", "3"],
      ]);
    }
  });

  it("keeps names exact when thousands of distinct names overwrite the cache", () => {
    const names = Array.from({ length: 3000 }, (_, i) => `n${(i * 7919).toString(36)}${"x".repeat(i % 7)}`);
    // 60 per element (the limit is 64), so the names still pass through the cache in one document.
    const groups = Array.from({ length: 50 }, (_, g) => names.slice(g * 60, g * 60 + 60));
    const doc = `<r>${groups.map((g) => `<g ${g.map((n) => `${n}="${names.indexOf(n)}"`).join(" ")}/>`).join("")}${names
      .slice(0, 200)
      .map((n) => `<${n} ${n}="e"/>`)
      .join("")}</r>`;
    for (let round = 0; round < 2; round++) {
      const r = parseXml(doc);
      const children = elementChildren(r);
      expect(children.slice(0, 50).flatMap(plain)).toEqual(names.map((n, i) => [n, String(i)]));
      expect(children.slice(50).map((e) => [e.qname, e.local, ...plain(e)[0]!])).toEqual(
        names.slice(0, 200).map((n) => [n, n, n, "e"]),
      );
    }
  });

  it("reads names too long to cache", () => {
    const long = "p:" + "a".repeat(300);
    const doc = `<r xmlns:p="urn:p" ${long}="1" ${long}b="2" c="3"><${long}/></r>`;
    for (let round = 0; round < 2; round++) {
      const r = parseXml(doc);
      expect(attrs(r).slice(1)).toEqual([
        [long, "p", long.slice(2), "urn:p", "1"],
        [`${long}b`, "p", `${long.slice(2)}b`, "urn:p", "2"],
        ["c", "", "c", "", "3"],
      ]);
      expect((elementChildren(r)[0] as XmlElement).qname).toBe(long);
    }
    expect(() => parseXml(`<r ${long}="1" ${long}="2"/>`)).toThrow(/undeclared|duplicate/);
    expect(() => parseXml(`<r xmlns:p="u" ${long}="1" ${long}="2"/>`)).toThrow(/duplicate/);
  });

  it("splits prefixes and resolves namespaces (attributes without prefix have none)", () => {
    const doc = `<p:r xmlns:p="urn:p" xmlns="urn:d" p:a="1" a="2" xmlns:q="urn:p2"><q:c q:a="3" a="4"/><c/><p:r/></p:r>`;
    for (let round = 0; round < 2; round++) {
      const r = parseXml(doc);
      expect([r.qname, r.prefix, r.local, r.ns]).toEqual(["p:r", "p", "r", "urn:p"]);
      expect(attrs(r)).toEqual([
        ["xmlns:p", "xmlns", "p", "http://www.w3.org/2000/xmlns/", "urn:p"],
        ["xmlns", "", "xmlns", "http://www.w3.org/2000/xmlns/", "urn:d"],
        ["p:a", "p", "a", "urn:p", "1"],
        ["a", "", "a", "", "2"],
        ["xmlns:q", "xmlns", "q", "http://www.w3.org/2000/xmlns/", "urn:p2"],
      ]);
      const [c1, c2, c3] = elementChildren(r) as [XmlElement, XmlElement, XmlElement];
      expect([c1.local, c1.ns, ...attrs(c1)]).toEqual([
        "c",
        "urn:p2",
        ["q:a", "q", "a", "urn:p2", "3"],
        ["a", "", "a", "", "4"],
      ]);
      expect([c2.local, c2.ns, c3.local, c3.ns]).toEqual(["c", "urn:d", "r", "urn:p"]);
    }
    // ":x" has an empty prefix but is a prefixed name: looked up, and undeclared.
    expect(() => parseXml(`<r :x="1"/>`)).toThrow(/undeclared namespace prefix ""/);
    expect(() => parseXml(`<r xmlns:p="urn:p" p:a="1" xmlns:q="urn:p" q:a="2"/>`)).toThrow(/duplicate attribute q:a/);
  });

  it("scopes namespace declarations to their element and its descendants", () => {
    const r = parseXml(
      `<p:r xmlns:p="urn:1" xmlns="urn:d"><p:a xmlns:p="urn:2" xmlns=""><p:b/><c/></p:a><p:c/><c/></p:r>`,
    );
    const [a, c1, c2] = elementChildren(r) as [XmlElement, XmlElement, XmlElement];
    const [b, c0] = elementChildren(a) as [XmlElement, XmlElement];
    expect([r.ns, a.ns, b.ns, c0.ns, c1.ns, c2.ns]).toEqual(["urn:1", "urn:2", "urn:2", "", "urn:1", "urn:d"]);
    expect(() => parseXml(`<r><a xmlns:p="urn:1"/><p:b/></r>`)).toThrow(/undeclared namespace prefix "p"/);
  });

  it("resolves namespace URIs of any length, across more documents than the URI cache holds", () => {
    const long = `urn:${"u".repeat(100_000)}`;
    expect(elementChildren(parseXml(`<r xmlns:p="${long}"><p:a/></r>`)).map((e) => e.ns)).toEqual([long]);
    for (let i = 0; i < 600; i++) {
      const r = parseXml(`<p:r xmlns:p="urn:doc:${i}" xmlns:q="http://www.sat.gob.mx/cfd/4"><q:a/></p:r>`);
      expect([r.ns, (elementChildren(r)[0] as XmlElement).ns]).toEqual([`urn:doc:${i}`, "http://www.sat.gob.mx/cfd/4"]);
    }
  });

  it("finds duplicate expanded names among many attributes (Set path) as among few", () => {
    const many = Array.from({ length: 30 }, (_, i) => `a${i}="${i}"`).join(" ");
    expect(parseXml(`<r xmlns:p="urn:p" xmlns:q="urn:q" ${many} p:a0="x" q:a0="y"/>`).attributes).toHaveLength(34);
    expect(() => parseXml(`<r ${many} a7="again"/>`)).toThrow(/duplicate attribute a7/);
    expect(() => parseXml(`<r xmlns:p="urn:p" xmlns:q="urn:p" ${many} p:z="1" q:z="2"/>`)).toThrow(
      /duplicate attribute q:z/,
    );
    expect(() => parseXml(`<r xmlns:p="urn:p" ${many} xmlns:p="urn:q"/>`)).toThrow(/duplicate attribute xmlns:p/);
  });

  it("checks end tags against the open element", () => {
    expect(parseXml(`<ab><a></a ></ab\n>`).qname).toBe("ab");
    expect(() => parseXml(`<a></ab>`)).toThrow(/end tag <\/ab> does not match/);
    expect(() => parseXml(`<ab></a>`)).toThrow(/end tag <\/a> does not match/);
    expect(() => parseXml(`<a></a x>`)).toThrow(/malformed end tag/);
    expect(() => parseXml(`<a></a`)).toThrow(/malformed end tag/);
    expect(() => parseXml(`<a></`)).toThrow(/does not match/);
    expect(() => parseXml(`</a>`)).toThrow(/does not match/);
  });

  it("reports malformed attributes", () => {
    expect(() => parseXml(`<a b="1"c="2"/>`)).toThrow(/separated by whitespace/);
    expect(() => parseXml(`<a b/>`)).toThrow(/attribute b without value/);
    expect(() => parseXml(`<a b=1/>`)).toThrow(/must be quoted/);
    expect(() => parseXml(`<a b="1/>`)).toThrow(/unterminated attribute value/);
    expect(() => parseXml(`<a =1/>`)).toThrow(/malformed start tag/);
  });
});

describe("XML parser: values", () => {
  it("finds entities, tabs, newlines, '<' and '|' in the value that holds them, not before", () => {
    const r = parseXml(
      `<!-- & | < \t\n --><r a="x" b="&amp;|" c="t\tn\nx" d="&#9;&#10;" e="y">&amp; | <![CDATA[&amp; |]]>\t<c f="&lt;"/></r>`,
    );
    expect(plain(r)).toEqual([
      ["a", "x"],
      ["b", "&|"],
      ["c", "t n x"],
      ["d", "\t\n"],
      ["e", "y"],
    ]);
    expect(r.children).toEqual(["& | ", "&amp; |", "\t", expect.objectContaining({ qname: "c" })]);
    expect(plain(elementChildren(r)[0] as XmlElement)).toEqual([["f", "<"]]);
    expect(r.pipeInAttributes).toBe(true);
    expect(parseXml(`<!-- | --><r a="1">|</r>`).pipeInAttributes).toBe(false);
    expect(() => parseXml(`<r a="1" b="2<"/>`)).toThrow(/'<' is not allowed/);
    expect(() => parseXml(`<r a="1>" b="<"/>`)).toThrow(/'<' is not allowed/);
  });

  it("decodes every reference form and nothing else", () => {
    const r = parseXml(
      `<r a="&lt;&gt;&amp;&quot;&apos;" b="&#x41;&#x6a;&#65;&#0066;&#x1F600;&#128512;" c="&amp;amp;&amp;#38;" d="x&#32;&#x20;y"/>`,
    );
    expect(plain(r)).toEqual([
      ["a", `<>&"'`],
      ["b", "AjAB😀😀"],
      ["c", "&amp;&#38;"],
      ["d", "x  y"],
    ]);
    for (const bad of ["&", "&amp", "&#;", "&#x;", "&#X41;", "&#12a;", "&bogus;"]) {
      expect(() => parseXml(`<r a="${bad}"/>`), bad).toThrow(/malformed entity/);
    }
    expect(() => parseXml(`<r a="&#1;"/>`)).toThrow(/forbids: #1/);
  });
});
