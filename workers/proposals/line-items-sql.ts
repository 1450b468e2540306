import { sql, type SQL } from "drizzle-orm";
import type { LineItemRecord } from "./proposal-schema.ts";

/**
 * One INSERT for any number of line items (none included): the rows travel as one JSON parameter
 * and are typed by `jsonb_to_recordset`, so a batch has a fixed shape whatever the item count.
 * `guard` (optional) is a condition the rows are inserted under, e.g. "the guarded update passed".
 */
export function insertLineItems(tenantId: string, proposalId: string, records: LineItemRecord[], guard?: SQL): SQL {
  return sql`insert into proposal_line_items
      (id, tenant_id, proposal_id, position, name, description, quantity, unit_price, discount_percent, tax_rate,
       sat_product_key, sat_unit_key, subtotal, discount, taxable_base, tax, total)
    select x.id, ${tenantId}::uuid, ${proposalId}::uuid, x.position, x.name, x.description, x.quantity, x.unit_price, x.discount_percent, x.tax_rate,
           x.sat_product_key, x.sat_unit_key, x.subtotal, x.discount, x.taxable_base, x.tax, x.total
    from jsonb_to_recordset(${JSON.stringify(records)}::jsonb) as x(
      id uuid, position int, name text, description text, quantity numeric, unit_price numeric, discount_percent numeric, tax_rate numeric,
      sat_product_key text, sat_unit_key text, subtotal numeric, discount numeric, taxable_base numeric, tax numeric, total numeric)
    ${guard ? sql`where ${guard}` : sql``}`;
}
