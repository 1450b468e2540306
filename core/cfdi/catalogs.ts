/**
 * The SAT CFDI 4.0 catalogs this engine checks in code (catCFDI.xsd is 4 MiB; these are the
 * small ones a CRM invoice touches), transcribed from the SAT "catCFDI" spreadsheet (Anexo 20,
 * version 4.0). c_ClaveProdServ, c_ClaveUnidad and c_CodigoPostal are too large to embed and are
 * checked by format only; the PAC checks them against the full catalog when stamping.
 */

export type Persona = "fisica" | "moral";

type Regimen = { readonly descripcion: string; readonly fisica: boolean; readonly moral: boolean };

export const REGIMEN_FISCAL: Readonly<Record<string, Regimen>> = {
  "601": { descripcion: "General de Ley Personas Morales", fisica: false, moral: true },
  "603": { descripcion: "Personas Morales con Fines no Lucrativos", fisica: false, moral: true },
  "605": { descripcion: "Sueldos y Salarios e Ingresos Asimilados a Salarios", fisica: true, moral: false },
  "606": { descripcion: "Arrendamiento", fisica: true, moral: false },
  "607": { descripcion: "Régimen de Enajenación o Adquisición de Bienes", fisica: true, moral: false },
  "608": { descripcion: "Demás ingresos", fisica: true, moral: false },
  "610": {
    descripcion: "Residentes en el Extranjero sin Establecimiento Permanente en México",
    fisica: true,
    moral: true,
  },
  "611": { descripcion: "Ingresos por Dividendos (socios y accionistas)", fisica: true, moral: false },
  "612": { descripcion: "Personas Físicas con Actividades Empresariales y Profesionales", fisica: true, moral: false },
  "614": { descripcion: "Ingresos por intereses", fisica: true, moral: false },
  "615": { descripcion: "Régimen de los ingresos por obtención de premios", fisica: true, moral: false },
  "616": { descripcion: "Sin obligaciones fiscales", fisica: true, moral: false },
  "620": {
    descripcion: "Sociedades Cooperativas de Producción que optan por diferir sus ingresos",
    fisica: false,
    moral: true,
  },
  "621": { descripcion: "Incorporación Fiscal", fisica: true, moral: false },
  "622": { descripcion: "Actividades Agrícolas, Ganaderas, Silvícolas y Pesqueras", fisica: false, moral: true },
  "623": { descripcion: "Opcional para Grupos de Sociedades", fisica: false, moral: true },
  "624": { descripcion: "Coordinados", fisica: false, moral: true },
  "625": {
    descripcion: "Régimen de las Actividades Empresariales con ingresos a través de Plataformas Tecnológicas",
    fisica: true,
    moral: false,
  },
  "626": { descripcion: "Régimen Simplificado de Confianza", fisica: true, moral: true },
};

type Uso = {
  readonly descripcion: string;
  readonly fisica: boolean;
  readonly moral: boolean;
  readonly regimenes: readonly string[];
};

// "Régimen Fiscal Receptor" column of c_UsoCFDI.
const R_GASTOS = ["601", "603", "606", "612", "620", "621", "622", "623", "624", "625", "626"];
const R_DEDUCCIONES = ["605", "606", "608", "611", "612", "614", "607", "615", "625"];
const R_SIN_EFECTOS = [
  "601",
  "603",
  "605",
  "606",
  "608",
  "610",
  "611",
  "612",
  "614",
  "616",
  "620",
  "621",
  "622",
  "623",
  "624",
  "607",
  "615",
  "625",
  "626",
];

