// Demo tenants for `npm start`: two companies on different plans, with users and a populated CRM.
// Fixed ids so the seed is idempotent and `npm run token -- --tenant demo` can resolve users.
import type { Role } from "../../core/auth/roles.ts";
import type { Plan } from "../../core/ratelimit/policies.ts";

export interface DemoTenant {
  id: string;
  slug: string;
  name: string;
  plan: Plan;
  rfc: string;
  razonSocial: string;
  regimenFiscal: string;
  codigoPostal: string;
  users: { id: string; role: Role; email: string; fullName: string }[];
  sources: { id: string; name: string }[];
  contacts: {
    id: string;
    firstName: string;
    lastName: string;
    email: string;
    phone: string;
    company: string;
    jobTitle: string;
  }[];
  customers: {
    id: string;
    contactIndex: number;
    rfc: string;
    razonSocial: string;
    regimenFiscal: string;
    codigoPostal: string;
    usoCfdi: string;
    email: string;
  }[];
  leads: {
    id: string;
    contactIndex: number;
    sourceIndex: number;
    ownerIndex: number;
    title: string;
    company: string;
    value: string;
    status: "new" | "contacted" | "qualified" | "lost";
    lostReason?: string;
    score?: number;
  }[];
  proposals: DemoProposal[];
  /** Timeline entries on leads (by index), days ago. */
  activities?: {
    id: string;
    leadIndex: number;
    userIndex: number;
    type: "call" | "note" | "meeting" | "email" | "task";
    subject: string;
    body?: string;
    daysAgo: number;
  }[];
}

export interface DemoProposal {
  id: string;
  /** Which public link `npm start` prints for it (sent proposals only). */
  linkName?: string;
  title: string;
  customerIndex?: number;
  leadIndex?: number;
  status: "draft" | "sent" | "accepted";
  validDays: number;
  notes?: string;
  items: {
    name: string;
    description?: string;
    quantity: string;
    unitPrice: string;
    discountPercent: string;
    taxRate: string | null;
    satProductKey?: string;
    satUnitKey?: string;
  }[];
}

