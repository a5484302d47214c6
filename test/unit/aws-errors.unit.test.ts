/** shared/adapters/aws/errors.ts: SDK errors (by name and HTTP status) → the ports' errors, cause kept. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConditionalCheckFailedException, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { NoSuchKey } from '@aws-sdk/client-s3';
import { cancellationReasonCodes, isNotFound, isPreconditionFailed, isTransient, translateAwsError } from '../../shared/adapters/aws/errors.js';
import { NotFoundError, PortError, UnavailableError } from '../../shared/ports/errors.js';

const named = (name: string, status?: number, extra: object = {}) =>
  Object.assign(new Error(name), { name, ...(status === undefined ? {} : { $metadata: { httpStatusCode: status } }), ...extra });

describe('AWS error translation', () => {
  it('throttling, 5xx, 429 and dropped connections are transient → UnavailableError', () => {
    const transient = [
      new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: { httpStatusCode: 400 } }),
      named('ThrottlingException', 400), named('SlowDown', 503), named('Whatever', 500), named('Whatever', 429),
      named('Error', undefined, { code: 'ECONNRESET' }), named('TimeoutError'),
    ];
    for (const err of transient) {
      assert.ok(isTransient(err), err.name);
      const translated = translateAwsError(err, 'op');
      assert.ok(translated instanceof UnavailableError, err.name);
      assert.equal(translated.cause, err);
    }
  });

  it('NoSuchKey / NotFound → NotFoundError; a missing bucket or table is NOT a missing key', () => {
    assert.ok(translateAwsError(new NoSuchKey({ message: 'gone', $metadata: { httpStatusCode: 404 } }), 'get') instanceof NotFoundError);
    assert.ok(isNotFound(named('NotFound', 404)));
    assert.ok(!isNotFound(named('NoSuchBucket', 404)));
    assert.ok(!isNotFound(named('ResourceNotFoundException', 400)));
    const other = translateAwsError(named('NoSuchBucket', 404), 'get');
    assert.ok(other instanceof PortError && !(other instanceof NotFoundError));
  });

  it('anything else → a plain PortError naming the operation, cause kept; a PortError passes through', () => {
    const err = new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: { httpStatusCode: 400 } });
    const translated = translateAwsError(err, 'DynamoDB put');
    assert.equal(translated.constructor, PortError);
    assert.match(translated.message, /DynamoDB put: ConditionalCheckFailedException/);
    assert.equal(translated.cause, err);
    const port = new NotFoundError('x');
    assert.equal(translateAwsError(port, 'op'), port);
  });

  it('412 is a failed precondition; cancellation reasons are read in order', () => {
    assert.ok(isPreconditionFailed(named('PreconditionFailed', 412)));
    assert.deepEqual(cancellationReasonCodes(named('TransactionCanceledException', 400, { CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }, {}] })), ['None', 'ConditionalCheckFailed', 'None']);
    assert.deepEqual(cancellationReasonCodes(new Error('x')), []);
  });
});
