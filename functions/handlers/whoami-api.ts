import { apiHandler } from '../../shared/http/api-handler.js';
import { openApiDocument } from '../../shared/http/openapi.js';

/** Any valid certificate: who am I, and the API description. */
export const makeHandler = () => apiHandler('whoami-api', {
  'GET /v1/whoami': async ({ caller, reply }) => reply({
    role: caller.role, serial: caller.serial, subject: caller.subject, ...(caller.tenantId ? { tenantId: caller.tenantId } : {}),
  }),
  'GET /openapi.json': async ({ reply }) => reply(openApiDocument()),
});
