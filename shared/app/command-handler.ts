import type { StoredEvent } from '../events/envelope.js';
import { fold, type Decider } from '../domain/decider.js';
import type { EventStore } from '../ports/event-store.js';
import { ConcurrencyError } from '../ports/errors.js';
import type { AppDeps } from './deps.js';

interface TypedEvent { type: string; data: unknown }

/** Who appends, and when: every event of one command carries the same. */
export interface CommandMeta { readonly at: string; readonly actor: string }

/** The meta of a command `actor` issues now (the deps clock). */
export function commandMeta(deps: Pick<AppDeps, 'clock'>, actor: string): CommandMeta {
  return { at: deps.clock().toISOString(), actor };
}

/** An aggregate's stream as read: its state, its events and its version (0 = no stream yet). */
export interface Loaded<S> {
  readonly state: S;
  readonly events: StoredEvent[];
  readonly version: number;
}

export interface CommandResult<S> extends Loaded<S> {
  /** The events this command appended ([] for an idempotent repeat). `events` ends with them. */
  readonly appended: StoredEvent[];
}

export interface CommandOptions<S> {
  /** How many times to decide when appends keep conflicting (default 5). */
  readonly attempts?: number;
  /** The stream as the caller already read it: the first decision uses it instead of reading again. */
  readonly loaded?: Loaded<S>;
}

/**
 * One aggregate's command handler (emmett's DeciderCommandHandler): `handler(deps, id, command,
 * actor)` loads the stream `streamOf(id)`, folds it, decides, and appends at the version it
 * read; on a concurrent append it reads again and decides again (DESIGN §4), a few times, then
 * gives up with the ConcurrencyError. `actor` is the actor (the events' `at` is the deps clock's
 * now), or a whole CommandMeta a caller shares between steps. `load(deps, id)` only reads.
 */
export interface CommandHandler<Id, C, S> {
  (deps: Pick<AppDeps, 'events' | 'clock'>, id: Id, command: C, actor: string, options?: CommandOptions<S>): Promise<CommandResult<S>>;
  (deps: Pick<AppDeps, 'events'>, id: Id, command: C, meta: CommandMeta, options?: CommandOptions<S>): Promise<CommandResult<S>>;
  load(deps: Pick<AppDeps, 'events'>, id: Id): Promise<Loaded<S>>;
}

export function commandHandler<Id, C, E extends TypedEvent, S>(decider: Decider<C, E, S>, streamOf: (id: Id) => string): CommandHandler<Id, C, S> {
  const load = async (deps: Pick<AppDeps, 'events'>, id: Id): Promise<Loaded<S>> => loadStream(deps.events, streamOf(id), decider);
  const handle = (
    deps: Pick<AppDeps, 'events'> & Partial<Pick<AppDeps, 'clock'>>, id: Id, command: C, by: string | CommandMeta, options: CommandOptions<S> = {},
  ): Promise<CommandResult<S>> => {
    const meta = typeof by === 'string' ? commandMeta({ clock: deps.clock ?? missingClock }, by) : by;
    return run(deps.events, streamOf(id), decider, command, meta, options);
  };
  return Object.assign(handle, { load });
}

const missingClock = (): Date => { throw new Error('a command handler given an actor needs the deps clock'); };

async function loadStream<E, S>(store: EventStore, streamId: string, decider: Pick<Decider<unknown, E, S>, 'evolve' | 'initialState'>): Promise<Loaded<S>> {
  const events = await store.readStream(streamId);
  // The stream holds this aggregate's events only (its id names the aggregate): the one cast from stored to typed events.
  return { state: fold(decider, events as unknown as E[]), events, version: events.length };
}

async function run<C, E extends TypedEvent, S>(
  store: EventStore, streamId: string, decider: Decider<C, E, S>, command: C, meta: CommandMeta, options: CommandOptions<S>,
): Promise<CommandResult<S>> {
  const attempts = options.attempts ?? 5;
  let loaded = options.loaded;
  for (let attempt = 1; ; attempt++) {
    const { state, events: history, version } = loaded ?? await loadStream(store, streamId, decider);
    loaded = undefined;
    const events = decider.decide(command, state);
    if (events.length === 0) return { state, events: history, version, appended: [] };
    try {
      const appended = await store.append(streamId, version, events.map((e) => ({ type: e.type, data: e.data, at: meta.at, actor: meta.actor })));
      return { state: events.reduce(decider.evolve, state), events: [...history, ...appended], version: version + appended.length, appended };
    } catch (err) {
      if (!(err instanceof ConcurrencyError) || attempt >= attempts) throw err;
    }
  }
}

/**
 * Load stream → fold → decide → append with the expected version, for a decider and a stream id
 * given at the call (the bound handlers of ./handlers.ts are the application's way in).
 */
export async function handleCommand<C, E extends TypedEvent, S>(
  store: EventStore,
  streamId: string,
  decider: Decider<C, E, S>,
  command: C,
  meta: CommandMeta,
  attempts = 5,
): Promise<CommandResult<S>> {
  return run(store, streamId, decider, command, meta, { attempts });
}

/** Reads a stream and folds it. */
export async function loadState<E, S>(store: EventStore, streamId: string, decider: Pick<Decider<unknown, E, S>, 'evolve' | 'initialState'>): Promise<Loaded<S>> {
  return loadStream(store, streamId, decider);
}
