/** A bench goal and its verdict, with by how much a missed goal is missed. */

export interface Goal {
  label: string;
  value: number;
  /** '≥': value must reach target; '≤': value must stay at or under it. */
  op: '≥' | '≤';
  target: number;
  format: (n: number) => string;
}

export function met(g: Goal): boolean {
  return g.op === '≥' ? g.value >= g.target : g.value <= g.target;
}

/** `label: value (goal ≥ target) — MEETS`, or `— MISSES: 38 % short` / `— MISSES: 2.4× the goal`. */
export function verdict(g: Goal): string {
  const head = `${g.label}: ${g.format(g.value)} (goal ${g.op} ${g.format(g.target)})`;
  if (!Number.isFinite(g.value)) return `${head} — NOT MEASURED`;
  if (met(g)) return `${head} — MEETS`;
  const by = g.op === '≥' ? `${((1 - g.value / g.target) * 100).toFixed(0)} % short` : `${(g.value / g.target).toFixed(2)}× the goal`;
  return `${head} — MISSES: ${by}`;
}

export const times = (n: number): string => `${n.toFixed(2)}×`;
export const percent = (digits: number) => (n: number): string => `${(n * 100).toFixed(digits)} %`;
export const dollars = (n: number): string => `$${n.toFixed(2)}`;
