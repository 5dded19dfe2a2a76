// Run by unhandled-rejections.test.ts as its own process: Node ends a process on an unhandled
// rejection unless something handles it, and vitest would report one in its own process.
import { logUnhandledRejections } from '../../../src/lib/unhandled-rejections.ts';
import { runWithRequestContext } from '../../../src/lib/request-context.ts';

logUnhandledRejections();
runWithRequestContext({ requestId: 'req-orphaned' }, () => {
  setTimeout(() => {
    void Promise.reject(new Error('nobody awaited this'));
  }, 1);
});
// Unhandled rejections are processed at the end of the tick they happen in, long before this.
setTimeout(() => process.stdout.write('still running\n'), 100);
