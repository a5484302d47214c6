import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { authorize } from '../../shared/app/authorize.js';
import { lambdaHandler } from '../../shared/runtime/lambda-handler.js';
import { logger } from '../../shared/runtime/logger.js';
import { recordMetric } from '../../shared/runtime/metrics.js';
import type { AppDeps } from '../../shared/app/deps.js';

/**
 * REQUEST authorizer: API Gateway's mutual TLS has verified the chain against the
 * truststore; this reads `requestContext.identity.clientCert` and checks the registry.
 * The policy covers the whole API so one cached decision (≤ 60 s) serves every route.
 * Every refusal counts as an AuthorizerDenials metric.
 */
export const makeHandler = (deps: Pick<AppDeps, 'events'>) => lambdaHandler(async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
  const pem = event.requestContext?.identity?.clientCert?.clientCertPem;
  if (!pem) {
    recordMetric('AuthorizerDenials');
    throw new Error('Unauthorized'); // API Gateway answers 401
  }
  const decision = await authorize(deps.events, pem, new Date());
  const [arnPrefix, stage] = event.methodArn.split('/');
  const resource = `${arnPrefix}/${stage}/*/*`;
  if (!decision.allow) {
    logger.warn('client certificate refused', { reason: decision.reason, serial: event.requestContext.identity.clientCert?.serialNumber });
    recordMetric('AuthorizerDenials');
    return { principalId: 'refused', policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: resource }] } };
  }
  return {
    principalId: `${decision.role}:${decision.serial}`,
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: resource }] },
    context: { role: decision.role, serial: decision.serial, subject: decision.subject, tenantId: decision.tenantId ?? '' },
  };
});
