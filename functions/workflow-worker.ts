import { awsDeps, awsBlobStore, awsCertificateAuthority, awsEventStore, awsLogAnchors, awsNotifier, awsOperationalStore, awsReadModels, awsSeedInbox, awsWorkflowQueue } from '../shared/runtime/aws-deps.js';
import { makeHandler } from './handlers/workflow-worker.js';

/** The Lambda entry (infra/constructs/drcore-function.ts): the handler over the AWS adapters of the ports it uses. */
export const handler = makeHandler(awsDeps('workflow-worker', {
  events: awsEventStore, readModels: awsReadModels, operational: awsOperationalStore, queue: awsWorkflowQueue, ca: awsCertificateAuthority, notifier: awsNotifier,
  blobs: awsBlobStore, logAnchors: awsLogAnchors, seedInbox: awsSeedInbox,
}));
