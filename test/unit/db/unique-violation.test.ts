import { describe, expect, it } from 'vitest';
import { isUniqueViolation } from '../../../src/db/unique-violation.ts';

describe('isUniqueViolation', () => {
  it('recognizes a unique violation from Prisma, from the pg driver and from the driver adapter', () => {
    expect(isUniqueViolation({ code: 'P2002', meta: { target: ['slug'] } })).toBe(true);
    expect(isUniqueViolation({ code: '23505', message: 'duplicate key value' })).toBe(true);
    expect(
      isUniqueViolation({
        code: 'P2010',
        meta: { driverAdapterError: { cause: { kind: 'UniqueConstraintViolation' } } },
      }),
    ).toBe(true);
    expect(isUniqueViolation({ meta: { driverAdapterError: { cause: { originalCode: '23505' } } } })).toBe(
      true,
    );
    expect(isUniqueViolation(new Error('Unique constraint failed on the fields: (`slug`)'))).toBe(true);
  });

  it('leaves every other failure alone', () => {
    for (const err of [
      null,
      undefined,
      { code: 'P2025' },
      { code: '40001' },
      new Error('connection terminated unexpectedly'),
      { meta: { driverAdapterError: { cause: { kind: 'ForeignKeyConstraintViolation' } } } },
    ])
      expect(isUniqueViolation(err)).toBe(false);
  });
});
