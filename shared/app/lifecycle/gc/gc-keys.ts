/**
 * Where GC keeps its own things (issue 11 item 2):
 *
 *   BlobStore    gc/<tenantId>/<runId>/…        a run's work area: sorted runs and lists, deleted at its end
 *   Operational  gc-catalog/<tenantId>, id rpId  every committed RP of the tenant (from the log), `collected` once its data is gone
 *   Operational  gc-condemned/<tenantId>, id pack  packs about to be deleted (condemned-packs.ts)
 *   Operational  uploads/<tenantId>/by-day/<day>   RPs that uploaded that day (upload-registry.ts)
 *   Checkpoint   gc-catalog                        how far the catalog has read the log
 */
import { assertId } from '../../../ids.js';

export const workArea = (tenantId: string, runId: string): string => `gc/${assertId('tenantId', tenantId)}/${assertId('runId', runId)}`;
export const catalogCollection = (tenantId: string): string => `gc-catalog/${assertId('tenantId', tenantId)}`;
export const packsPrefix = (tenantId: string): string => `tenants/${assertId('tenantId', tenantId)}/packs/`;
export const rpDataPrefix = (tenantId: string, rpId: string): string => `tenants/${assertId('tenantId', tenantId)}/rps/${assertId('rpId', rpId)}/`;
export const CATALOG_CHECKPOINT = 'gc-catalog';

export interface CatalogEntry { readonly machineId: string; readonly collected?: boolean }
