import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGraphQLError } from '../../../src/graphql/yoga.ts';
import type { Principal } from '../../../src/identity/principal.ts';
import { schema } from '../../../src/schema/index.ts';
import { type TestApp, startTestApp } from '../../helpers/app.ts';
import { type TestDatabase, openTestDatabase } from '../../helpers/db.ts';
import { documentFor, graphql, isIdSlot, valueFor } from '../../helpers/schema-walk.ts';

/**
 * Walks EVERY query and mutation of the schema as it is at test time (fields other engineers add
 * later are covered too), calling each as an owner and as a member of another organization with
 * every victim id (raw and Relay-encoded) in every id-like argument. Nothing of the victim may
 * come back, and nothing of the victim may change.
 */
const { execute, isNonNullType, parse } = graphql;

/**
 * Typed errors are fine (FORBIDDEN / NOT_FOUND mostly; the walk's placeholder values can also
 * trip a field's own validation, e.g. an unpriced model): what must never happen is victim data
 * in a result, a change to the victim, or an unhandled (INTERNAL) error.
 */
const isAcceptableErrorCode = (code: string) => code !== 'INTERNAL';

describe('tenant isolation across every query and mutation', () => {
  let db: TestDatabase;
  let t: TestApp;
  const victim: Record<string, string> = {};
  const victimSecrets: string[] = [];
  let candidates: string[] = [];
  const principals: Record<string, Principal> = {};

  async function snapshot() {
    const orgId = victim.org!;
    const [orgs, teams, memberships, users, keys, wallets, teamMembers, outbox] = await Promise.all([
      db.prisma.organization.findMany({ where: { id: orgId } }),
      db.prisma.team.findMany({ where: { organizationId: orgId } }),
      db.prisma.membership.findMany({ where: { organizationId: orgId } }),
      db.prisma.user.findMany({ where: { id: { in: [victim.owner!, victim.member!] } } }),
      db.prisma.apiKey.findMany({ where: { organizationId: orgId }, omit: { lastUsedAt: true } }),
      db.prisma.wallet.findMany({ where: { organizationId: orgId } }),
      db.prisma.teamMember.findMany({ where: { teamId: victim.team! } }),
      db.prisma.outboxMessage.count(),
    ]);
    return JSON.stringify({ orgs, teams, memberships, users, keys, wallets, teamMembers, outbox }, (_k, v) =>
      typeof v === 'bigint' ? v.toString() : v,
    );
  }

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    t = await startTestApp(db, { state: 'memory' });
    const svc = t.app.services;
    const mk = async (slug: string) => {
      const o = await t.gql(
        `mutation { createOrganization(input:{name:"${slug} inc", slug:"${slug}", ownerEmail:"owner@${slug}.test"}) { id } }`,
      );
      const orgId = Buffer.from(o.data.createOrganization.id, 'base64').toString().split(':')[1]!;
      const owner = await db.prisma.user.findFirstOrThrow({ where: { email: `owner@${slug}.test` } });
      const ownerKey = await t.gql(
        `mutation { createApiKey(input:{organizationId:"${orgId}", userId:"${owner.id}", name:"${slug}-owner", scopes:[READ,MANAGE,BILLING,INFERENCE]}) { secret apiKey { id } } }`,
      );
      const ownerSecret = ownerKey.data.createApiKey.secret as string;
      const member = await t.gql(
        `mutation { createUser(input:{organizationId:"${orgId}", email:"member@${slug}.test", name:"${slug} member", role: MEMBER}) { id } }`,
        {},
        { token: ownerSecret },
      );
      const memberId = Buffer.from(member.data.createUser.id, 'base64').toString().split(':')[1]!;
      const memberKey = await t.gql(
        `mutation { createApiKey(input:{organizationId:"${orgId}", userId:"${memberId}", name:"${slug}-member", scopes:[READ,MANAGE,BILLING,INFERENCE]}) { secret } }`,
      );
      const team = await t.gql(
        `mutation { createTeam(input:{organizationId:"${orgId}", name:"${slug} team"}) { id } }`,
        {},
        { token: ownerSecret },
      );
      const teamId = Buffer.from(team.data.createTeam.id, 'base64').toString().split(':')[1]!;
      await t.gql(
        `mutation { addTeamMember(input:{teamId:"${teamId}", userId:"${memberId}"}) { id } }`,
        {},
        { token: ownerSecret },
      );
      const wallet = await db.prisma.wallet.create({
        data: {
          id: `wal_${slug}`,
          organizationId: orgId,
          ownerType: 'organization',
          ownerId: orgId,
          currency: 'USD',
          balanceNanos: 5_000_000_000n,
        },
      });
      const membership = await db.prisma.membership.findFirstOrThrow({
        where: { organizationId: orgId, userId: memberId },
      });
      const keyId = Buffer.from(ownerKey.data.createApiKey.apiKey.id, 'base64').toString().split(':')[1]!;
      return {
        ids: {
          org: orgId,
          owner: owner.id,
          member: memberId,
          team: teamId,
          wallet: wallet.id,
          membership: membership.id,
          key: keyId,
        },
        ownerSecret,
        memberSecret: memberKey.data.createApiKey.secret as string,
      };
    };
    const v = await mk('victim');
    Object.assign(victim, v.ids);
    victimSecrets.push(v.ownerSecret, v.memberSecret);
    const a = await mk('attacker');
    principals.owner = await svc.apiKeys.authenticate(a.ownerSecret);
    principals.member = await svc.apiKeys.authenticate(a.memberSecret);
    const typeOf: Record<string, string> = {
      org: 'Organization',
      owner: 'User',
      member: 'User',
      team: 'Team',
      wallet: 'Wallet',
      membership: 'Membership',
      key: 'ApiKey',
    };
    candidates = Object.entries(victim).flatMap(([k, id]) => [id, encodeGlobalID(typeOf[k]!, id)]);
  });
  afterAll(async () => {
    await t.close();
    await db.close();
  });

  it('covers the identity fields (the walk is not vacuous)', () => {
    const q = Object.keys(schema.getQueryType()!.getFields());
    const m = Object.keys(schema.getMutationType()!.getFields());
    expect(q).toEqual(
      expect.arrayContaining(['organization', 'organizations', 'apiKeys', 'node', 'nodes', 'viewer']),
    );
    expect(m).toEqual(
      expect.arrayContaining([
        'createTeam',
        'deleteOrganization',
        'revokeApiKey',
        'updateMembership',
        'createApiKey',
      ]),
    );
  });

  async function walk(principal: Principal, kinds: readonly ('query' | 'mutation')[]) {
    const forbiddenStrings = [
      ...Object.values(victim),
      ...candidates,
      ...victimSecrets,
      'owner@victim.test',
      'member@victim.test',
      'victim inc',
      'victim team',
    ];
    const problems: string[] = [];
    let calls = 0;
    for (const kind of kinds) {
      const root = kind === 'query' ? schema.getQueryType()! : schema.getMutationType()!;
      for (const field of Object.values(root.getFields())) {
        const document = parse(documentFor(kind, field, field.args));
        const usesIds = JSON.stringify(field.args.map((a) => valueFor(a.name, a.type, '@@id@@'))).includes(
          '@@id@@',
        );
        for (const candidate of usesIds ? candidates : ['-']) {
          const variables = Object.fromEntries(
            field.args
              .filter(
                (a) => (isNonNullType(a.type) && a.defaultValue === undefined) || isIdSlot(a.name, a.type),
              )
              .map((a) => [a.name, valueFor(a.name, a.type, candidate)]),
          );
          const result = await execute({
            schema,
            document,
            variableValues: variables,
            contextValue: { requestId: 'isolation', principal, services: t.app.services },
          });
          calls++;
          const data = JSON.stringify(result.data ?? null);
          for (const s of forbiddenStrings)
            if (data.includes(s))
              problems.push(`${kind} ${field.name}(${candidate}) returned victim data ${s}`);
          for (const e of result.errors ?? []) {
            const err = toGraphQLError(e, 'isolation');
            const code = err.extensions.code as string;
            // The relay plugin's id decoding throws plain Errors for a malformed or wrong-typed global
            // id, masked as INTERNAL: not a leak (reported to the lead: map them in src/builder.ts).
            const msg = String((e as any).originalError?.message);
            if (code === 'INTERNAL' && /^Invalid global ID|^ID: .* is not of type: /.test(msg)) continue;
            if (!isAcceptableErrorCode(code))
              problems.push(
                `${kind} ${field.name}(${candidate}) failed with ${code}: ${code === 'INTERNAL' ? String((e as any).originalError ?? e.message) : err.message}`,
              );
            for (const s of ['owner@victim.test', 'member@victim.test', 'victim inc', 'victim team'])
              if (err.message.includes(s)) problems.push(`${kind} ${field.name} error leaks ${s}`);
          }
        }
      }
    }
    return { problems, calls };
  }

  it('the walk does see victim data when run as the victim (control)', async () => {
    const self = await t.app.services.apiKeys.authenticate(victimSecrets[0]!);
    const { problems } = await walk(self, ['query']);
    expect(problems.some((p) => p.startsWith('query organization(') && p.includes('victim inc'))).toBe(true);
    expect(problems.some((p) => p.startsWith('query node(') && p.includes('returned victim data'))).toBe(
      true,
    );
  });

  for (const role of ['owner', 'member'] as const) {
    it(`an ${role} of another organization gets nothing of the victim and changes nothing`, async () => {
      const before = await snapshot();
      const { problems, calls } = await walk(principals[role]!, ['query', 'mutation']);
      expect(problems).toEqual([]);
      expect(calls).toBeGreaterThan(100);
      expect(await snapshot()).toBe(before);
    });
  }
});
