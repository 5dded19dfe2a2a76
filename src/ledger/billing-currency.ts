import type { Db } from '../db/client.ts';

/**
 * The currency an organization is billed in: its `metadata.billingCurrency`, else the default,
 * upper-cased. Admission picks the paying wallet by it, and the LiteLLM backstop mirrors a budget
 * only when it is USD: one rule, read here.
 */
export async function readBillingCurrency(
  db: Pick<Db, 'organization'>,
  organizationId: string,
  defaultCurrency: string,
): Promise<string> {
  const org = await db.organization.findUnique({ where: { id: organizationId }, select: { metadata: true } });
  const configured = (org?.metadata as { billingCurrency?: string } | null | undefined)?.billingCurrency;
  return (configured ?? defaultCurrency).toUpperCase();
}
