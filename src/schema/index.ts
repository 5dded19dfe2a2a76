import { builder } from '../builder.ts';
import './system.ts';
import './outbox.ts';

export const schema = builder.toSchema({ sortSchema: true });
