import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../config.ts';
import { type DocumentLimit, DocumentLimitError } from './errors.ts';

/**
 * Limits on the document itself, checked before anything runs and before the caller is known:
 * tokens while parsing (so a huge document is never fully parsed), then depth, aliases and
 * directives as validation rules (GraphQL Armor). Each refusal throws a DocumentLimitError with its
 * own code; Armor's own error would have none.
 */
export function documentLimitPlugins(config: Config): Plugin[] {
  const refuse =
    (limit: DocumentLimit, max: number) =>
    (_ctx: unknown, err: Error): never => {
      throw new DocumentLimitError(limit, err.message.replace(/^Syntax Error: /, ''), max);
    };
  const plugins: Plugin[] = [
    maxTokensPlugin({
      n: config.GRAPHQL_MAX_TOKENS,
      onReject: [refuse('tokens', config.GRAPHQL_MAX_TOKENS)],
    }),
    maxDepthPlugin({
      n: config.GRAPHQL_MAX_DEPTH,
      // Fragments are how clients share selections, not extra levels of data.
      flattenFragments: true,
      onReject: [refuse('depth', config.GRAPHQL_MAX_DEPTH)],
    }),
    maxAliasesPlugin({
      n: config.GRAPHQL_MAX_ALIASES,
      onReject: [refuse('aliases', config.GRAPHQL_MAX_ALIASES)],
    }),
    maxDirectivesPlugin({
      n: config.GRAPHQL_MAX_DIRECTIVES,
      onReject: [refuse('directives', config.GRAPHQL_MAX_DIRECTIVES)],
    }),
  ];
  // "Did you mean …?" lets anyone map the schema without introspection.
  if (!config.GRAPHQL_FIELD_SUGGESTIONS) plugins.push(blockFieldSuggestionsPlugin());
  return plugins;
}
