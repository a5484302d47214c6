/**
 * A phase of a GC run: called once per step with its cursor (undefined on its first step), it
 * does a bounded slice of work and says where it stands — `cursor` to go on in the next step, or
 * `done` (optionally with a time before which the next phase must not run, or the phase to go to
 * instead of the next one).
 */
import type { GcContext, ListName } from './gc-context.js';
import { listPrefix } from './gc-context.js';
import { RunReader, SegmentWriter, type RunPosition } from './sorted-runs.js';

export type PhaseOutcome<C> =
  | { readonly cursor: C }
  | { readonly done: true; readonly notBefore?: string; readonly skipTo?: string };

export type Phase<C> = (ctx: GcContext, cursor: C | undefined) => Promise<PhaseOutcome<C>>;

/** A writer that appends to a list of the run's work area where the last step left it. */
export const listWriter = (ctx: GcContext, name: ListName, recordBytes: number): SegmentWriter =>
  new SegmentWriter(ctx.deps.blobs, listPrefix(ctx, name), recordBytes, ctx.carry.seq[name] ?? 0);

/** Writes what a list writer holds and remembers where the list goes on. */
export async function closeList(ctx: GcContext, name: ListName, writer: SegmentWriter): Promise<void> {
  ctx.carry.seq[name] = await writer.flush();
}

/** Reads a list of the run's work area as far as the recorded steps wrote it. */
export const listReader = (ctx: GcContext, name: ListName, recordBytes: number, position?: RunPosition): Promise<RunReader> =>
  RunReader.open(ctx.deps.blobs, listPrefix(ctx, name), recordBytes, position, ctx.carry.seq[name] ?? 0);
