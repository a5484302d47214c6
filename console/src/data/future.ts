/**
 * Admin reads of features other issues add (seed imports: issue 12; pause, RPO and replication
 * lag: issue 13). The console asks for them and shows "not available" while the core answers 404;
 * once those routes exist, only these paths (and the panels that render them) change.
 */
export const FUTURE = {
  seedImports: '/v1/admin/seed-imports',
  replication: '/v1/admin/replication-status',
} as const;
