import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One Powertools logger per process. JSON lines; never given secrets: callers log ids,
 * statuses and counts, not certificates, keys, passwords or bodies.
 */
export const logger = new Logger({
  serviceName: process.env['POWERTOOLS_SERVICE_NAME'] ?? 'drcore',
  logLevel: (process.env['POWERTOOLS_LOG_LEVEL'] ?? process.env['DRCORE_LOG_LEVEL'] ?? 'INFO') as 'INFO',
});
