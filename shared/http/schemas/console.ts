import { z } from 'zod';
import { ASSET_NAME } from '../console-assets.js';

/** Request schemas of the console's routes (issue 14). */
export const NoQuery = z.object({}).strict();
export const AssetName = z.string().regex(ASSET_NAME, 'must be a file name of the console build');

export const CONSOLE_SCHEMAS = {
  'GET /v1/admin/tenants/{tenantId}/machines/{machineId}/recovery-points': { query: NoQuery },
  'GET /v1/admin/tenants/{tenantId}/recycle-bin': { query: NoQuery },
  'GET /v1/admin/log-verification': { query: NoQuery },
} as const;
