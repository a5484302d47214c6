import type { Node } from 'constructs';
import { DEFAULT_UPLOAD_CONCURRENCY_PER_TENANT } from '../shared/app/replication/upload-concurrency.js';

/**
 * The deploy-time parameters of the stack, read from CDK context (`cdk.json` or
 * `npx cdk deploy -c name=value`). Without them `npx cdk synth` still works offline with
 * placeholders, so a fresh clone can synthesize and test; a real deploy needs the real
 * domain name and ACM certificate (README, "Deploy to AWS").
 */
export interface DrcoreConfig {
  /** The custom domain clients call with their certificates, e.g. `drcore.example.com`. */
  readonly domainName: string;
  /** ARN of a public ACM certificate for `domainName`, in the stack's region. */
  readonly certificateArn: string;
  /** Optional Route 53 hosted zone: when both are given, alias A/AAAA records are created. */
  readonly hostedZoneId: string | undefined;
  readonly hostedZoneName: string | undefined;
  /** S3 Object Lock (governance mode, default retention) on the data bucket. Only at creation. */
  readonly objectLock: boolean;
  /** Days of default Object Lock retention when `objectLock` is on. */
  readonly objectLockDays: number;
  /** Days every signed event-log checkpoint is locked (compliance mode: not even the account root can delete it before). */
  readonly logAnchorLockDays: number;
  /** Optional e-mail address subscribed to the alarm topic. */
  readonly alarmEmail: string | undefined;
  /** Tenants with a CloudWatch alarm of their own on MachinesPastRpo (issue 13); every tenant is also under the all-tenants alarm. */
  readonly rpoAlarmTenants: readonly string[];
  /** Pack uploads of one tenant in flight at once across the replication API's instances (issue 13; 0: no limit). */
  readonly uploadConcurrencyPerTenant: number;
  /** True when domain and certificate are the synth-only placeholders. */
  readonly placeholders: boolean;
}

export const PLACEHOLDER_DOMAIN = 'drcore.example.invalid';
export const PLACEHOLDER_CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000';

function str(node: Node, key: string): string | undefined {
  const v: unknown = node.tryGetContext(key);
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new Error(`context ${key} must be a string`);
  return v.trim();
}

function bool(node: Node, key: string): boolean {
  const v: unknown = node.tryGetContext(key);
  if (v === undefined || v === null || v === '') return false;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw new Error(`context ${key} must be true or false`);
}

function int(node: Node, key: string, fallback: number, min: number, max: number): number {
  const v: unknown = node.tryGetContext(key);
  if (v === undefined || v === null || v === '') return fallback;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`context ${key} must be an integer in [${min}, ${max}]`);
  return n;
}

/** A comma-separated list of tenant ids (context rpoAlarmTenants=t-1,t-2). */
function tenantList(text: string | undefined): string[] {
  if (text === undefined) return [];
  const ids = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const id of ids) if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) throw new Error(`context rpoAlarmTenants: ${JSON.stringify(id)} is not a tenant id`);
  return [...new Set(ids)];
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const ACM_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/;

/** Reads and validates the parameters; throws a clear message on a malformed one. */
export function readConfig(node: Node): DrcoreConfig {
  const domain = str(node, 'domainName');
  const cert = str(node, 'certificateArn');
  if ((domain === undefined) !== (cert === undefined)) {
    throw new Error('give both -c domainName=… and -c certificateArn=…, or neither (synth-only placeholders)');
  }
  const domainName = (domain ?? PLACEHOLDER_DOMAIN).toLowerCase();
  const certificateArn = cert ?? PLACEHOLDER_CERTIFICATE_ARN;
  if (!DOMAIN.test(domainName)) throw new Error(`context domainName is not a DNS name: ${domainName}`);
  if (!ACM_ARN.test(certificateArn)) throw new Error(`context certificateArn is not an ACM certificate ARN: ${certificateArn}`);

  const hostedZoneId = str(node, 'hostedZoneId');
  const hostedZoneName = str(node, 'hostedZoneName')?.replace(/\.$/, '').toLowerCase();
  if ((hostedZoneId === undefined) !== (hostedZoneName === undefined)) {
    throw new Error('give both -c hostedZoneId=… and -c hostedZoneName=…, or neither');
  }
  if (hostedZoneName !== undefined && domainName !== hostedZoneName && !domainName.endsWith(`.${hostedZoneName}`)) {
    throw new Error(`domainName ${domainName} is not inside hosted zone ${hostedZoneName}`);
  }
  const alarmEmail = str(node, 'alarmEmail');
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) throw new Error('context alarmEmail is not an e-mail address');

  return {
    domainName,
    certificateArn,
    hostedZoneId,
    hostedZoneName,
    objectLock: bool(node, 'objectLock'),
    objectLockDays: int(node, 'objectLockDays', 30, 1, 36500),
    logAnchorLockDays: int(node, 'logAnchorLockDays', 400, 1, 36500),
    alarmEmail,
    rpoAlarmTenants: tenantList(str(node, 'rpoAlarmTenants')),
    uploadConcurrencyPerTenant: int(node, 'uploadConcurrencyPerTenant', DEFAULT_UPLOAD_CONCURRENCY_PER_TENANT, 0, 1000),
    placeholders: domain === undefined,
  };
}
