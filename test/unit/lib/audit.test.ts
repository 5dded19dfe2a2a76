import { describe, expect, it } from 'vitest';
import { writeAudit } from '../../../src/lib/audit.ts';

/** Records what writeAudit asks Prisma to insert (the one writer of audit_logs). */
function recordingTx() {
  const rows: unknown[] = [];
  const tx = { auditLog: { create: async (args: { data: unknown }) => rows.push(args.data) } };
  return { rows, tx: tx as unknown as Parameters<typeof writeAudit>[0] };
}

describe('writeAudit', () => {
  it('writes one row with a fresh aud_ id, the actor split into type and id, and empty data by default', async () => {
    const { rows, tx } = recordingTx();
    await writeAudit(tx, {
      organizationId: 'org_1',
      actor: { type: 'user_session', id: null },
      action: 'api_key.create',
      entityType: 'api_key',
      entityId: 'key_1',
    });
    expect(rows).toEqual([
      {
        id: expect.stringMatching(/^aud_/),
        organizationId: 'org_1',
        actorType: 'user_session',
        actorId: null,
        action: 'api_key.create',
        entityType: 'api_key',
        entityId: 'key_1',
        data: {},
      },
    ]);
  });

  it('keeps the request id when the caller has one', async () => {
    const { rows, tx } = recordingTx();
    await writeAudit(tx, {
      organizationId: null,
      actor: { type: 'system', id: null },
      action: 'wallet.credits_granted',
      entityType: 'wallet',
      entityId: 'wal_1',
      data: { amountNanos: '5' },
      requestId: 'req_1',
    });
    expect(rows[0]).toMatchObject({ requestId: 'req_1', data: { amountNanos: '5' } });
  });
});
