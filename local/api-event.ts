import { randomUUID, type X509Certificate } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import type { RouteSpec } from '../shared/http/routes.js';
import { attachRawBody } from '../shared/http/raw-body.js';

type ClientCert = NonNullable<APIGatewayProxyEvent['requestContext']['identity']['clientCert']>;

/** `requestContext.identity.clientCert` exactly as API Gateway's mutual TLS fills it. */
export function clientCertOf(cert: X509Certificate): ClientCert {
  const dn = (s: string) => s.split('\n').filter(Boolean).reverse().join(',');
  return {
    clientCertPem: cert.toString(),
    subjectDN: dn(cert.subject),
    issuerDN: dn(cert.issuer),
    serialNumber: (cert.serialNumber.match(/.{1,2}/g) ?? []).join(':').toLowerCase(),
    validity: { notBefore: cert.validFrom, notAfter: cert.validTo },
  };
}

export interface IncomingRequest {
  method: string; path: string; query: URLSearchParams; headers: Record<string, string>; body: Buffer; sourceIp: string;
}

/** A REST API (v1) proxy event for `route`, the body base64-encoded for binary media types (as API Gateway does). */
export function proxyEvent(
  req: IncomingRequest, route: RouteSpec, params: Record<string, string>, clientCert: ClientCert, options: { handOverRawBody?: boolean } = {},
): APIGatewayProxyEvent {
  const binary = /^application\/octet-stream\b/i.test(req.headers['content-type'] ?? '');
  const event = shapedEvent(req, route, params, clientCert, binary && !options.handOverRawBody);
  // The local gateway's shortcut: bytes under RAW_BODY, `body` base64-encoded only if read.
  return binary && options.handOverRawBody && req.body.length > 0 ? attachRawBody(event, req.body) : event;
}

function shapedEvent(req: IncomingRequest, route: RouteSpec, params: Record<string, string>, clientCert: ClientCert, base64: boolean): APIGatewayProxyEvent {
  const binary = /^application\/octet-stream\b/i.test(req.headers['content-type'] ?? '');
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of req.query) { query[k] = v; (multiQuery[k] ??= []).push(v); }
  const multiHeaders: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) multiHeaders[k] = [v];
  return {
    resource: route.path,
    path: req.path,
    httpMethod: req.method,
    headers: req.headers,
    multiValueHeaders: multiHeaders,
    queryStringParameters: req.query.size ? query : null,
    multiValueQueryStringParameters: req.query.size ? multiQuery : null,
    pathParameters: Object.keys(params).length ? params : null,
    stageVariables: null,
    body: req.body.length === 0 || (binary && !base64) ? null : base64 ? req.body.toString('base64') : req.body.toString('utf8'),
    isBase64Encoded: binary && req.body.length > 0,
    requestContext: {
      accountId: '000000000000', apiId: 'local', authorizer: null, protocol: 'HTTP/1.1', httpMethod: req.method,
      path: `/v1${req.path}`, stage: 'v1', requestId: randomUUID(), requestTimeEpoch: Date.now(), resourceId: 'local',
      resourcePath: route.path,
      identity: {
        accessKey: null, accountId: null, apiKey: null, apiKeyId: null, caller: null, clientCert, cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null, cognitoIdentityId: null, cognitoIdentityPoolId: null, principalOrgId: null,
        sourceIp: req.sourceIp, user: null, userAgent: req.headers['user-agent'] ?? null, userArn: null,
      },
    },
  };
}

/** The REQUEST authorizer event API Gateway sends before the proxy event. */
export function authorizerEvent(e: APIGatewayProxyEvent): APIGatewayRequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn: `arn:aws:execute-api:local:000000000000:local/v1/${e.httpMethod}${e.resource}`,
    resource: e.resource, path: e.path, httpMethod: e.httpMethod, headers: e.headers, multiValueHeaders: e.multiValueHeaders,
    pathParameters: e.pathParameters, queryStringParameters: e.queryStringParameters,
    multiValueQueryStringParameters: e.multiValueQueryStringParameters, stageVariables: e.stageVariables,
    requestContext: { ...e.requestContext, authorizer: undefined },
  };
}
