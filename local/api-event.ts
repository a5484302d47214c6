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

export interface RequestHead {
  method: string; path: string; query: URLSearchParams; headers: Record<string, string>; sourceIp: string;
}
export interface IncomingRequest extends RequestHead { body: Buffer }

/** A REST API (v1) proxy event for `route`, the body base64-encoded for binary media types (as API Gateway does). */
export function proxyEvent(
  req: IncomingRequest, route: RouteSpec, params: Record<string, string>, clientCert: ClientCert, options: { handOverRawBody?: boolean } = {},
): APIGatewayProxyEvent {
  return withBody(headEvent(req, route, params, clientCert), req.body, options);
}

/**
 * The proxy event of a request whose body has not been read (`body: null`): all the
 * authorizer gets to see. `withBody` completes it once the caller is let in.
 */
export function headEvent(req: RequestHead, route: RouteSpec, params: Record<string, string>, clientCert: ClientCert): APIGatewayProxyEvent {
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
    body: null,
    isBase64Encoded: false,
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

/**
 * `event` with its body: text as is, binary media types base64-encoded (as API Gateway does),
 * or, with `handOverRawBody` (the local gateway's shortcut), the bytes under RAW_BODY and
 * `body` base64-encoded only if read.
 */
export function withBody(event: APIGatewayProxyEvent, body: Buffer, options: { handOverRawBody?: boolean } = {}): APIGatewayProxyEvent {
  if (body.length === 0) return { ...event, body: null, isBase64Encoded: false };
  const binary = /^application\/octet-stream\b/i.test(event.headers['content-type'] ?? '');
  if (!binary) return { ...event, body: body.toString('utf8'), isBase64Encoded: false };
  if (options.handOverRawBody) return attachRawBody({ ...event, isBase64Encoded: true }, body);
  return { ...event, body: body.toString('base64'), isBase64Encoded: true };
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
