import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { ENV } from '../../runtime/env.js';

/**
 * Building the SDK clients the AWS adapters use, in one place, so the production
 * defaults and the emulator setup cannot drift apart.
 *
 * Endpoints: on AWS none are given (the SDK resolves the regional endpoint). In tests
 * and in the end-to-end run on emulators, DRCORE_AWS_ENDPOINT holds
 * `{"dynamodb":…,"s3":…,"sqs":…,"secretsmanager":…}`.
 */
export interface AwsEndpoints {
  readonly dynamodb?: string;
  readonly s3?: string;
  readonly sqs?: string;
  readonly secretsmanager?: string;
  readonly sns?: string;
}

export interface AwsClientOptions {
  readonly region?: string;
  readonly endpoints?: AwsEndpoints;
  /** Static credentials (emulators); on AWS leave undefined for the default provider chain. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly secretsManager: SecretsManagerClient;
  destroy(): void;
}

const ENDPOINT_KEYS = ['dynamodb', 's3', 'sqs', 'secretsmanager', 'sns'] as const;

/** Parses DRCORE_AWS_ENDPOINT; throws on anything but an object of http(s) URLs. */
export function endpointsFromEnv(env: NodeJS.ProcessEnv = process.env): AwsEndpoints | undefined {
  const raw = env[ENV.awsEndpoint];
  if (raw === undefined || raw === '') return undefined;
  const parsed: unknown = JSON.parse(raw);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${ENV.awsEndpoint} must be a JSON object`);
  }
  const out: Record<string, string> = {};
  for (const key of ENDPOINT_KEYS) {
    const value = (parsed as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !/^https?:\/\//.test(value)) throw new Error(`${ENV.awsEndpoint}.${key} must be an http(s) URL`);
    out[key] = value;
  }
  return out;
}

function common(options: AwsClientOptions, endpoint: string | undefined) {
  return {
    ...(options.region !== undefined ? { region: options.region } : {}),
    ...(endpoint !== undefined ? { endpoint } : {}),
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
  };
}

export function makeDynamoDbClient(options: AwsClientOptions = {}): DynamoDBClient {
  return new DynamoDBClient(common(options, options.endpoints?.dynamodb));
}

/**
 * The S3 client. The adapter sends its own ChecksumSHA256 on every put, so the SDK's
 * automatic checksums are only used WHEN_REQUIRED: that is also what keeps s3rver from
 * storing the aws-chunked framing (STACK-NOTES). Path style when an endpoint is given.
 */
export function makeS3Client(options: AwsClientOptions = {}): S3Client {
  const endpoint = options.endpoints?.s3;
  return new S3Client({
    ...common(options, endpoint),
    ...(endpoint !== undefined ? { forcePathStyle: true } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function makeSqsClient(options: AwsClientOptions = {}): SQSClient {
  return new SQSClient(common(options, options.endpoints?.sqs));
}

export function makeSecretsManagerClient(options: AwsClientOptions = {}): SecretsManagerClient {
  return new SecretsManagerClient(common(options, options.endpoints?.secretsmanager));
}

/** The SNS client of the operator topic's publisher (shared/adapters/aws/sns-notifier.ts). */
export function makeSnsClient(options: AwsClientOptions = {}): SNSClient {
  return new SNSClient(common(options, options.endpoints?.sns));
}

export function makeAwsClients(options: AwsClientOptions = {}): AwsClients {
  const dynamodb = makeDynamoDbClient(options);
  const s3 = makeS3Client(options);
  const sqs = makeSqsClient(options);
  const secretsManager = makeSecretsManagerClient(options);
  return {
    dynamodb, s3, sqs, secretsManager,
    destroy() {
      dynamodb.destroy();
      s3.destroy();
      sqs.destroy();
      secretsManager.destroy();
    },
  };
}

/** Options for the clients of one Lambda container: region from AWS_REGION, endpoints from DRCORE_AWS_ENDPOINT. */
export function clientOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): AwsClientOptions {
  const endpoints = endpointsFromEnv(env);
  return { ...(endpoints !== undefined ? { endpoints } : {}) };
}

// One client of each kind per Lambda container (reused across invocations), from env; each
// built on first use, so a function makes (and its bundle carries) only the clients it uses.
let dynamoDb: DynamoDBClient | undefined;
let s3: S3Client | undefined;
let sqs: SQSClient | undefined;
let secretsManager: SecretsManagerClient | undefined;
export const defaultDynamoDbClient = (): DynamoDBClient => (dynamoDb ??= makeDynamoDbClient(clientOptionsFromEnv()));
export const defaultS3Client = (): S3Client => (s3 ??= makeS3Client(clientOptionsFromEnv()));
export const defaultSqsClient = (): SQSClient => (sqs ??= makeSqsClient(clientOptionsFromEnv()));
let sns: SNSClient | undefined;
export const defaultSnsClient = (): SNSClient => (sns ??= makeSnsClient(clientOptionsFromEnv()));
export const defaultSecretsManagerClient = (): SecretsManagerClient => (secretsManager ??= makeSecretsManagerClient(clientOptionsFromEnv()));

/** The value of a required environment variable, or a clear error naming it. */
export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is not set`);
  return value;
}
