import { apiHandler } from '../../shared/http/api-handler.js';
import { openApiDocument } from '../../shared/http/openapi.js';
import { consoleAssets } from '../../shared/http/console-assets.js';

/** Any valid certificate: who am I, and the API description. The admin certificate: the admin console's page and assets. */
export const makeHandler = () => apiHandler('whoami-api', {
  'GET /v1/whoami': async ({ caller, reply }) => reply({
    role: caller.role, serial: caller.serial, subject: caller.subject, ...(caller.tenantId ? { tenantId: caller.tenantId } : {}),
  }),
  'GET /openapi.json': async ({ reply }) => reply(openApiDocument()),
  'GET /admin': async () => consoleAssets().page(),
  'GET /admin/assets/{asset}': async ({ params }) => consoleAssets().asset(params['asset'] ?? ''),
  'GET /apprecovery/admin': async () => consoleAssets().page(),
  'GET /apprecovery/admin/assets/{asset}': async ({ params }) => consoleAssets().asset(params['asset'] ?? ''),
});
