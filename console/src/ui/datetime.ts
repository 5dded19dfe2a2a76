/**
 * Timestamps for operators, always in UTC with the zone written out (the gateway, its logs and the ledger
 * speak UTC), so a screenshot or a pasted row means the same thing everywhere.
 */
export function formatUtc(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The value of an `<input type="datetime-local">` read as UTC → ISO-8601; null when empty or invalid. */
export function utcInputToIso(value: string): string | null {
  if (!value) return null;
  const d = new Date(`${value}Z`);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** ISO-8601 → the value an `<input type="datetime-local">` shows, in UTC. */
export function isoToUtcInput(iso: string | null | undefined): string {
  return iso ? new Date(iso).toISOString().slice(0, 16) : '';
}
