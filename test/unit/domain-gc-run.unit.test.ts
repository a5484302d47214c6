import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gcRunDecider, type GcRunCommand, type GcRunEvent, type GcRunStartedData } from '../../shared/domain/gc-run.js';
import { spec } from '../support/given-when-then.js';

const tenantId = 't-1';
const options = { graceSeconds: 86_400, settleSeconds: 120, dryRun: false, repackBelowPercent: 50, maxRepackPacks: 256 };
const started = (runId = 'gc-20250101T000000000-aaaa'): GcRunStartedData => ({ tenantId, runId, startedAt: '2025-01-01T00:00:00.000Z', options, registryFrom: '2024-12-01' });
const start = (runId?: string): GcRunCommand => ({ type: 'StartGcRun', data: started(runId) });
const startedEvent = (runId?: string): GcRunEvent => ({ type: 'GcRunStarted', data: started(runId) });
const stepData = (step: number, runId = started().runId) => ({ tenantId, runId, step, phase: 'mark', cursor: `{"n":${step}}`, counters: { marked: step } });
const complete = (step: number, runId?: string): GcRunCommand => ({ type: 'CompleteGcStep', data: stepData(step, runId) });
const completed = (step: number): GcRunEvent => ({ type: 'GcStepCompleted', data: stepData(step) });
const finishData = (step: number) => ({ tenantId, runId: started().runId, step, dryRun: false, counters: { freedBytes: 10 }, registryFrom: '2024-12-30' });
const gc = () => spec(gcRunDecider);

describe('GC run decider', () => {
  it('starts a run when none is under way', () => {
    const state = gc().given([]).when(start()).then([startedEvent()]);
    assert.equal(state.status, 'running');
  });
  it('refuses a second run while one is under way, and a run id that does not sort after the last one', () => {
    gc().given([startedEvent()]).when(start('gc-20250102T000000000-aaaa')).thenThrows('conflict', /under way/);
    const done: GcRunEvent = { type: 'GcRunFinished', data: finishData(1) };
    gc().given([startedEvent(), done]).when(start()).thenThrows('invalid', /sorts after/);
    gc().given([startedEvent(), done]).when(start('gc-20250102T000000000-aaaa')).then([startedEvent('gc-20250102T000000000-aaaa')]);
  });
  it('records each step once, in order: a step completed already is a conflict (the duplicate delivery that lost)', () => {
    const state = gc().given([startedEvent(), completed(1)]).when(complete(2)).then([completed(2)]);
    assert.ok(state.status === 'running' && state.step === 2 && state.cursor === '{"n":2}');
    gc().given([startedEvent(), completed(1)]).when(complete(1)).thenThrows('conflict', /completed 1 steps/);
    gc().given([startedEvent()]).when(complete(2)).thenThrows('conflict', /not the next one/);
    gc().given([startedEvent()]).when(complete(1, 'gc-other')).thenThrows('conflict', /not running/);
  });
  it('finishes with the counters and where the next run looks for registrations; then idle', () => {
    const state = gc().given([startedEvent(), completed(1)]).when({ type: 'FinishGcRun', data: finishData(2) }).then([{ type: 'GcRunFinished', data: finishData(2) }]);
    assert.deepEqual(state, { status: 'idle', lastRunId: started().runId, last: finishData(2), registryFrom: '2024-12-30' });
  });
  it('a run can be cancelled; bad options and an oversized cursor are refused', () => {
    gc().given([startedEvent()]).when({ type: 'CancelGcRun', data: { tenantId, runId: started().runId, reason: 'operator' } })
      .then([{ type: 'GcRunCancelled', data: { tenantId, runId: started().runId, reason: 'operator' } }]);
    gc().given([]).when({ type: 'StartGcRun', data: { ...started(), options: { ...options, repackBelowPercent: 101 } } }).thenThrows('invalid', /0\.\.100/);
    gc().given([]).when({ type: 'StartGcRun', data: { ...started(), options: { ...options, graceSeconds: -1 } } }).thenThrows('invalid', /non-negative/);
    gc().given([startedEvent()]).when({ type: 'CompleteGcStep', data: { ...stepData(1), cursor: 'x'.repeat(16_385) } }).thenThrows('invalid', /at most/);
  });
});
