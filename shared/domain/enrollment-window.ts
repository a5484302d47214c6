import { assertNever, type Decider } from './decider.js';
import { DomainError } from './errors.js';

/**
 * Enrollment window aggregate — stream `enrollment:<serial>:<windowStart>`: the pairing
 * requests one enrollment certificate filed in one fixed window of the pairing rate limit
 * (DESIGN §6). The MSP-wide enrollment bundle goes to every customer, so it is semi-public:
 * this bounds the pending requests (and the review work) one certificate can create. One
 * stream per window keeps every decision a read of at most `limit` events, and the event
 * store's optimistic concurrency makes the limit hold under concurrent requests.
 */
export interface PairingRequestFiledData {
  serial: string;
  requestId: string;
  /** ISO 8601 start of the window. */
  windowStart: string;
}

export type EnrollmentWindowCommand = { type: 'FilePairingRequest'; data: PairingRequestFiledData & { limit: number } };

export type EnrollmentWindowEvent = { type: 'PairingRequestFiled'; data: PairingRequestFiledData };

export interface EnrollmentWindowState {
  readonly requestIds: readonly string[];
}

export function decide(command: EnrollmentWindowCommand, state: EnrollmentWindowState): EnrollmentWindowEvent[] {
  switch (command.type) {
    case 'FilePairingRequest': {
      const { limit, ...data } = command.data;
      if (!Number.isSafeInteger(limit) || limit < 1) throw new DomainError('invalid', 'the pairing rate limit must be a positive integer');
      if (state.requestIds.includes(data.requestId)) return []; // a retried append that had landed
      if (state.requestIds.length >= limit) {
        throw new DomainError('rate-limited', `enrollment certificate ${data.serial} has filed ${state.requestIds.length} pairing requests since ${data.windowStart} (at most ${limit})`);
      }
      return [{ type: 'PairingRequestFiled', data }];
    }
    default:
      return assertNever(command.type satisfies never);
  }
}

export function evolve(state: EnrollmentWindowState, event: EnrollmentWindowEvent): EnrollmentWindowState {
  switch (event.type) {
    case 'PairingRequestFiled':
      return { requestIds: [...state.requestIds, event.data.requestId] };
    default:
      return assertNever(event.type satisfies never);
  }
}

export const initialState = (): EnrollmentWindowState => ({ requestIds: [] });

export const enrollmentWindowDecider: Decider<EnrollmentWindowCommand, EnrollmentWindowEvent, EnrollmentWindowState> = { decide, evolve, initialState };
