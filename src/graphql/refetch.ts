/** The selection Pothos's Prisma plugin hands a resolver (`query`): what the client asked for. */
interface Selection {
  include?: unknown;
  select?: unknown;
}

/** A Prisma model delegate, reduced to what a refetch uses. */
interface Refetchable<Row, Query extends Selection> {
  findUniqueOrThrow(args: Query & { where: { id: string } }): PromiseLike<Row>;
}

/**
 * Awaits a use case, then loads the object it wrote with the client's selection spread in (one
 * query for the whole selection). Use cases return plain rows; only this edge knows the selection.
 */
export async function refetch<Row, Query extends Selection>(
  model: Refetchable<Row, Query>,
  query: Query,
  written: PromiseLike<{ id: string }> | { id: string },
): Promise<Row> {
  const { id } = await written;
  return model.findUniqueOrThrow({ ...query, where: { id } });
}
