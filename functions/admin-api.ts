import { awsBlobStore, awsDeps, awsEventStore, awsOperationalStore, awsReadModels, awsSeedInbox } from '../shared/runtime/aws-deps.js';
import { makeHandler } from './handlers/admin-api.js';

/** The Lambda entry (infra/constructs/drcore-function.ts): the handler over the AWS adapters of the ports it uses. */
export const handler = makeHandler(awsDeps('admin-api', { events: awsEventStore, readModels: awsReadModels, operational: awsOperationalStore, blobs: awsBlobStore, seedInbox: awsSeedInbox }));
