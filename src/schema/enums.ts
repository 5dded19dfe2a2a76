import { builder } from '../builder.ts';

/**
 * The one GraphQL enum convention (issue #16): every value the schema exposes is SCREAMING_SNAKE_CASE,
 * while the value resolvers and the database see stays the internal lowercase one. Pothos maps
 * between the two at the edge, so no resolver, table or stored row changes with the spelling.
 */
export const screamingCase = (value: string): string => value.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();

/** A GraphQL enum named `name` whose values are `values` spelled in SCREAMING_SNAKE_CASE. */
export function screamingEnum<const V extends string>(
  name: string,
  values: readonly V[],
  options: { description?: string; valueDescriptions?: Partial<Record<V, string>> } = {},
) {
  const config: Record<string, { value: V; description?: string }> = {};
  for (const value of values) {
    const description = options.valueDescriptions?.[value];
    config[screamingCase(value)] = description === undefined ? { value } : { value, description };
  }
  return builder.enumType(name, {
    ...(options.description === undefined ? {} : { description: options.description }),
    values: config,
  });
}
