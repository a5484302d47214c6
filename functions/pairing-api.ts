import { apiHandler } from '../shared/http/api-handler.js';
import { jsonBody } from '../shared/http/body.js';
import { json } from '../shared/http/responses.js';
import { PairingRequestBody } from '../shared/http/schemas/pairing.js';
import { getPairing, requestPairing } from '../shared/app/pairing-service.js';
import { assertId } from '../shared/ids.js';
import { getDeps } from '../shared/runtime/deps.js';

/** Enrollment: request pairing, poll status and feedback (DESIGN §7). */
export const handler = apiHandler('pairing-api', {
  'POST /v1/pairing-requests': async ({ event, caller, actor }) => {
    const body = jsonBody(event, PairingRequestBody);
    const view = await requestPairing(await getDeps(), body, caller.serial, actor);
    return json(202, view, { location: `/v1/pairing-requests/${view.id}` });
  },
  'GET /v1/pairing-requests/{id}': async ({ params }) => {
    return json(200, await getPairing(await getDeps(), assertId('pairing request id', params['id'])));
  },
});
