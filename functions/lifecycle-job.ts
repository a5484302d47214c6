import { awsBlobStore, awsDeps, awsEventStore, awsNotifier, awsObjectLocks, awsOperationalStore, awsReadModels } from '../shared/runtime/aws-deps.js';
import { makeHandler } from './handlers/lifecycle-job.js';

/** The Lambda entry (infra/constructs/drcore-function.ts): the handler over the AWS adapters of the ports it uses. */
export const handler = makeHandler(awsDeps('lifecycle-job', {
  events: awsEventStore, readModels: awsReadModels, operational: awsOperationalStore, blobs: awsBlobStore, notifier: awsNotifier, objectLocks: awsObjectLocks,
}));