export const DEMO_TENANTS: DemoTenant[] = [
  {
    id: "0b1e7c52-6f0a-4d8e-9a51-3c2f1d0e9a01",
    slug: "demo",
    name: "Demo Comercial del Centro",
    plan: "pro",
    // The issuer of SAT's public test CSD (test/fixtures/csd), so the demo can seal real CFDI.
    rfc: "EKU9003173C9",
    razonSocial: "ESCUELA KEMPER URGATE",
    regimenFiscal: "601",
    codigoPostal: "86000",
    users: [
      {
        id: "5a0f3f4e-1d2c-4b6a-8e9f-000000000001",
        role: "admin",
        email: "admin@demo.zuclubit.mx",
        fullName: "Mariana López Herrera",
      },
      {
        id: "5a0f3f4e-1d2c-4b6a-8e9f-000000000002",
        role: "manager",
        email: "gerente@demo.zuclubit.mx",
        fullName: "Jorge Ramírez Castillo",
      },
      {
        id: "5a0f3f4e-1d2c-4b6a-8e9f-000000000003",
        role: "user",
        email: "ventas@demo.zuclubit.mx",
        fullName: "Daniela Torres Méndez",
      },
    ],
    sources: [
      { id: "7c1d2e3f-0000-4000-8000-000000000101", name: "Sitio web" },
      { id: "7c1d2e3f-0000-4000-8000-000000000102", name: "WhatsApp" },
      { id: "7c1d2e3f-0000-4000-8000-000000000103", name: "Expo ANTAD" },
      { id: "7c1d2e3f-0000-4000-8000-000000000104", name: "Referido" },
    ],
    contacts: [
      {
        id: "8d2e3f40-0000-4000-8000-000000000201",
        firstName: "Alejandro",
        lastName: "García Ruiz",
        email: "agarcia@ferreteriaelmartillo.mx",
        phone: "+525512345678",
        company: "Ferretería El Martillo",
        jobTitle: "Director general",
      },
      {
        id: "8d2e3f40-0000-4000-8000-000000000202",
        firstName: "Sofía",
        lastName: "Hernández Vega",
        email: "sofia.hernandez@clinicasanrafael.mx",
        phone: "+523312345678",
        company: "Clínica San Rafael",
        jobTitle: "Administradora",
      },
      {
        id: "8d2e3f40-0000-4000-8000-000000000203",
        firstName: "Luis",
        lastName: "Martínez Ochoa",
        email: "lmartinez@transportesdelbajio.mx",
        phone: "+524421234567",
        company: "Transportes del Bajío",
        jobTitle: "Gerente de compras",
      },
      {
        id: "8d2e3f40-0000-4000-8000-000000000204",
        firstName: "Valeria",
        lastName: "Sánchez Ortiz",
        email: "valeria@panaderialaespiga.mx",
        phone: "+528112345678",
        company: "Panadería La Espiga",
        jobTitle: "Propietaria",
      },
      {
        id: "8d2e3f40-0000-4000-8000-000000000205",
        firstName: "Ricardo",
        lastName: "Flores Navarro",
        email: "rflores@constructoraaltiplano.mx",
        phone: "+524441234567",
        company: "Constructora Altiplano",
        jobTitle: "Director de proyectos",
      },
      {
        id: "8d2e3f40-0000-4000-8000-000000000206",
        firstName: "Gabriela",
        lastName: "Morales Díaz",
        email: "gmorales@hotelcasamaya.mx",
        phone: "+529981234567",
        company: "Hotel Casa Maya",
        jobTitle: "Gerente de operaciones",
      },
      {
        id: "8d2e3f40-0000-4000-8000-000000000207",
        firstName: "Fernando",
        lastName: "Jiménez Rojas",
        email: "fjimenez@agrosonora.mx",
        phone: "+526621234567",
        company: "Agrícola del Sonora",
        jobTitle: "Administrador",
      },
      {
        id: "8d2e3f40-0000-4000-8000-000000000208",
        firstName: "Mariana",
        lastName: "Castro Pérez",
        email: "mariana@dentalsonrisa.mx",
        phone: "+522221234567",
        company: "Dental Sonrisa Puebla",
        jobTitle: "Directora",
      },
      {
        id: "8d2e3f40-0000-4000-8000-000000000209",
        firstName: "Jorge",
        lastName: "Ortega Salas",
        email: "jortega@logisticapacifico.mx",
        phone: "+523221234567",
        company: "Logística del Pacífico",
        jobTitle: "Gerente comercial",
      },
      {
        id: "8d2e3f40-0000-4000-8000-000000000210",
        firstName: "Paola",
        lastName: "Guzmán Reyes",
        email: "paola.guzman@boutiqueluna.mx",
        phone: "+524771234567",
        company: "Boutique Luna",
        jobTitle: "Dueña",
      },
      {
        id: "8d2e3f40-0000-4000-8000-000000000211",
        firstName: "Héctor",
        lastName: "Domínguez Luna",
        email: "hdominguez@talleresbajio.mx",
        phone: "+524611234567",
        company: "Talleres Mecánicos del Bajío",
        jobTitle: "Propietario",
      },
    ],
    customers: [
      {
        id: "9e3f4051-0000-4000-8000-000000000301",
        contactIndex: 0,
        rfc: "FEM150312KJ4",
        razonSocial: "FERRETERIA EL MARTILLO",
        regimenFiscal: "601",
        codigoPostal: "03100",
        usoCfdi: "G03",
        email: "facturas@ferreteriaelmartillo.mx",
      },
      {
        id: "9e3f4051-0000-4000-8000-000000000302",
        contactIndex: 1,
        rfc: "CSR100825QW2",
        razonSocial: "CLINICA SAN RAFAEL",
        regimenFiscal: "601",
        codigoPostal: "44100",
        usoCfdi: "G03",
        email: "contabilidad@clinicasanrafael.mx",
      },
    ],
    leads: [
      {
        id: "a0405162-0000-4000-8000-000000000401",
        contactIndex: 2,
        sourceIndex: 2,
        ownerIndex: 2,
        title: "Flotilla: 12 licencias CRM",
        company: "Transportes del Bajío",
        value: "86400.00",
        status: "qualified",
        score: 78,
      },
      {
        id: "a0405162-0000-4000-8000-000000000402",
        contactIndex: 3,
        sourceIndex: 1,
        ownerIndex: 2,
        title: "Punto de venta y facturación",
        company: "Panadería La Espiga",
        value: "18500.00",
        status: "contacted",
        score: 55,
      },
      {
        id: "a0405162-0000-4000-8000-000000000403",
        contactIndex: 4,
        sourceIndex: 3,
        ownerIndex: 1,
        title: "Implementación CRM obra y cobranza",
        company: "Constructora Altiplano",
        value: "245000.00",
        status: "new",
        score: 40,
      },
      {
        id: "a0405162-0000-4000-8000-000000000404",
        contactIndex: 0,
        sourceIndex: 0,
        ownerIndex: 2,
        title: "Renovación anual",
        company: "Ferretería El Martillo",
        value: "32000.00",
        status: "lost",
        lostReason: "Eligió un proveedor local",
        score: 20,
      },
      {
        id: "a0405162-0000-4000-8000-000000000405",
        contactIndex: 5,
        sourceIndex: 0,
        ownerIndex: 1,
        title: "CRM para reservaciones y grupos",
        company: "Hotel Casa Maya",
        value: "128000.00",
        status: "contacted",
        score: 67,
      },
      {
        id: "a0405162-0000-4000-8000-000000000406",
        contactIndex: 6,
        sourceIndex: 3,
        ownerIndex: 2,
        title: "Facturación CFDI para 40 productores",
        company: "Agrícola del Sonora",
        value: "72000.00",
        status: "qualified",
        score: 82,
      },
      {
        id: "a0405162-0000-4000-8000-000000000407",
        contactIndex: 7,
        sourceIndex: 1,
        ownerIndex: 2,
        title: "Agenda y cobranza a meses sin intereses",
        company: "Dental Sonrisa Puebla",
        value: "24500.00",
        status: "new",
        score: 58,
      },
      {
        id: "a0405162-0000-4000-8000-000000000408",
        contactIndex: 8,
        sourceIndex: 2,
        ownerIndex: 1,
        title: "Integración WhatsApp para rastreo de envíos",
        company: "Logística del Pacífico",
        value: "156000.00",
        status: "contacted",
        score: 71,
      },
      {
        id: "a0405162-0000-4000-8000-000000000409",
        contactIndex: 9,
        sourceIndex: 1,
        ownerIndex: 2,
        title: "Tienda en línea y catálogo por WhatsApp",
        company: "Boutique Luna",
        value: "15800.00",
        status: "new",
        score: 35,
      },
      {
        id: "a0405162-0000-4000-8000-000000000410",
        contactIndex: 10,
        sourceIndex: 3,
        ownerIndex: 2,
        title: "Órdenes de servicio y recordatorios",
        company: "Talleres Mecánicos del Bajío",
        value: "19900.00",
        status: "lost",
        lostReason: "Sin presupuesto este año",
        score: 15,
      },
    ],
    activities: [
      {
        id: "c2627384-0000-4000-8000-000000000601",
        leadIndex: 0,
        userIndex: 2,
        type: "call",
        subject: "Llamada de descubrimiento",
        body: "Tienen 12 vendedores en ruta; quieren seguimiento desde el celular.",
        daysAgo: 9,
      },
      {
        id: "c2627384-0000-4000-8000-000000000602",
        leadIndex: 0,
        userIndex: 2,
        type: "meeting",
        subject: "Demo en sus oficinas de Querétaro",
        daysAgo: 4,
      },
      {
        id: "c2627384-0000-4000-8000-000000000603",
        leadIndex: 1,
        userIndex: 2,
        type: "email",
        subject: "Envío de precios y folleto",
        daysAgo: 6,
      },
      {
        id: "c2627384-0000-4000-8000-000000000604",
        leadIndex: 4,
        userIndex: 1,
        type: "call",
        subject: "Primer contacto",
        body: "Temporada alta en diciembre; decidir antes del 15.",
        daysAgo: 2,
      },
      {
        id: "c2627384-0000-4000-8000-000000000605",
        leadIndex: 5,
        userIndex: 2,
        type: "task",
        subject: "Preparar propuesta para 40 productores",
        daysAgo: 1,
      },
      {
        id: "c2627384-0000-4000-8000-000000000606",
        leadIndex: 7,
        userIndex: 1,
        type: "note",
        subject: "Pide integración con su paquetería",
        daysAgo: 3,
      },
    ],
    proposals: [
      {
        id: "b1516273-0000-4000-8000-000000000501",
        linkName: "clínica",
        title: "Equipamiento de consultorios y capacitación",
        customerIndex: 1,
        status: "sent",
        validDays: 30,
        notes:
          "Precios en pesos mexicanos. Entrega en Guadalajara sin costo. Acepta pago a 6 meses sin intereses con tarjetas participantes.",
        items: [
          {
            name: "Camilla de exploración",
            description: "Acero inoxidable, tapiz vinílico",
            quantity: "3",
            unitPrice: "12499.99",
            discountPercent: "10",
            taxRate: "0.16",
            satProductKey: "42192100",
            satUnitKey: "H87",
          },
          {
            name: "Capacitación clínica",
            description: "Dos sesiones presenciales",
            quantity: "1",
            unitPrice: "4500.00",
            discountPercent: "0",
            taxRate: null,
            satProductKey: "86101700",
            satUnitKey: "E48",
          },
          {
            name: "Insumos desechables (kg)",
            quantity: "2.5",
            unitPrice: "1234.57",
            discountPercent: "0",
            taxRate: "0.16",
            satProductKey: "42131600",
            satUnitKey: "KGM",
          },
        ],
      },
      {
        id: "b1516273-0000-4000-8000-000000000502",
        linkName: "ferretería",
        title: "Licencias CRM y facturación electrónica",
        customerIndex: 0,
        status: "sent",
        validDays: 15,
        items: [
          {
            name: "Licencia anual Smart CRM",
            quantity: "5",
            unitPrice: "2890.00",
            discountPercent: "5",
            taxRate: "0.16",
            satProductKey: "43231500",
            satUnitKey: "E48",
          },
          {
            name: "Timbrado CFDI (paquete 1,000)",
            quantity: "1",
            unitPrice: "1450.00",
            discountPercent: "0",
            taxRate: "0.16",
            satProductKey: "81112100",
            satUnitKey: "E48",
          },
        ],
      },
      {
        id: "b1516273-0000-4000-8000-000000000503",
        title: "Implementación CRM obra y cobranza",
        leadIndex: 2,
        status: "draft",
        validDays: 30,
        items: [
          {
            name: "Consultoría de implementación",
            quantity: "40",
            unitPrice: "950.00",
            discountPercent: "0",
            taxRate: "0.16",
            satProductKey: "81111500",
            satUnitKey: "HUR",
          },
        ],
      },
    ],
  },
  {
    id: "1c2f8d63-7a1b-4e9f-8b62-4d3a2e1f0b02",
    slug: "acme",
    name: "Acme Distribuciones del Norte",
    plan: "free",
    rfc: "ADN190101XY3",
    razonSocial: "ACME DISTRIBUCIONES DEL NORTE",
    regimenFiscal: "601",
    codigoPostal: "64000",
    users: [
      {
        id: "6b1a4a5f-2e3d-4c7b-9f0a-000000000001",
        role: "admin",
        email: "admin@acme.zuclubit.mx",
        fullName: "Fernanda Garza Treviño",
      },
      {
        id: "6b1a4a5f-2e3d-4c7b-9f0a-000000000003",
        role: "user",
        email: "ventas@acme.zuclubit.mx",
        fullName: "Héctor Villarreal Salinas",
      },
    ],
    sources: [{ id: "7c1d2e3f-0000-4000-8000-000000000151", name: "Llamada en frío" }],
    contacts: [
      {
        id: "8d2e3f40-0000-4000-8000-000000000251",
        firstName: "Patricia",
        lastName: "Cantú Elizondo",
        email: "pcantu@abarroteslaregia.mx",
        phone: "+528187654321",
        company: "Abarrotes La Regia",
        jobTitle: "Compras",
      },
    ],
    customers: [],
    leads: [
      {
        id: "a0405162-0000-4000-8000-000000000451",
        contactIndex: 0,
        sourceIndex: 0,
        ownerIndex: 1,
        title: "Distribución de abarrotes 2027",
        company: "Abarrotes La Regia",
        value: "54000.00",
        status: "new",
      },
    ],
    proposals: [],
  },
];
