import { builder } from '../builder.ts';
import { decodeId } from '../graphql/ids.ts';
import { nanosToUsdDecimal } from '../integrations/litellm/usd.ts';
import { screamingEnum } from './enums.ts';

const LiteLLMDriftDirection = screamingEnum(
  'LiteLLMDriftDirection',
  ['litellm_higher', 'tollgate_higher', 'none'],
  {
    description: 'Which way LiteLLM disagrees with Tollgate.',
    valueDescriptions: {
      litellm_higher:
        'LiteLLM recorded spend Tollgate never billed (calls made straight to LiteLLM, or LiteLLM prices above Tollgate prices).',
      tollgate_higher:
        "Tollgate billed more than LiteLLM recorded (Tollgate prices above LiteLLM's, or spend LiteLLM has not written yet).",
      none: 'They agree.',
    },
  },
);

const LiteLLMDrift = builder
  .objectRef<{
    entityType: string;
    entityId: string;
    litellmSpendUsd: string;
    litellmSpendNanos: bigint;
    tollgateUsageNanos: bigint;
    driftNanos: bigint;
    direction: 'litellm_higher' | 'tollgate_higher' | 'none';
  }>('LiteLLMDrift')
  .implement({
    authScopes: { platformAdmin: true },
    fields: (t) => ({
      entityType: t.exposeString('entityType'),
      entityId: t.exposeID('entityId'),
      litellmSpendUsd: t.exposeString('litellmSpendUsd', { description: 'As LiteLLM reported it (USD).' }),
      litellmSpendNanos: t.expose('litellmSpendNanos', { type: 'BigInt' }),
      tollgateUsageNanos: t.expose('tollgateUsageNanos', {
        type: 'BigInt',
        description: 'USD usage records.',
      }),
      driftNanos: t.expose('driftNanos', { type: 'BigInt', description: 'LiteLLM − Tollgate.' }),
      direction: t.expose('direction', { type: LiteLLMDriftDirection }),
      driftUsd: t.string({
        description: 'By how much they disagree: |LiteLLM − Tollgate| as an exact USD decimal.',
        resolve: (r) => nanosToUsdDecimal(r.driftNanos < 0n ? -r.driftNanos : r.driftNanos),
      }),
    }),
  });

builder.mutationField('resyncLiteLLMBudgets', (t) =>
  t.int({
    description:
      "Pushes the LiteLLM backstop (every mirrored key's max_budget) of one USD wallet, or of all USD wallets, now (platform admin). Returns how many wallets were queued; the outbox delivers them.",
    keyScope: 'manage',
    authScopes: { platformAdmin: true },
    args: { walletId: t.arg.id({ required: false }) },
    resolve: (_r, args, ctx) =>
      ctx.services.litellm.budgets.resync(args.walletId ? decodeId(args.walletId, 'Wallet') : undefined),
  }),
);

builder.queryField('litellmDrift', (t) =>
  t.field({
    keyScope: 'read',
    type: [LiteLLMDrift],
    // One call to LiteLLM's spend API per mapped organization, team and user.
    complexity: 200,
    description:
      'LiteLLM spend vs Tollgate USD usage per mapped organization (keys without a team), team and user (platform admin). Queries LiteLLM now.',
    authScopes: { platformAdmin: true },
    resolve: (_r, _a, ctx) => ctx.services.litellm.computeDrift(),
  }),
);
