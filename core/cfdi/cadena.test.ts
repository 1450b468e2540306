import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cadenaFromModel, cadenaFromXml, normalizeSpace } from "./cadena.ts";
import { cadenaTfdFromXml } from "./tfd.ts";
import { fixturesDir, hasTool, tempDir, tfdXslt, writeDocs, xsltprocCadena } from "./test/oracle.ts";

const oracle = hasTool("xsltproc");
const FIXTURES = ["cfdi40-real.xml", "cfdi40-valid.xml", "created-with-discounts-40.xml"];

// Documents that stress the XML reading rules the cadena depends on. Each is compared with the
// SAT stylesheet run by xsltproc, so the expected output is never written by hand.
const NS = 'xmlns:cfdi="http://www.sat.gob.mx/cfd/4"';
const EDGE_DOCS: Record<string, string> = {
  whitespace: `<?xml version="1.0" encoding="UTF-8"?>\r\n<cfdi:Comprobante ${NS} Version="4.0" Serie="  A  B\t\tC " Folio="&#10;12&#9;3&#13;" Fecha="2024-01-01T00:00:00" NoCertificado="1" SubTotal="1" Moneda="MXN" Total="1" TipoDeComprobante="I" Exportacion="01" LugarExpedicion="01000">
  <cfdi:Emisor Rfc="AAA010101AAA" Nombre="Línea 1
Línea 2    con   espacios" RegimenFiscal="601"/>
  <cfdi:Receptor Rfc="XAXX010101000" Nombre='Comillas "dobles" &amp; &apos;simples&apos; &lt;tag&gt;' DomicilioFiscalReceptor="01000" RegimenFiscalReceptor="616" UsoCFDI="S01"/>
  <cfdi:Conceptos><cfdi:Concepto ClaveProdServ="01010101" Cantidad="1" ClaveUnidad="ACT" Descripcion="&#x1F600; emoji y ñ &#160;nbsp&#160;" ValorUnitario="1" Importe="1" ObjetoImp="01"/></cfdi:Conceptos>
</cfdi:Comprobante>`,
  emptyAndMissing: `<cfdi:Comprobante ${NS} Version="4.0" Serie="" Fecha="2024-01-01T00:00:00" SubTotal="1" Moneda="MXN" Total="1" TipoDeComprobante="I" LugarExpedicion="01000" Confirmacion="">
  <!-- comment --><?pi data?>
  <cfdi:Receptor Rfc="XAXX010101000" Nombre="R" DomicilioFiscalReceptor="01000" RegimenFiscalReceptor="616" UsoCFDI="S01"/>
  <cfdi:Emisor Rfc="AAA010101AAA" Nombre="E" RegimenFiscal="601" FacAtrAdquirente=""/>
  <cfdi:Conceptos/>
</cfdi:Comprobante>`,
  defaultNamespaceAndOrder: `<Comprobante xmlns="http://www.sat.gob.mx/cfd/4" xmlns:x="urn:x" Version="4.0" Fecha="2024-01-01T00:00:00" NoCertificado="1" SubTotal="10" Descuento="1" Moneda="USD" TipoCambio="17.5" Total="9" TipoDeComprobante="E" Exportacion="01" MetodoPago="PUE" FormaPago="03" LugarExpedicion="01000" x:Serie="ignored">
  <CfdiRelacionados TipoRelacion="01"><CfdiRelacionado UUID="a"/><CfdiRelacionado UUID="b"/></CfdiRelacionados>
  <CfdiRelacionados TipoRelacion="03"><CfdiRelacionado UUID="c"/></CfdiRelacionados>
  <InformacionGlobal Periodicidad="01" Meses="01" Año="2024"/>
  <Emisor Rfc="AAA010101AAA" Nombre="E" RegimenFiscal="601"/>
  <Receptor Rfc="XAXX010101000" Nombre="R" DomicilioFiscalReceptor="01000" RegimenFiscalReceptor="616" UsoCFDI="S01" ResidenciaFiscal="USA" NumRegIdTrib="123"/>
  <Conceptos>
    <Concepto ClaveProdServ="1" Cantidad="1" ClaveUnidad="H87" Descripcion="d" ValorUnitario="10" Importe="10" Descuento="1" ObjetoImp="02">
      <CuentaPredial Numero="P1"/><InformacionAduanera NumeroPedimento="21  47  3807  8003832"/>
      <ACuentaTerceros RfcACuentaTerceros="AAA010101AAA" NombreACuentaTerceros="T" RegimenFiscalACuentaTerceros="601" DomicilioFiscalACuentaTerceros="01000"/>
      <Impuestos>
        <Retenciones><Retencion Base="9" Impuesto="001" TipoFactor="Tasa" TasaOCuota="0.100000" Importe="0.90"/></Retenciones>
        <Traslados><Traslado Base="9" Impuesto="002" TipoFactor="Tasa" TasaOCuota="0.160000" Importe="1.44"/><Traslado Base="9" Impuesto="002" TipoFactor="Exento"/></Traslados>
      </Impuestos>
      <ComplementoConcepto><x:Any>texto <x:Inner>interno</x:Inner>
      </x:Any></ComplementoConcepto>
      <Parte ClaveProdServ="2" Cantidad="1" Descripcion="parte"><InformacionAduanera NumeroPedimento="21  47  3807  8003833"/></Parte>
    </Concepto>
  </Conceptos>
  <Impuestos TotalImpuestosTrasladados="1.44" TotalImpuestosRetenidos="0.90">
    <Traslados><Traslado Base="9" Impuesto="002" TipoFactor="Tasa" TasaOCuota="0.160000" Importe="1.44"/></Traslados>
    <Retenciones><Retencion Impuesto="001" Importe="0.90"/></Retenciones>
  </Impuestos>
  <Complemento><x:Otro a="b"><![CDATA[ cdata <y> ]]> y texto</x:Otro><tfd:TimbreFiscalDigital xmlns:tfd="http://www.sat.gob.mx/TimbreFiscalDigital" Version="1.1" UUID="u" FechaTimbrado="2024-01-01T00:00:01" RfcProvCertif="SAT970701NN3" Leyenda="  ley  " SelloCFD="s" NoCertificadoSAT="n" SelloSAT="ss"/></Complemento>
  <Addenda><x:Ignorada>no entra</x:Ignorada></Addenda>
</Comprobante>`,
  pipesInValues: `<cfdi:Comprobante ${NS} Version="4.0" Serie=" a | b " Folio="|" Fecha=" 2024-01-01T00:00:00" SubTotal="1 " Moneda="MXN" Total="1" TipoDeComprobante="I" Exportacion="01" LugarExpedicion="01000" CondicionesDePago="  ">
  <cfdi:Emisor Rfc="AAA010101AAA" Nombre="x |y| z" RegimenFiscal="601"/>
</cfdi:Comprobante>`,
  spacesNextToSeparators: `<cfdi:Comprobante ${NS} Version="4.0" Serie=" a  b " Folio="   " Fecha="2024-01-01T00:00:00 " SubTotal="&#9;1&#10;" Moneda="MXN" Total="1" TipoDeComprobante="I" Exportacion="01" LugarExpedicion="01000">
  <cfdi:Emisor Rfc=" AAA010101AAA" Nombre="E  E" RegimenFiscal="601 "/>
</cfdi:Comprobante>`,
  // Entity decoding: every reference form, adjacent references, references at both ends of a
  // value, escaped entities, literal tabs/newlines (attribute-value normalisation) next to
  // character references (which survive it), and special characters in a comment, text and
  // earlier attributes before the values that hold them (the parser tracks them per document).
  entityHeavy: `<!-- | & < 	 -->
<cfdi:Comprobante ${NS} Version="4.0" Serie="&amp;&lt;&gt;&quot;&apos;" Folio="&#x41;&#x42;&#x6a;&#65;&#0000066;" Fecha="&#9;&#x9;2024-01-01T00:00:00&#xA;&#xd;" NoCertificado="&amp;amp;&amp;#9;" SubTotal="1" Moneda="MXN" Total="1" TipoDeComprobante="I" Exportacion="01" LugarExpedicion="01000" CondicionesDePago="a	b
c&#9;d&#10;e&#13;f &#32; &#x20;g" Confirmacion='&apos;"&quot;&apos;'>
  texto &amp; &#x1F600; | <cfdi:Emisor Rfc="AAA010101AAA" Nombre="&#x1F600;😀&#128512;&#xFFFD;&#xE000;&#x10FFFF;&#160;x&#xA0;" RegimenFiscal="&#54;01"/>
  <cfdi:Receptor Rfc="XAXX010101000" Nombre="a|&amp;|b &#124; c" DomicilioFiscalReceptor="01000" RegimenFiscalReceptor="616" UsoCFDI="S01"/>
  <cfdi:Conceptos><cfdi:Concepto ClaveProdServ="01010101" Cantidad="1" ClaveUnidad="ACT" Descripcion="]]&gt; &lt;![CDATA[ x ]]&gt; &amp;lt; &#38;#38; &#x26;amp;" ValorUnitario="1" Importe="1" ObjetoImp="01"/></cfdi:Conceptos>
</cfdi:Comprobante>`,
  // normalize-space(): runs of every whitespace mix in the middle and at both ends, values made
  // only of whitespace, whitespace from character references and literal, non-breaking and other
  // Unicode spaces (not XPath whitespace), emoji between runs.
  whitespaceHeavy: `<cfdi:Comprobante ${NS} Version=" 4.0 " Serie="&#9; &#10; &#13; " Folio="  &#9;&#9;  " Fecha="2024-01-01T00:00:00" NoCertificado="" SubTotal="  1  " Moneda="MXN" Total="1" TipoDeComprobante="I" Exportacion="01" LugarExpedicion="01000" CondicionesDePago="a  &#9;  b&#10;&#10;c 	
  d  e f　g 😀  😀&#9;😀">
  <cfdi:Emisor Rfc="AAA010101AAA" Nombre="
      indented   name
    " RegimenFiscal="601"/>
  <cfdi:Receptor Rfc="XAXX010101000" Nombre="x&#9;" DomicilioFiscalReceptor="&#10;01000" RegimenFiscalReceptor="616" UsoCFDI="S01"/>
  <cfdi:Conceptos><cfdi:Concepto ClaveProdServ="01010101" NoIdentificacion=" " Cantidad="1" ClaveUnidad="ACT" Unidad="&#9;" Descripcion="${" a \t".repeat(50)}end${"&#9; ".repeat(20)}" ValorUnitario="1" Importe="1" ObjetoImp="01"><cfdi:InformacionAduanera NumeroPedimento=" 21  47&#9;3807	8003832 "/></cfdi:Concepto></cfdi:Conceptos>
</cfdi:Comprobante>`,
  notACfdi: `<cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/3" Version="3.3"/>`,
};

