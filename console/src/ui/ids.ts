/**
 * The raw database id (`key_…`) inside a Relay global id (base64 of `Typename:id`). Some fields carry
 * raw ids (UsageRecord.apiKeyId) while nodes carry global ones; the gateway accepts both as arguments.
 */
export function rawId(globalId: string): string {
  try {
    const text = atob(globalId);
    const at = text.indexOf(':');
    return at > 0 ? text.slice(at + 1) : globalId;
  } catch {
    return globalId;
  }
}
