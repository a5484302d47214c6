/**
 * "Estimated full" (issue 11 item 5): when a tenant's stored bytes reach its quota at the pace of
 * the last days, by a least-squares line through the daily high-water marks. Pure: `today` is
 * passed in. Undefined when usage is not growing (or there are fewer than two days to go on).
 */
export interface UsagePoint { readonly day: string; readonly storedBytes: number }

const DAY_MS = 86_400_000;
const dayNumber = (day: string): number => Date.parse(`${day}T00:00:00.000Z`) / DAY_MS;

export function estimatedFullDate(points: readonly UsagePoint[], quotaBytes: number, today: string): string | undefined {
  const latest = points.reduce<UsagePoint | undefined>((a, p) => (!a || p.day > a.day ? p : a), undefined);
  if (!latest) return undefined;
  if (latest.storedBytes >= quotaBytes) return today;
  if (points.length < 2) return undefined;
  const xs = points.map((p) => dayNumber(p.day));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = points.reduce((a, p) => a + p.storedBytes, 0) / points.length;
  let num = 0;
  let den = 0;
  points.forEach((p, i) => { const dx = (xs[i] as number) - mx; num += dx * (p.storedBytes - my); den += dx * dx; });
  const slope = den === 0 ? 0 : num / den; // bytes per day
  if (!(slope > 0)) return undefined;
  const days = Math.ceil((quotaBytes - latest.storedBytes) / slope);
  return new Date((Math.max(dayNumber(today), dayNumber(latest.day)) + days) * DAY_MS).toISOString().slice(0, 10);
}
