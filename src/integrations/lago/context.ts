import type { Config } from '../../config.ts';
import type { Db } from '../../db/client.ts';
import type { LagoApi } from './client.ts';

/** What the Lago use-cases need: the database, the Lago client and the Lago settings. */
export interface LagoContext {
  db: Db;
  api: LagoApi;
  config: Pick<
    Config,
    | 'LAGO_API_URL'
    | 'LAGO_BILLABLE_METRIC_CODE'
    | 'LAGO_PLAN_CODE'
    | 'LAGO_PAYMENT_MODE'
    | 'LAGO_EVENTS_BATCH_SIZE'
  >;
  clock: () => Date;
}
