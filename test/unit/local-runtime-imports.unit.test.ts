import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { it } from 'node:test';

/**
 * The embedded runtime (`drcore serve`: the gateway, the poller, the dispatcher and every
 * handler it runs) loads no AWS SDK client: the handlers are built over the deps they are
 * given, and only a Lambda entry (functions/<name>.ts) names the AWS adapters.
 *
 * Node loads the SDK clients as CommonJS (their `node` export), so a loaded client is in
 * the require cache; the last step proves that this probe does see one when it is loaded.
 * (Each test file runs in its own process: nothing else has loaded anything here.)
 */
const sdkClientsLoaded = (): string[] =>
  Object.keys(createRequire(import.meta.url).cache)
    .map((path) => /node_modules\/@aws-sdk\/(client-[a-z0-9-]+)\//.exec(path)?.[1])
    .filter((name): name is string => name !== undefined)
    .filter((name, i, all) => all.indexOf(name) === i)
    .sort();

it('importing the embedded runtime and its handlers loads no AWS SDK client', async () => {
  await import('../../local/serve.js');
  assert.deepEqual(sdkClientsLoaded(), []);

  // The probe sees a client once something loads it (here: the authorizer's Lambda entry).
  await import('../../functions/authorizer.js');
  assert.ok(sdkClientsLoaded().includes('client-dynamodb'), 'the probe sees a loaded SDK client');
});
