import { awsDeps, awsEventStore } from '../shared/runtime/aws-deps.js';
import { makeHandler } from './handlers/pairing-api.js';

/** The Lambda entry (infra/constructs/drcore-function.ts): the handler over the AWS adapters of the ports it uses. */
export const handler = makeHandler(awsDeps('pairing-api', { events: awsEventStore }));
