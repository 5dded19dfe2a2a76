import { logger } from './logger.ts';

/**
 * No outage of a dependency may end the gateway: a promise rejection nobody awaited is logged — with
 * the request id of the request it belonged to, since Node runs this handler in the rejected
 * promise's async context — instead of ending the process (Node's default).
 */
export function logUnhandledRejections(): void {
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled promise rejection'));
}
