import pg from "pg";

/**
 * Runs `work` in one transaction as the owner with app.tenant_id set to `tenantId` (RLS is FORCEd
 * even for the owner): for the local stack's seeds, which write one tenant's rows directly.
 */
export async function inTenantTransaction<T>(
  ownerUrl: string,
  tenantId: string,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query("BEGIN");
    await client.query("select set_config('app.tenant_id', $1, true)", [tenantId]);
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
}
