/**
 * Given/When/Then for deciders:
 *
 *   spec(pairingDecider).given([requested]).when(approve).then([approved]);
 *   spec(pairingDecider).given([requested, approved]).when(approve).thenThrows('conflict', /already approved/);
 *
 * The state handed to `decide` is deep-frozen, so a decider that mutates its state
 * fails the spec instead of passing by accident. `then` returns the state after the
 * given and the produced events, for the odd assertion on `evolve`.
 */
import assert from 'node:assert/strict';
import { DomainError, fold, type Decider, type DomainErrorCode } from '../../shared/domain/decider.js';

export interface Then<E, S> {
  /** The command produced exactly these events (`[]`: an idempotent no-op). */
  then(expected: readonly E[]): S;
  /** The command was refused with a DomainError of this code and a message matching `message`. */
  thenThrows(code: DomainErrorCode, message?: RegExp): void;
}

export interface When<C, E, S> {
  when(command: C): Then<E, S>;
}

export interface Given<C, E, S> {
  given(events: readonly E[]): When<C, E, S>;
}

export function spec<C, E, S>(decider: Decider<C, E, S>): Given<C, E, S> {
  return {
    given: (events) => ({
      when: (command) => {
        const history = structuredClone(events) as E[];
        const decide = (): E[] => decider.decide(deepFreeze(structuredClone(command)), deepFreeze(fold(decider, history)));
        return {
          then(expected) {
            const produced = decide();
            assert.deepEqual(produced, expected);
            return fold(decider, [...history, ...produced]);
          },
          thenThrows(code, message) {
            assert.throws(decide, (err: unknown) => {
              assert.ok(err instanceof DomainError, `expected a DomainError, got ${String(err)}`);
              assert.equal(err.code, code, `expected code ${code}, got ${err.code} (${err.message})`);
              if (message) assert.match(err.message, message);
              return true;
            });
          },
        };
      },
    }),
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
