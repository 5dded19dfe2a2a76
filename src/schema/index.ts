import { builder } from '../builder.ts';
import './system.ts';
import './outbox.ts';
import './payments.ts';
import './usage.ts';
import './wallet.ts';
import './identity.ts';
import './lago.ts';
import './pricing.ts';
import './plans.ts';
import './risk.ts';
import './notifications.ts';

export const schema = builder.toSchema({ sortSchema: true });
