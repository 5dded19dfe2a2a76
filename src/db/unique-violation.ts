/**
 * A unique-constraint violation, whichever way Prisma or the driver adapter reports it: Prisma's
 * P2002, PostgreSQL's 23505 from the pg driver (src/db/sql.ts), or the adapter's wrapped form.
 * The one place that reads these codes; callers treat a violation as "someone else wrote it first".
 */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; meta?: any; message?: string } | null;
  if (!e) return false;
  if (e.code === 'P2002' || e.code === '23505') return true;
  const cause = e.meta?.driverAdapterError?.cause;
  if (cause?.kind === 'UniqueConstraintViolation' || cause?.originalCode === '23505') return true;
  return typeof e.message === 'string' && /23505|unique constraint/i.test(e.message);
}
