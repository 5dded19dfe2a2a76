import type { Db } from '../db/client.ts';

/** Creates the system accounts (`system:<purpose>:<CUR>`) a posting needs, if they do not exist yet. */
export type EnsureSystemAccounts = (codes: string[], currency: string) => Promise<void>;

/**
 * System accounts are created on first need and never deleted, so each is ensured once per
 * process: after that a posting to it costs no statement.
 */
export function createSystemAccounts(db: Db): EnsureSystemAccounts {
  const ensured = new Set<string>();
  return async (codes, currency) => {
    const missing = codes.filter((c) => !ensured.has(c));
    if (missing.length === 0) return;
    await db.ledgerAccount.createMany({
      data: missing.map((code) => ({ id: code, code, kind: 'system', currency })),
      skipDuplicates: true,
    });
    for (const c of missing) ensured.add(c);
  };
}