describe("normalizeSpace", () => {
  it("follows XPath normalize-space (only space, tab, CR, LF)", () => {
    expect(normalizeSpace("  a \t\n b  ")).toBe("a b");
    expect(normalizeSpace("a\u00a0 b")).toBe("a\u00a0 b");
    expect(normalizeSpace("")).toBe("");
    expect(normalizeSpace(" \n ")).toBe("");
    expect(normalizeSpace("ok")).toBe("ok");
  });
});

describe("cadena original from the model", () => {
  it("normalises like the XML path, also when values contain '|' or only spaces", async () => {
    const { buildComprobante } = await import("./build.ts");
    const { comprobanteToXml } = await import("./xml-writer.ts");
    const { comprobante } = buildComprobante({
      fecha: "2025-01-01T00:00:00",
      tipoDeComprobante: "I",
      formaPago: "01",
      metodoPago: "PUE",
      lugarExpedicion: "01000",
      emisor: { rfc: "EKU9003173C9", nombre: "E", regimenFiscal: "601" },
      receptor: { rfc: "MCI7306249Y1", nombre: "R", domicilioFiscal: "01000", regimenFiscal: "603", usoCfdi: "G03" },
      conceptos: [
        {
          claveProdServ: "01010101",
          cantidad: "1",
          claveUnidad: "ACT",
          descripcion: "d",
          valorUnitario: "1",
          objetoImp: "01",
        },
      ],
    });
    for (const nombre of [" a | b ", "  x  ", " ", "a\t|\nb", "ok", "a|b  c", "a|b\tc ", "|", "| x|"]) {
      const c = { ...comprobante, Emisor: { ...comprobante.Emisor, Nombre: nombre }, Serie: ` ${nombre}` };
      expect(cadenaFromModel(c)).toBe(cadenaFromXml(comprobanteToXml(c)));
    }
  });
});