export const USO_CFDI: Readonly<Record<string, Uso>> = {
  G01: { descripcion: "Adquisición de mercancías", fisica: true, moral: true, regimenes: R_GASTOS },
  G02: { descripcion: "Devoluciones, descuentos o bonificaciones", fisica: true, moral: true, regimenes: R_GASTOS },
  G03: { descripcion: "Gastos en general", fisica: true, moral: true, regimenes: R_GASTOS },
  I01: { descripcion: "Construcciones", fisica: true, moral: true, regimenes: R_GASTOS },
  I02: {
    descripcion: "Mobiliario y equipo de oficina por inversiones",
    fisica: true,
    moral: true,
    regimenes: R_GASTOS,
  },
  I03: { descripcion: "Equipo de transporte", fisica: true, moral: true, regimenes: R_GASTOS },
  I04: { descripcion: "Equipo de computo y accesorios", fisica: true, moral: true, regimenes: R_GASTOS },
  I05: {
    descripcion: "Dados, troqueles, moldes, matrices y herramental",
    fisica: true,
    moral: true,
    regimenes: R_GASTOS,
  },
  I06: { descripcion: "Comunicaciones telefónicas", fisica: true, moral: true, regimenes: R_GASTOS },
  I07: { descripcion: "Comunicaciones satelitales", fisica: true, moral: true, regimenes: R_GASTOS },
  I08: { descripcion: "Otra maquinaria y equipo", fisica: true, moral: true, regimenes: R_GASTOS },
  D01: {
    descripcion: "Honorarios médicos, dentales y gastos hospitalarios",
    fisica: true,
    moral: false,
    regimenes: R_DEDUCCIONES,
  },
  D02: {
    descripcion: "Gastos médicos por incapacidad o discapacidad",
    fisica: true,
    moral: false,
    regimenes: R_DEDUCCIONES,
  },
  D03: { descripcion: "Gastos funerales", fisica: true, moral: false, regimenes: R_DEDUCCIONES },
  D04: { descripcion: "Donativos", fisica: true, moral: false, regimenes: R_DEDUCCIONES },
  D05: {
    descripcion: "Intereses reales efectivamente pagados por créditos hipotecarios (casa habitación)",
    fisica: true,
    moral: false,
    regimenes: R_DEDUCCIONES,
  },
  D06: { descripcion: "Aportaciones voluntarias al SAR", fisica: true, moral: false, regimenes: R_DEDUCCIONES },
  D07: { descripcion: "Primas por seguros de gastos médicos", fisica: true, moral: false, regimenes: R_DEDUCCIONES },
  D08: {
    descripcion: "Gastos de transportación escolar obligatoria",
    fisica: true,
    moral: false,
    regimenes: R_DEDUCCIONES,
  },
  D09: {
    descripcion: "Depósitos en cuentas para el ahorro, primas que tengan como base planes de pensiones",
    fisica: true,
    moral: false,
    regimenes: R_DEDUCCIONES,
  },
  D10: {
    descripcion: "Pagos por servicios educativos (colegiaturas)",
    fisica: true,
    moral: false,
    regimenes: R_DEDUCCIONES,
  },
  S01: { descripcion: "Sin efectos fiscales", fisica: true, moral: true, regimenes: R_SIN_EFECTOS },
  CP01: { descripcion: "Pagos", fisica: true, moral: true, regimenes: R_SIN_EFECTOS },
  CN01: { descripcion: "Nómina", fisica: true, moral: false, regimenes: ["605"] },
};

export const FORMA_PAGO: Readonly<Record<string, string>> = {
  "01": "Efectivo",
  "02": "Cheque nominativo",
  "03": "Transferencia electrónica de fondos",
  "04": "Tarjeta de crédito",
  "05": "Monedero electrónico",
  "06": "Dinero electrónico",
  "08": "Vales de despensa",
  "12": "Dación en pago",
  "13": "Pago por subrogación",
  "14": "Pago por consignación",
  "15": "Condonación",
  "17": "Compensación",
  "23": "Novación",
  "24": "Confusión",
  "25": "Remisión de deuda",
  "26": "Prescripción o caducidad",
  "27": "A satisfacción del acreedor",
  "28": "Tarjeta de débito",
  "29": "Tarjeta de servicios",
  "30": "Aplicación de anticipos",
  "31": "Intermediario pagos",
  "99": "Por definir",
};

export const METODO_PAGO: Readonly<Record<string, string>> = {
  PUE: "Pago en una sola exhibición",
  PPD: "Pago en parcialidades o diferido",
};

type Moneda = { readonly descripcion: string; readonly decimales: number };

/** Subset of c_Moneda (ISO 4217) with the "Decimales" column SAT uses for rounding. */
export const MONEDA: Readonly<Record<string, Moneda>> = {
  MXN: { descripcion: "Peso Mexicano", decimales: 2 },
  USD: { descripcion: "Dólar americano", decimales: 2 },
  EUR: { descripcion: "Euro", decimales: 2 },
  CAD: { descripcion: "Dólar Canadiense", decimales: 2 },
  GBP: { descripcion: "Libra Esterlina", decimales: 2 },
  CHF: { descripcion: "Franco Suizo", decimales: 2 },
  JPY: { descripcion: "Yen", decimales: 0 },
  CNY: { descripcion: "Yuan Renminbi", decimales: 2 },
  KRW: { descripcion: "Won", decimales: 0 },
  BRL: { descripcion: "Real brasileño", decimales: 2 },
  ARS: { descripcion: "Peso Argentino", decimales: 2 },
  CLP: { descripcion: "Peso chileno", decimales: 0 },
  COP: { descripcion: "Peso Colombiano", decimales: 2 },
  PEN: { descripcion: "Sol", decimales: 2 },
  UYU: { descripcion: "Peso Uruguayo", decimales: 2 },
  GTQ: { descripcion: "Quetzal", decimales: 2 },
  CRC: { descripcion: "Colón costarricense", decimales: 2 },
  DOP: { descripcion: "Peso Dominicano", decimales: 2 },
  XXX: { descripcion: "Los códigos asignados para las transacciones en que intervenga ninguna moneda", decimales: 0 },
};

