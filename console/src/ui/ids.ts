/**
 * Some fields carry raw ids (`org_…`: Plan.grantedOrganizationIds, PlanAssignment.subjectId, Wallet.owner.id)
 * and others Relay global ids (base64 of `Organization:org_…`); arguments take either. Compare ids only
 * after passing both through `rawId`.
 */
export function rawId(id: string): string {
  if (/^[a-z]+_[0-9a-z]+$/i.test(id)) return id;
  try {
    const decoded = atob(id);
    const colon = decoded.indexOf(':');
    return colon > 0 ? decoded.slice(colon + 1) : id;
  } catch {
    return id;
  }
}
