import { Duration, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  IdentitySource,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RequestAuthorizer,
  type RequestValidator,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type FunctionName, ROUTES, type RouteSpec } from '../../shared/http/routes.js';
import type { DrcoreFunction } from './drcore-function.js';

/** Content types API Gateway passes to Lambda base64-encoded: packs up, chunks down. */
export const BINARY_MEDIA_TYPES = ['application/octet-stream'];
/** DESIGN §6: a revoked certificate stops working within this time on AWS. */
export const AUTHORIZER_CACHE_TTL = Duration.seconds(60);
/**
 * The authorizer's cache key: the client certificate's serial number (API Gateway fills
 * requestContext.identity.clientCert from the mTLS handshake). Each certificate gets its
 * own cached answer; a key shared by all callers (a Host header, say) would hand one
 * caller's identity to the next.
 */
export const AUTHORIZER_IDENTITY_SOURCE = IdentitySource.context('identity.clientCert.serialNumber');

export interface DrcoreApiProps {
  readonly handlers: Readonly<Record<FunctionName, DrcoreFunction>>;
  readonly authorizer: DrcoreFunction;
  readonly routes?: readonly RouteSpec[];
}

/**
 * The regional REST API, built from the route table (shared/http/routes.ts) so that the
 * local gateway, the OpenAPI document and AWS serve the same routes. Every method is a
 * Lambda proxy integration behind the REQUEST authorizer; the execute-api endpoint is
 * disabled (the only way in is the mTLS custom domain); JSON access logs name the
 * client certificate; stage throttling bounds what one burst can cost.
 */
export class DrcoreApi extends Construct {
  readonly api: RestApi;
  readonly accessLogs: LogGroup;
  readonly requestAuthorizer: RequestAuthorizer;

  constructor(scope: Construct, id: string, props: DrcoreApiProps) {
    super(scope, id);
    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_YEAR });

    this.requestAuthorizer = new RequestAuthorizer(this, 'Authorizer', {
      handler: props.authorizer.fn,
      identitySources: [AUTHORIZER_IDENTITY_SOURCE],
      resultsCacheTtl: AUTHORIZER_CACHE_TTL,
    });

    this.api = new RestApi(this, 'Api', {
      restApiName: 'drcore',
      description: 'drcore target core API (mutual TLS only)',
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      disableExecuteApiEndpoint: true,
      cloudWatchRole: false,
      binaryMediaTypes: BINARY_MEDIA_TYPES,
      deployOptions: {
        stageName: 'live',
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: accessLogFormat(),
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        throttlingRateLimit: 200,
        throttlingBurstLimit: 400,
      },
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'No WAF: only holders of a certificate from the core CA complete the TLS handshake on the custom domain (execute-api is disabled), stage throttling bounds request rates, and WAF body inspection rules would reject the 4 MiB binary packs.',
    });

    // Errors API Gateway answers itself (authorizer deny, throttling, bad path) in the
    // same problem shape as the handlers' (DESIGN §6).
    for (const [id, type] of [['Default4xx', ResponseType.DEFAULT_4XX], ['Default5xx', ResponseType.DEFAULT_5XX]] as const) {
      this.api.addGatewayResponse(id, {
        type,
        responseHeaders: { 'Content-Type': "'application/problem+json'" },
        templates: {
          'application/json': '{"type":"about:blank","title":"$context.error.responseType","detail":$context.error.messageString}',
        },
      });
    }

    const validator = this.api.addRequestValidator('Validator', {
      requestValidatorName: 'parameters-and-body',
      validateRequestParameters: true,
      validateRequestBody: true,
    });
    const integrations = new Map<FunctionName, LambdaIntegration>();
    for (const route of props.routes ?? ROUTES) {
      let integration = integrations.get(route.fn);
      if (integration === undefined) {
        integration = new LambdaIntegration(props.handlers[route.fn].fn, { proxy: true, allowTestInvoke: false });
        integrations.set(route.fn, integration);
      }
      this.addRoute(route, integration, validator);
    }
  }

  private addRoute(route: RouteSpec, integration: LambdaIntegration, validator: RequestValidator): void {
    const resource = this.api.root.resourceForPath(route.path);
    const pathParams = [...route.path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!);
    const method = resource.addMethod(route.method, integration, {
      authorizer: this.requestAuthorizer,
      authorizationType: AuthorizationType.CUSTOM,
      requestValidator: validator,
      requestParameters: Object.fromEntries(pathParams.map((p) => [`method.request.path.${p}`, true])),
      operationName: `${route.method} ${route.path}`,
    });
    Validations.of(method).acknowledge({
      id: 'AwsSolutions-COG4',
      reason: 'Callers are machines and operators holding client certificates from the core CA, not Cognito users: the mTLS custom domain authenticates them and the Lambda REQUEST authorizer checks the certificate against the revocation registry.',
    });
  }
}

/** JSON access log with the standard fields plus who called (the certificate) and the authorizer's verdict. */
function accessLogFormat(): AccessLogFormat {
  return AccessLogFormat.custom(
    JSON.stringify({
      requestId: '$context.requestId',
      extendedRequestId: '$context.extendedRequestId',
      time: '$context.requestTime',
      ip: '$context.identity.sourceIp',
      method: '$context.httpMethod',
      resourcePath: '$context.resourcePath',
      path: '$context.path',
      protocol: '$context.protocol',
      status: '$context.status',
      responseLength: '$context.responseLength',
      latencyMs: '$context.responseLatency',
      integrationStatus: '$context.integration.status',
      integrationError: '$context.integration.error',
      authorizerStatus: '$context.authorizer.status',
      authorizerError: '$context.authorizer.error',
      principal: '$context.authorizer.principalId',
      certSerial: '$context.identity.clientCert.serialNumber',
      certSubject: '$context.identity.clientCert.subjectDN',
      certNotAfter: '$context.identity.clientCert.validity.notAfter',
      error: '$context.error.message',
    }),
  );
}
