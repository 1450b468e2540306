export * from "./tenants.ts";
export * from "./crm.ts";
export * from "./billing.ts";
export * from "./system.ts";
export * from "./whatsapp.ts";
export * from "./fiscal.ts";