describe("cadena original from XML", () => {
  it("rejects DOCTYPE and malformed XML", () => {
    expect(() => cadenaFromXml(`<!DOCTYPE x [<!ENTITY a "b">]><cfdi:Comprobante ${NS}/>`)).toThrow(/document type/);
    expect(() => cadenaFromXml(`<cfdi:Comprobante ${NS}>`)).toThrow(/unclosed/);
    expect(() => cadenaFromXml(`<cfdi:Comprobante ${NS} A="&bogus;"/>`)).toThrow(/entity/);
    for (const bad of [
      "&",
      "a & b",
      "&amp",
      "&amp ;",
      "&#;",
      "&#x;",
      "&#xg;",
      "&#12a;",
      "&x41;",
      "&#-1;",
      "&AMP;",
      "&#9",
      "ok&amp;&",
    ]) {
      expect(() => cadenaFromXml(`<cfdi:Comprobante ${NS} A="${bad}"/>`), bad).toThrow(/malformed entity/);
      expect(() => cadenaFromXml(`<cfdi:Comprobante ${NS}>${bad}</cfdi:Comprobante>`), bad).toThrow(/malformed entity/);
    }
    for (const bad of ["&#0;", "&#x1;", "&#xD800;", "&#xFFFE;", "&#x110000;", "&#99999999999999999999;"]) {
      expect(() => cadenaFromXml(`<cfdi:Comprobante ${NS} A="${bad}"/>`), bad).toThrow(/forbids/);
    }
    // A malformed reference is reported even after a forbidden one, as before.
    expect(() => cadenaFromXml(`<cfdi:Comprobante ${NS} A="&#0;&bogus;"/>`)).toThrow(/malformed entity/);
    expect(() => cadenaFromXml(`<cfdi:Comprobante ${NS} A="a>b<c"/>`)).toThrow(/'<'/);
    expect(() => cadenaFromXml(`<cfdi:Comprobante ${NS} A="&lt;" B="x<"/>`)).toThrow(/'<'/);
    expect(() => cadenaFromXml(`<x:Comprobante/>`)).toThrow(/prefix/);
    expect(() => cadenaFromXml(`<cfdi:Comprobante ${NS} A="1" A="2"/>`)).toThrow(/duplicate/);
    expect(() => cadenaFromXml(`<cfdi:Comprobante ${NS} A="<"/>`)).toThrow(/'<'/);
    expect(() => cadenaFromXml(`<cfdi:Comprobante ${NS} A="1"B="2"/>`)).toThrow(/whitespace/);
    expect(() =>
      cadenaFromXml(`<cfdi:Comprobante ${NS}>${"<a>".repeat(100)}${"</a>".repeat(100)}</cfdi:Comprobante>`),
    ).toThrow(/deeper/);
  });

  describe.skipIf(!oracle)("equals xsltproc on the SAT stylesheet", () => {
    it.each(FIXTURES)("fixture %s", (name) => {
      const file = join(fixturesDir, "cfdi", name);
      expect(cadenaFromXml(readFileSync(file, "utf8"))).toBe(xsltprocCadena(file));
    });

    it.each(Object.keys(EDGE_DOCS))("edge document %s", (name) => {
      const [file] = writeDocs(tempDir(), [EDGE_DOCS[name] as string], name);
      expect(cadenaFromXml(EDGE_DOCS[name] as string)).toBe(xsltprocCadena(file as string));
    });

    it("TFD 1.1 cadena equals cadenaoriginal_TFD_1_1.xslt", () => {
      const dir = tempDir();
      const real = readFileSync(join(fixturesDir, "cfdi/cfdi40-real.xml"), "utf8");
      const tfd = /<tfd:TimbreFiscalDigital[\s\S]*?\/>/.exec(real)?.[0] as string;
      const [file] = writeDocs(dir, [tfd], "tfd"); // it declares its own namespaces
      expect(cadenaTfdFromXml(real)).toBe(xsltprocCadena(file as string, tfdXslt));
      const edge = EDGE_DOCS.defaultNamespaceAndOrder as string;
      const edgeTfd = /<tfd:TimbreFiscalDigital[\s\S]*?\/>/.exec(edge)?.[0] as string;
      const [file2] = writeDocs(dir, [edgeTfd], "tfd-edge");
      expect(cadenaTfdFromXml(edge)).toBe(xsltprocCadena(file2 as string, tfdXslt));
    });
  });
});
