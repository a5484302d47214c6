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

export interface HandlerOptions<E, S> {
  /**
   * Keep each stream's folded state per process (per EventStore) and read only the events
   * appended after it: loads cost O(new events), not O(stream), and the stream is read in pages
   * of STATE_PAGE events, each folded and let go, so a process folding a stream (one without
   * `stateFromLast`, or events written before they carried their state) does so in bounded
   * memory. For aggregates whose state is small and whose streams grow without bound (the
   * storage counter: an event per stored pack). `events` in a Loaded or CommandResult then holds
   * only the last page that call read, not the whole stream.
   */
  readonly cacheState?: boolean;
  /**
   * With cacheState: the state after a stream's last event when that event carries it (a
   * snapshot in the event), so a process without a cached state reads one event, not the stream.
   */
  readonly stateFromLast?: (last: E) => S | undefined;
}

export function commandHandler<Id, C, E extends TypedEvent, S>(decider: Decider<C, E, S>, streamOf: (id: Id) => string, handlerOptions: HandlerOptions<E, S> = {}): CommandHandler<Id, C, S> {
  const cache = handlerOptions.cacheState ? new StateCache<E, S>(handlerOptions.stateFromLast) : undefined;
  const read = (store: EventStore, streamId: string): Promise<Loaded<S>> => (cache ? cache.load(store, streamId, decider) : loadStream(store, streamId, decider));
  const load = async (deps: Pick<AppDeps, 'events'>, id: Id): Promise<Loaded<S>> => read(deps.events, streamOf(id));
  const handle = async (
    deps: Pick<AppDeps, 'events'> & Partial<Pick<AppDeps, 'clock'>>, id: Id, command: C, by: string | CommandMeta, options: CommandOptions<S> = {},
  ): Promise<CommandResult<S>> => {
    const meta = typeof by === 'string' ? commandMeta({ clock: deps.clock ?? missingClock }, by) : by;
    const streamId = streamOf(id);
    const result = await run(deps.events, streamId, decider, command, meta, options, read);
    cache?.remember(deps.events, streamId, result);
    return result;
  };
  return Object.assign(handle, { load });
}

/** Events a cached-state load reads and folds at a time. */
const STATE_PAGE = 1000;

/** Folded states by store and stream, each at the version it was folded to (see HandlerOptions.cacheState). */
class StateCache<E, S> {
  private readonly byStore = new WeakMap<EventStore, Map<string, { state: S; version: number }>>();

  constructor(private readonly fromLast?: (last: E) => S | undefined) {}

  private of(store: EventStore): Map<string, { state: S; version: number }> {
    let m = this.byStore.get(store);
    if (!m) this.byStore.set(store, (m = new Map()));
    return m;
  }

  async load(store: EventStore, streamId: string, decider: Pick<Decider<unknown, E, S>, 'evolve' | 'initialState'>): Promise<Loaded<S>> {
    const at = this.of(store).get(streamId);
    if (!at && this.fromLast) {
      const last = await store.readLast(streamId);
      // The stream holds this aggregate's events only: the one cast from stored to typed events.
      const state = last ? this.fromLast(last as unknown as E) : undefined;
      if (last && state !== undefined) {
        const loaded = { state, events: [last], version: last.version };
        this.remember(store, streamId, loaded);
        return loaded;
      }
    }
    let { state, version } = at ?? { state: decider.initialState(), version: 0 };
    let events: StoredEvent[] = [];
    for (;;) {
      const page = await store.readStream(streamId, version, STATE_PAGE);
      if (page.length === 0) break;
      events = page;
      state = (page as unknown as E[]).reduce(decider.evolve, state);
      version += page.length;
      if (page.length < STATE_PAGE) break;
    }
    const loaded = { state, events, version };
    this.remember(store, streamId, loaded);
    return loaded;
  }

  remember(store: EventStore, streamId: string, loaded: { state: S; version: number }): void {
    const m = this.of(store);
    const known = m.get(streamId);
    if (!known || known.version < loaded.version) m.set(streamId, { state: loaded.state, version: loaded.version });
  }
}

const missingClock = (): Date => { throw new Error('a command handler given an actor needs the deps clock'); };

async function loadStream<E, S>(store: EventStore, streamId: string, decider: Pick<Decider<unknown, E, S>, 'evolve' | 'initialState'>): Promise<Loaded<S>> {
  const events = await store.readStream(streamId);
  // The stream holds this aggregate's events only (its id names the aggregate): the one cast from stored to typed events.
  return { state: fold(decider, events as unknown as E[]), events, version: events.length };
}

async function run<C, E extends TypedEvent, S>(
  store: EventStore, streamId: string, decider: Decider<C, E, S>, command: C, meta: CommandMeta, options: CommandOptions<S>,
  read: (store: EventStore, streamId: string) => Promise<Loaded<S>> = (st, id) => loadStream(st, id, decider),
): Promise<CommandResult<S>> {
  const attempts = options.attempts ?? 5;
  let loaded = options.loaded;
  for (let attempt = 1; ; attempt++) {
    const { state, events: history, version } = loaded ?? await read(store, streamId);
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
