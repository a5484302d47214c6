/**
 * RPO compliance as Acronis shows it: a machine's lag (the time since its last committed RP, or
 * since it was registered when it has none) against its tenant's RPO target: within it,
 * exceeded (up to 2×), severely exceeded (up to 4×), critical (beyond). Pure.
 */
export const RPO_COMPLIANCE = ['within', 'exceeded', 'severely-exceeded', 'critical'] as const;
export type RpoCompliance = (typeof RPO_COMPLIANCE)[number];

export function rpoCompliance(lagSeconds: number, targetSeconds: number): RpoCompliance {
  if (lagSeconds <= targetSeconds) return 'within';
  if (lagSeconds <= 2 * targetSeconds) return 'exceeded';
  if (lagSeconds <= 4 * targetSeconds) return 'severely-exceeded';
  return 'critical';
}

/** Whole seconds from `since` to `now` (never negative). */
export function lagSeconds(since: string, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - Date.parse(since)) / 1000));
}
