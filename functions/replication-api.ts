import { apiHandler } from '../shared/http/api-handler.js';
import { HttpProblem } from '../shared/http/problem.js';

const notYet = async () => { throw new HttpProblem(501, 'Not Implemented', 'replication lands with the replication issue'); };

/** Source-core replication API (DESIGN §5, §7). */
export const handler = apiHandler('replication-api', {
  'PUT /v1/machines/{machineId}': notYet,
  'GET /v1/machines': notYet,
  'GET /v1/machines/{machineId}/recovery-points': notYet,
  'GET /v1/machines/{machineId}/recovery-points/{rpId}': notYet,
  'POST /v1/machines/{machineId}/recovery-points/{rpId}/missing': notYet,
  'PUT /v1/machines/{machineId}/recovery-points/{rpId}/packs/{packId}': notYet,
  'POST /v1/machines/{machineId}/recovery-points/{rpId}/commit': notYet,
  'GET /v1/chunks/{sha256}': notYet,
});
