/**
 * A decider (emmett style): pure, synchronous, no I/O. Time and ids arrive in commands.
 * `decide` throws a DomainError for an illegal command; it never mutates state.
 */
export interface Decider<Command, Event, State> {
  readonly decide: (command: Command, state: State) => Event[];
  readonly evolve: (state: State, event: Event) => State;
  readonly initialState: () => State;
}

/** Why a command is refused. `code` maps to an HTTP status at the edge. */
export type DomainErrorCode = 'conflict' | 'not-found' | 'invalid' | 'forbidden' | 'rate-limited';

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(readonly code: DomainErrorCode, message: string) {
    super(message);
  }
}

export function assertNever(x: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(x)}`);
}

/** Folds events into state. */
export function fold<E, S>(decider: Pick<Decider<unknown, E, S>, 'evolve' | 'initialState'>, events: readonly E[]): S {
  return events.reduce(decider.evolve, decider.initialState());
}
