import type { Principal } from './identity/principal.ts';
import type { Services } from './services.ts';

export interface Context {
  requestId: string;
  principal: Principal | null;
  services: Services;
  /**
   * The credential the caller authenticated with (its SHA-256, never the secret) and a way to check
   * it again, so a long-lived subscription can end when the key is revoked. Absent outside GraphQL.
   */
  credential?: { hash: string; authenticate(): Promise<Principal | null> } | null;
}
