import { BasePathMapping, DomainName, EndpointType, type RestApi, SecurityPolicy } from 'aws-cdk-lib/aws-apigateway';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { ARecord, HostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { ApiGatewayDomain } from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import type { Truststore } from './truststore.js';

export interface MtlsDomainProps {
  readonly domainName: string;
  readonly certificateArn: string;
  readonly truststore: Truststore;
  /** The S3 version of the truststore object to pin (written by the CA bootstrap). */
  readonly truststoreVersion: string;
  readonly api: RestApi;
  /** When given, an alias A record for `domainName` are created in this zone. */
  readonly hostedZone?: { readonly id: string; readonly name: string };
}

/**
 * The only entrance (DESIGN §6): a regional custom domain that requires a client
 * certificate chaining to the truststore (mutual TLS), TLS 1.2 at least, mapped at its
 * root to the API's stage. An optional Route 53 alias record; otherwise the operator points
 * a CNAME at `regionalDomainName` (stack output).
 */
export class MtlsDomain extends Construct {
  readonly domain: DomainName;

  constructor(scope: Construct, id: string, props: MtlsDomainProps) {
    super(scope, id);
    this.domain = new DomainName(this, 'Domain', {
      domainName: props.domainName,
      certificate: Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn),
      endpointType: EndpointType.REGIONAL,
      securityPolicy: SecurityPolicy.TLS_1_2,
      mtls: { bucket: props.truststore.bucket, key: props.truststore.key, version: props.truststoreVersion },
    });
    new BasePathMapping(this, 'Root', { domainName: this.domain, restApi: props.api, stage: props.api.deploymentStage });

    if (props.hostedZone !== undefined) {
      const zone = HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: props.hostedZone.id, zoneName: props.hostedZone.name });
      const target = RecordTarget.fromAlias(new ApiGatewayDomain(this.domain));
      new ARecord(this, 'AliasA', { zone, recordName: props.domainName, target });
    }
  }

  /** The regional endpoint the custom domain's DNS name must point to (CNAME or alias). */
  get regionalDomainName(): string {
    return this.domain.domainNameAliasDomainName;
  }
}
