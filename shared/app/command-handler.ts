import type { StoredEvent } from '../events/envelope.js';
import { fold, type Decider } from '../domain/decider.js';
import type { EventStore } from '../ports/event-store.js';
import { ConcurrencyError } from '../ports/errors.js';

interface TypedEvent { type: string; data: unknown }

export interface CommandResult<S> {
  readonly state: S;
  readonly version: number;
  readonly appended: StoredEvent[];
}

/**
 * Load stream → fold → decide → append with the expected version. On a concurrent
 * append it re-reads and re-decides (DESIGN §4), a few times, then gives up with the
 * ConcurrencyError.
 */
export async function handleCommand<C, E extends TypedEvent, S>(
  store: EventStore,
  streamId: string,
  decider: Decider<C, E, S>,
  command: C,
  meta: { at: string; actor: string },
  attempts = 5,
): Promise<CommandResult<S>> {
  for (let attempt = 1; ; attempt++) {
    const history = await store.readStream(streamId);
    const state = fold(decider, history as unknown as E[]);
    const events = decider.decide(command, state);
    if (events.length === 0) return { state, version: history.length, appended: [] };
    try {
      const appended = await store.append(streamId, history.length, events.map((e) => ({ type: e.type, data: e.data, at: meta.at, actor: meta.actor })));
      return { state: events.reduce(decider.evolve, state), version: history.length + events.length, appended };
    } catch (err) {
      if (!(err instanceof ConcurrencyError) || attempt >= attempts) throw err;
    }
  }
}

/** Reads a stream and folds it. */
export async function loadState<E, S>(store: EventStore, streamId: string, decider: Pick<Decider<unknown, E, S>, 'evolve' | 'initialState'>): Promise<{ state: S; events: StoredEvent[] }> {
  const events = await store.readStream(streamId);
  return { state: fold(decider, events as unknown as E[]), events };
}