export const IMPUESTO: Readonly<Record<string, { descripcion: string; retencion: boolean; traslado: boolean }>> = {
  "001": { descripcion: "ISR", retencion: true, traslado: false },
  "002": { descripcion: "IVA", retencion: true, traslado: true },
  "003": { descripcion: "IEPS", retencion: true, traslado: true },
};

export const TIPO_FACTOR = ["Tasa", "Cuota", "Exento"] as const;
export type TipoFactor = (typeof TIPO_FACTOR)[number];

export const OBJETO_IMP: Readonly<Record<string, string>> = {
  "01": "No objeto de impuesto.",
  "02": "Sí objeto de impuesto.",
  "03": "Sí objeto del impuesto y no obligado al desglose.",
  "04": "Sí objeto del impuesto y no causa impuesto.",
  "05": "Sí objeto del impuesto, IVA crédito PODEBI.",
  "06": "Sí objeto del IVA, No traslado IVA.",
  "07": "No traslado del IVA, Sí desglose IEPS.",
  "08": "No traslado del IVA, No desglose IEPS.",
};

export const EXPORTACION: Readonly<Record<string, string>> = {
  "01": "No aplica",
  "02": "Definitiva con clave A1",
  "03": "Temporal",
  "04": "Definitiva con clave distinta a A1 o cuando no existe enajenación en términos del CFF",
};

export const PERIODICIDAD: Readonly<Record<string, string>> = {
  "01": "Diario",
  "02": "Semanal",
  "03": "Quincenal",
  "04": "Mensual",
  "05": "Bimestral",
};

export const MESES: Readonly<Record<string, string>> = {
  "01": "Enero",
  "02": "Febrero",
  "03": "Marzo",
  "04": "Abril",
  "05": "Mayo",
  "06": "Junio",
  "07": "Julio",
  "08": "Agosto",
  "09": "Septiembre",
  "10": "Octubre",
  "11": "Noviembre",
  "12": "Diciembre",
  "13": "Enero-Febrero",
  "14": "Marzo-Abril",
  "15": "Mayo-Junio",
  "16": "Julio-Agosto",
  "17": "Septiembre-Octubre",
  "18": "Noviembre-Diciembre",
};

export const TIPO_DE_COMPROBANTE: Readonly<Record<string, string>> = {
  I: "Ingreso",
  E: "Egreso",
  T: "Traslado",
  N: "Nómina",
  P: "Pago",
};

export const TIPO_RELACION: Readonly<Record<string, string>> = {
  "01": "Nota de crédito de los documentos relacionados",
  "02": "Nota de débito de los documentos relacionados",
  "03": "Devolución de mercancía sobre facturas o traslados previos",
  "04": "Sustitución de los CFDI previos",
  "05": "Traslados de mercancías facturados previamente",
  "06": "Factura generada por los traslados previos",
  "07": "CFDI por aplicación de anticipo",
};

/**
 * c_TasaOCuota, the rows a CRM invoice can use: fixed values or a [min, max] range per
 * Impuesto / TipoFactor / traslado-retención.
 */
export const TASA_O_CUOTA: readonly {
  impuesto: string;
  factor: "Tasa" | "Cuota";
  traslado: boolean;
  retencion: boolean;
  fixed?: readonly string[];
  range?: readonly [string, string];
}[] = [
  { impuesto: "002", factor: "Tasa", traslado: true, retencion: false, fixed: ["0.000000", "0.080000", "0.160000"] },
  { impuesto: "002", factor: "Tasa", traslado: false, retencion: true, range: ["0.000000", "0.160000"] },
  { impuesto: "001", factor: "Tasa", traslado: false, retencion: true, range: ["0.000000", "0.350000"] },
  {
    impuesto: "003",
    factor: "Tasa",
    traslado: true,
    retencion: true,
    fixed: [
      "0.265000",
      "0.300000",
      "0.530000",
      "0.500000",
      "1.600000",
      "0.304000",
      "0.250000",
      "0.090000",
      "0.080000",
      "0.070000",
      "0.060000",
      "0.030000",
      "0.000000",
    ],
  },
  { impuesto: "003", factor: "Cuota", traslado: true, retencion: true, range: ["0.000000", "59.144900"] },
];

export function personaFromRfc(rfc: string): Persona {
  return rfc.length === 12 ? "moral" : "fisica";
}
