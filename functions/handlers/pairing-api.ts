import { apiHandler } from '../../shared/http/api-handler.js';
import { jsonBody } from '../../shared/http/body.js';
import { PairingRequestBody } from '../../shared/http/schemas/pairing.js';
import { readPairing, requestPairing } from '../../shared/app/pairing-service.js';
import { pairingRateLimitFrom } from '../../shared/app/pairing-rate-limit.js';
import { assertId } from '../../shared/ids.js';
import { ENV } from '../../shared/runtime/env.js';
import type { AppDeps } from '../../shared/app/deps.js';

/** Enrollment: request pairing, poll status and feedback (DESIGN §7). */
export const makeHandler = (deps: AppDeps) => apiHandler('pairing-api', {
  'POST /v1/pairing-requests': async ({ event, caller, actor, reply }) => {
    const body = jsonBody(event, PairingRequestBody);
    const view = await requestPairing(deps, body, caller.serial, actor, pairingRateLimitFrom(process.env[ENV.pairingRateLimit]));
    return reply(view, { headers: { location: `/v1/pairing-requests/${view.id}` } });
  },
  'GET /v1/pairing-requests/{id}': async ({ params, caller, reply }) => {
    return reply(await readPairing(deps, assertId('pairing request id', params['id']), caller));
  },
});
