/**
 * The HTTP edge maps every DomainError to its problem in one table (issue 9 item 2): the coarse
 * `code` gives the status and title, a specific `reason` its own problem type. Each row here is
 * the contract the API documents (docs/replication-protocol.md, the OpenAPI document); the table
 * must cover every code and reason the domain declares, and nothing else.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DOMAIN_ERROR_CODES, DOMAIN_ERROR_REASONS, DomainError, type DomainErrorCode, type DomainErrorReason } from '../../shared/domain/errors.js';
import { toProblem } from '../../shared/http/middleware/problem-json.js';
import { errorStatuses } from '../../shared/http/openapi.js';
import { problemResponse } from '../../shared/http/problem.js';
import { PROBLEM_TYPES } from '../../shared/http/problem-types.js';
import { ROUTES, type RouteSpec } from '../../shared/http/routes.js';

const P = 'https://drcore.dev/problems/';

/** code → [status, title]: a DomainError without a reason. */
const BY_CODE: Record<DomainErrorCode, [number, string]> = {
  invalid: [422, 'Unprocessable Content'],
  'not-found': [404, 'Not Found'],
  conflict: [409, 'Conflict'],
  forbidden: [403, 'Forbidden'],
  'rate-limited': [429, 'Too Many Requests'],
};

/** reason → [the code it is raised with, status, title]; its problem type is the reason itself. */
const BY_REASON: Record<DomainErrorReason, [DomainErrorCode, number, string]> = {
  'invalid-parent': ['invalid', 422, 'Invalid Parent'],
  'quota-exceeded': ['invalid', 422, 'Quota Exceeded'],
  'invalid-manifest': ['invalid', 422, 'Invalid Manifest'],
  'missing-chunks': ['invalid', 422, 'Missing Chunks'],
  'invalid-pack': ['invalid', 422, 'Invalid Pack'],
  'tenant-suspended': ['forbidden', 403, 'Tenant Suspended'],
  'replication-paused': ['forbidden', 423, 'Replication Paused'],
  'lease-ended': ['forbidden', 403, 'Lease Ended'],
  'too-many-uploads': ['rate-limited', 429, 'Too Many Uploads'],
  'stored-chunk-corrupt': ['not-found', 502, 'Stored Chunk Corrupt'],
  'storage-migration-required': ['conflict', 409, 'Storage Migration Required'],
  'csr-key-not-accepted': ['invalid', 400, 'CSR Key Not Accepted'],
  'csr-signature-algorithm-not-accepted': ['invalid', 400, 'CSR Signature Algorithm Not Accepted'],
  'confirmation-mismatch': ['invalid', 422, 'Confirmation Mismatch'],
  'bin-period-over': ['not-found', 410, 'Bin Period Over'],
  'outside-seed-inbox': ['invalid', 400, 'Outside Seed Inbox'],
  'no-seed': ['invalid', 422, 'No Seed'],
};

/** The replication refusals the protocol document names with their status. */
const REPLICATION_REASONS: DomainErrorReason[] = ['invalid-parent', 'quota-exceeded', 'invalid-manifest', 'missing-chunks', 'invalid-pack', 'tenant-suspended', 'replication-paused', 'lease-ended', 'too-many-uploads', 'stored-chunk-corrupt', 'storage-migration-required'];

const documented = new Set((ROUTES as readonly RouteSpec[]).flatMap((r) => errorStatuses(r)));
const body = (e: DomainError) => JSON.parse(problemResponse(toProblem(e)).body) as Record<string, unknown>;

describe('DomainError → problem (the one table at the HTTP edge)', () => {
  it('the table has a row for every code and every reason of the domain, and no other', () => {
    assert.deepEqual(Object.keys(PROBLEM_TYPES).sort(), [...DOMAIN_ERROR_CODES, ...DOMAIN_ERROR_REASONS].sort());
    assert.deepEqual(Object.keys(BY_CODE).sort(), [...DOMAIN_ERROR_CODES].sort());
    assert.deepEqual(Object.keys(BY_REASON).sort(), [...DOMAIN_ERROR_REASONS].sort());
  });

  for (const code of DOMAIN_ERROR_CODES) {
    const [status, title] = BY_CODE[code];
    it(`code ${code} → ${status} ${title}, a status the API documents`, () => {
      const p = toProblem(new DomainError(code, `a ${code} refusal`));
      assert.equal(p.status, status);
      assert.equal(p.title, title);
      assert.equal(p.type, `${P}${title.toLowerCase().replaceAll(' ', '-')}`);
      assert.deepEqual(body(new DomainError(code, `a ${code} refusal`)), { type: p.type, title, status, detail: `a ${code} refusal` });
      assert.ok(documented.has(p.status as never), `${status} is in the OpenAPI document`);
    });
  }

  for (const reason of DOMAIN_ERROR_REASONS) {
    const [code, status, title] = BY_REASON[reason];
    it(`reason ${reason} → ${status} ${title} (type …/${reason}), documented`, () => {
      const e = new DomainError(code, `refused: ${reason}`, { reason, details: { n: 1 } });
      const p = toProblem(e);
      assert.equal(p.status, status);
      assert.equal(p.title, title);
      assert.equal(p.type, `${P}${reason}`);
      assert.deepEqual(body(e), { type: `${P}${reason}`, title, status, detail: `refused: ${reason}`, n: 1 }, 'details become members of the problem');
      assert.ok(documented.has(p.status as never), `${status} is in the OpenAPI document`);
    });
  }

  it('every replication refusal is in docs/replication-protocol.md with its status and title', () => {
    const doc = readFileSync(new URL('../../docs/replication-protocol.md', import.meta.url), 'utf8');
    for (const reason of REPLICATION_REASONS) {
      const [, status, title] = BY_REASON[reason];
      assert.ok(doc.includes(`**${status}** \`${title}\``), `${reason}: **${status}** \`${title}\``);
    }
  });

  it('replication-paused: 423 with Retry-After and the reason in the body', () => {
    const paused = new DomainError('forbidden', 'paused', { reason: 'replication-paused', details: { pausedReason: 'storage maintenance', scope: 'tenant', retryAfterSeconds: 30 } });
    const res = problemResponse(toProblem(paused));
    assert.equal(res.statusCode, 423);
    assert.equal(res.headers?.['retry-after'], '30');
    assert.equal(body(paused)['pausedReason'], 'storage maintenance');
  });

  it('rate-limited: 429 with Retry-After (whole seconds) and retryAfterSeconds in the body; none without it', () => {
    const limited = new DomainError('rate-limited', 'slow down', { details: { retryAfterSeconds: 42 } });
    const res = problemResponse(toProblem(limited));
    assert.equal(res.statusCode, 429);
    assert.equal(res.headers?.['retry-after'], '42');
    assert.equal(body(limited)['retryAfterSeconds'], 42);
    const bare = problemResponse(toProblem(new DomainError('rate-limited', 'slow down')));
    assert.equal(bare.statusCode, 429);
    assert.equal(bare.headers?.['retry-after'], undefined);
  });
});
