import { awsDeps, awsOperationalStore, awsReadModels, awsWorkflowQueue } from '../shared/runtime/aws-deps.js';
import { makeHandler } from './handlers/projector.js';

/** The Lambda entry (infra/constructs/drcore-function.ts): the handler over the AWS adapters of the ports it uses. */
export const handler = makeHandler(awsDeps('projector', { readModels: awsReadModels, operational: awsOperationalStore, queue: awsWorkflowQueue }));
