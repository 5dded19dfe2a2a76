// The throwaway databases live in testkit/ so bench/ can use them too; this path stays for the tests.
export * from '../../testkit/db.ts';
