/**
 * The operator's limit of a tenant's pack uploads in flight on AWS (issue 13, item 3): the
 * replication API carries it (context uploadConcurrencyPerTenant, default 16), and may write
 * the upload-slot leases it is kept by across instances (docs/replication-protocol.md
 * "Concurrent uploads").
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Match } from 'aws-cdk-lib/assertions';
import { ENV } from '../../shared/runtime/env.js';
import { synth } from './synth.js';

describe('stack: the per-tenant upload concurrency limit', () => {
  it('the replication API carries the default limit, 16', () => {
    synth().template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'replication-api', [ENV.uploadConcurrency]: '16' }) },
    });
  });

  it('the operator sets it with context uploadConcurrencyPerTenant; a bad value fails the synth', () => {
    synth({ uploadConcurrencyPerTenant: '4' }).template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'replication-api', [ENV.uploadConcurrency]: '4' }) },
    });
    assert.throws(() => synth({ uploadConcurrencyPerTenant: '-1' }), /uploadConcurrencyPerTenant must be an integer/);
  });

  it('the replication API may write its upload-slot leases, and nothing else of the operational store beyond its records', () => {
    synth().template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
            Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': Match.arrayWith(['_ops/upload-slots/*']) } },
          }),
        ]),
      },
    });
  });
});
