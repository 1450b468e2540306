/** Who is writing: the tenant and user the rows and events belong to, and the request the events correlate with. */
export interface Actor {
  tenantId: string;
  userId: string;
  correlationId: string;
}
