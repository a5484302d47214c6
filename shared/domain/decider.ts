/**
 * A decider (emmett style): pure, synchronous, no I/O. Time and ids arrive in commands.
 * `decide` throws a DomainError for an illegal command; it never mutates state.
 */
export interface Decider<Command, Event, State> {
  readonly decide: (command: Command, state: State) => Event[];
  readonly evolve: (state: State, event: Event) => State;
  readonly initialState: () => State;
}

/** Refusals are DomainErrors (./errors.ts); re-exported for the deciders' users. */
export { DomainError, type DomainErrorCode } from './errors.js';

export function assertNever(x: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(x)}`);
}

/** Folds events into state. */
export function fold<E, S>(decider: Pick<Decider<unknown, E, S>, 'evolve' | 'initialState'>, events: readonly E[]): S {
  return events.reduce(decider.evolve, decider.initialState());
}
