import { awsDeps, awsBlobStore, awsEventStore, awsNotifier, awsOperationalStore, awsReadModels, awsUploadSlots } from '../shared/runtime/aws-deps.js';
import { makeHandler } from './handlers/replication-api.js';

/** The Lambda entry (infra/constructs/drcore-function.ts): the handler over the AWS adapters of the ports it uses. */
export const handler = makeHandler(awsDeps('replication-api', { events: awsEventStore, readModels: awsReadModels, operational: awsOperationalStore, blobs: awsBlobStore, notifier: awsNotifier, uploadSlots: awsUploadSlots }));
