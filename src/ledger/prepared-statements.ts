/**
 * Names the ledger's hot statements (hold, settle, release, sweep), which start with a
 * `/* tg:NAME *\/` marker, so the pg driver prepares each once per connection instead of parsing
 * and planning it on every call (measured: about half of PostgreSQL's time per statement, see
 * docs/benchmarks.md). Every other statement stays unnamed. Wire it as
 * `new PrismaPg(poolConfig, { statementNameGenerator: preparedStatementName })`.
 */
export function preparedStatementName(query: { sql: string }): string {
  const m = /^\/\* tg:([a-z_]+) \*\//.exec(query.sql);
  return (m ? `tg_${m[1]}` : undefined) as string;
}
