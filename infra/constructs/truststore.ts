import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { secureBucket } from './secure-bucket.js';

/** The object that holds the PEM bundle of the CAs API Gateway trusts for client certificates. */
export const TRUSTSTORE_KEY = 'truststore.pem';

/**
 * The mutual-TLS truststore (DESIGN §6): a versioned bucket, so the custom domain pins
 * one exact version of `truststore.pem` and a change of the CA bundle is an explicit,
 * reviewable deployment. The CA bootstrap writes the object.
 */
export class Truststore extends Construct {
  readonly bucket: Bucket;
  readonly key = TRUSTSTORE_KEY;

  constructor(scope: Construct, id: string, props: { accessLogs: Bucket }) {
    super(scope, id);
    this.bucket = secureBucket(this, 'Bucket', props.accessLogs, { versioned: true });
  }

  /** `s3://bucket/truststore.pem`, the form the custom domain's MutualTlsAuthentication takes. */
  get uri(): string {
    return this.bucket.s3UrlForObject(this.key);
  }
}
