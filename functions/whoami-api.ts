import { makeHandler } from './handlers/whoami-api.js';

/** The Lambda entry (infra/constructs/drcore-function.ts): whoami and the API description use no port. */
export const handler = makeHandler();
