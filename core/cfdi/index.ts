/**
 * CFDI 4.0 engine — public API. Runtime-free (web standards only): runs in Workers and Node.
 */
export type { Comprobante, Concepto, Emisor, Receptor } from "./model.ts";
export type { InvoiceInput, ConceptoInput, TaxInput } from "./invoice-input.ts";
export type { Issue } from "./errors.ts";
export { CfdiError } from "./errors.ts";
export type { BuiltInvoice, SealedCfdi } from "./build.ts";
export { buildComprobante, buildSignedCfdi, fechaNow, sealComprobante } from "./build.ts";
export { validateInvoiceInput } from "./validation.ts";
export type { LineAmounts, LineSpec, TaxAmount, TaxSpec, Totals } from "./amounts.ts";
export { computeLine, computeTotals } from "./amounts.ts";
export { cadenaFromModel, cadenaFromXml } from "./cadena.ts";
export { cadenaTfdFromXml } from "./tfd.ts";
export type { Timbre } from "./tfd.ts";
export { comprobanteToXml } from "./xml-writer.ts";
export type { Csd } from "./csd.ts";
export { checkCertificateForInvoice, loadCsd, loadCsdForSealing } from "./csd.ts";
export type { CertificateInfo } from "./certificate.ts";
export { parseCertificate } from "./certificate.ts";
export { importPrivateKey, decryptPkcs8 } from "./private-key.ts";
export { loadSealedCsd, openSealedPrivateKey, sealPrivateKey } from "./key-envelope.ts";
export { signCadena, verifySello } from "./sello.ts";
export type { VerifyOptions, VerifyReport } from "./verify.ts";
export { verifyCfdi } from "./verify.ts";
export type { SealComplement } from "./build.ts";
export type { ComplementNamespace } from "./xml-writer.ts";
// Recibo electrónico de pago (CFDI tipo P, complemento Pagos 2.0)
export type { DoctoRelacionadoInput, DocumentoTaxInput, PagoComprobanteInput, PagoInput } from "./pagos-input.ts";
export type { BuiltPago, ParsedPagoComprobante } from "./pagos.ts";
export { buildPagoComprobante, buildSignedPago, sealPagoComprobante, validatePagoInput } from "./pagos.ts";
export type { Pagos, Pago, DoctoRelacionado, TotalesPagos } from "./pagos-model.ts";
export { PAGOS20_NAMESPACE, PAGOS20_NS, pagosToXml } from "./pagos-model.ts";
