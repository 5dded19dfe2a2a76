import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQueryable } from '@prisma/driver-adapter-utils';
import { PrismaClient } from '../../src/generated/prisma/client.ts';

/**
 * A Prisma client whose driver adapter counts every SQL statement it sends (outside and inside
 * transactions), so a test can assert how many round trips a GraphQL query costs.
 */
export function countingPrisma(url: string): { prisma: PrismaClient; statements: string[] } {
  const statements: string[] = [];
  const count = <Q extends SqlQueryable>(q: Q): Q =>
    new Proxy(q, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop === 'queryRaw' || prop === 'executeRaw')
          return (query: { sql: string }) => {
            statements.push(query.sql);
            return (value as (q: unknown) => unknown).call(target, query);
          };
        if (prop === 'startTransaction')
          return async (...args: unknown[]) =>
            count(await (value as (...a: unknown[]) => Promise<SqlQueryable>).apply(target, args));
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  const inner = new PrismaPg({ connectionString: url, max: 2 });
  const factory: SqlDriverAdapterFactory = {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: async () => count<SqlDriverAdapter>(await inner.connect()),
  };
  return { prisma: new PrismaClient({ adapter: factory }), statements };
}
