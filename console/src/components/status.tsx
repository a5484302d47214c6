import type { ComponentChildren } from 'preact';

/** An API error in words, never swallowed. */
export function ErrorBox({ error, what }: { error: Error | undefined; what: string }) {
  if (!error) return null;
  return <div class="error" role="alert"><strong>Could not {what}.</strong> {error.message}</div>;
}

export function Loading({ loading, children }: { loading: boolean; children?: ComponentChildren }) {
  return loading ? <p class="muted" aria-live="polite">Loading…</p> : <>{children}</>;
}

/** A panel for a feature this core does not have yet: says so, shows no made-up data. */
export function NotAvailable({ what }: { what: string }) {
  return <p class="muted not-available">{what}: not available on this core (its API does not offer it yet).</p>;
}

export type Tone = 'ok' | 'warn' | 'bad' | 'off' | 'info';
export function Pill({ tone, children }: { tone: Tone; children: ComponentChildren }) {
  return <span class={`pill pill-${tone}`}>{children}</span>;
}
