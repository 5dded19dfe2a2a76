import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestDatabase, backends, openTestDatabase } from '../../helpers/db.ts';
import { createOrganization, walletWithBalance } from './fixtures.ts';

describe.each(backends())('Wallets on %s', (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('creates one wallet per owner and currency, with its ledger account', async () => {
    const { ledger, org, wallet } = await walletWithBalance(db.prisma);
    const again = await ledger.ensureWallet({
      organizationId: org.id,
      ownerType: 'organization',
      ownerId: org.id,
      currency: 'usd',
    });
    expect(again.id).toBe(wallet.id);
    const jpy = await ledger.ensureWallet({
      organizationId: org.id,
      ownerType: 'organization',
      ownerId: org.id,
      currency: 'JPY',
    });
    expect(jpy.id).not.toBe(wallet.id);
    const account = await db.prisma.ledgerAccount.findUniqueOrThrow({ where: { id: `wallet:${wallet.id}` } });
    expect(account).toMatchObject({ kind: 'wallet', walletId: wallet.id, currency: 'USD', balanceNanos: 0n });
    await expect(
      ledger.ensureWallet({
        organizationId: org.id,
        ownerType: 'organization',
        ownerId: org.id,
        currency: 'XYZ',
      }),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED_CURRENCY' });
  });

  it('refuses wallets for unknown organizations and for owners outside the organization', async () => {
    const { ledger, org } = await walletWithBalance(db.prisma);
    await expect(
      ledger.ensureWallet({
        organizationId: 'org_missing',
        ownerType: 'organization',
        ownerId: 'org_missing',
        currency: 'USD',
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const other = await createOrganization(db.prisma, 'Foreign');
    const team = await db.prisma.team.create({
      data: { id: `team_${other.id}`, organizationId: other.id, name: 'x' },
    });
    await expect(
      ledger.ensureWallet({ organizationId: org.id, ownerType: 'team', ownerId: team.id, currency: 'USD' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(
      ledger.ensureWallet({
        organizationId: org.id,
        ownerType: 'user',
        ownerId: 'usr_nobody',
        currency: 'USD',
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const inOrg = await db.prisma.team.create({
      data: { id: `team_${org.id}`, organizationId: org.id, name: 'y' },
    });
    const w = await ledger.ensureWallet({
      organizationId: org.id,
      ownerType: 'team',
      ownerId: inOrg.id,
      currency: 'USD',
    });
    expect(w).toMatchObject({ ownerType: 'team', ownerId: inOrg.id, organizationId: org.id });
  });

  it('refuses an organization wallet owned by someone else', async () => {
    const { ledger } = await walletWithBalance(db.prisma);
    const other = await createOrganization(db.prisma, 'Other');
    await expect(
      ledger.ensureWallet({
        organizationId: other.id,
        ownerType: 'organization',
        ownerId: 'org_x',
        currency: 'USD',
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
