import { apiHandler } from '../shared/http/api-handler.js';
import { jsonBody } from '../shared/http/body.js';
import { PairingRequestBody } from '../shared/http/schemas/pairing.js';
import { getPairing, requestPairing } from '../shared/app/pairing-service.js';
import { assertId } from '../shared/ids.js';
import { getDeps } from '../shared/runtime/deps.js';

/** Enrollment: request pairing, poll status and feedback (DESIGN §7). */
export const handler = apiHandler('pairing-api', {
  'POST /v1/pairing-requests': async ({ event, caller, actor, reply }) => {
    const body = jsonBody(event, PairingRequestBody);
    const view = await requestPairing(await getDeps(), body, caller.serial, actor);
    return reply(view, { headers: { location: `/v1/pairing-requests/${view.id}` } });
  },
  'GET /v1/pairing-requests/{id}': async ({ params, reply }) => {
    return reply(await getPairing(await getDeps(), assertId('pairing request id', params['id'])));
  },
});
