import type { Principal } from './identity/principal.ts';
import type { Services } from './services.ts';

export interface Context {
  requestId: string;
  principal: Principal | null;
  services: Services;
}
