import type { APIGatewayProxyEvent } from 'aws-lambda';
import { CERT_ROLES, type CertRole } from '../domain/certificate.js';
import { isValidId } from '../ids.js';
import { forbidden, HttpProblem } from './problem.js';

/** Who is calling, as the authorizer established it (requestContext.authorizer context). */
export interface Caller {
  readonly role: CertRole;
  readonly serial: string;
  readonly subject: string;
  readonly tenantId?: string;
}

export function callerOf(event: APIGatewayProxyEvent): Caller {
  const ctx = event.requestContext.authorizer ?? {};
  const role = ctx['role'];
  const serial = ctx['serial'];
  const tenantId = ctx['tenantId'];
  if (typeof role !== 'string' || !(CERT_ROLES as readonly string[]).includes(role) || typeof serial !== 'string') {
    throw new HttpProblem(401, 'Unauthorized', 'no authenticated caller');
  }
  if (role === 'source-core' && !isValidId(tenantId)) throw forbidden('source-core certificate without a tenant');
  return {
    role: role as CertRole,
    serial,
    subject: typeof ctx['subject'] === 'string' ? ctx['subject'] : '',
    ...(typeof tenantId === 'string' && tenantId !== '' ? { tenantId } : {}),
  };
}

export function requireRole(caller: Caller, roles: readonly CertRole[]): void {
  if (!roles.includes(caller.role)) throw forbidden(`this route needs a ${roles.join(' or ')} certificate; yours is ${caller.role}`);
}

export function actorOf(caller: Caller): string {
  return caller.role === 'source-core' ? `source-core:${caller.tenantId}:${caller.serial}` : `${caller.role}:${caller.serial}`;
}
