/**
 * The deploy parameters (cdk.json context / `-c name=value`): placeholders when absent, the
 * real domain, certificate, Route 53 alias and Object Lock when given, and a clear refusal of
 * malformed values before anything is synthesized.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { PLACEHOLDER_CERTIFICATE_ARN, PLACEHOLDER_DOMAIN, readConfig } from '../../infra/config.js';
import { resourcesOf, synth } from './synth.js';

const CERT = 'arn:aws:acm:eu-central-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';
const config = (context: Record<string, unknown>) => readConfig(new App({ context }).node);

describe('deploy parameters', () => {
  it('without context: placeholders (synth only), no Object Lock, no DNS record', () => {
    const c = config({});
    assert.equal(c.domainName, PLACEHOLDER_DOMAIN);
    assert.equal(c.certificateArn, PLACEHOLDER_CERTIFICATE_ARN);
    assert.equal(c.placeholders, true);
    assert.equal(c.objectLock, false);
    const { json } = synth();
    assert.equal(resourcesOf(json, 'AWS::Route53::RecordSet').length, 0);
  });

  it('cdk.json\'s empty strings count as absent', () => {
    assert.equal(config({ domainName: '', certificateArn: '', hostedZoneId: '', hostedZoneName: '', alarmEmail: '' }).placeholders, true);
  });

  it('with domain, certificate, zone, Object Lock and e-mail: all of them in the template', () => {
    const { template, stack } = synth({
      domainName: 'Backup.MSP.example.com', certificateArn: CERT, hostedZoneId: 'Z0123456789ABCDEFGHIJ', hostedZoneName: 'msp.example.com.',
      objectLock: 'true', objectLockDays: '90', alarmEmail: 'ops@msp.example.com',
    });
    assert.equal(stack.terminationProtection, true);
    template.hasResourceProperties('AWS::ApiGateway::DomainName', { DomainName: 'backup.msp.example.com', RegionalCertificateArn: CERT });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'backup.msp.example.com.', Type: 'A', HostedZoneId: 'Z0123456789ABCDEFGHIJ',
      AliasTarget: { DNSName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Domain'), 'RegionalDomainName'] }, HostedZoneId: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 90 } } },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@msp.example.com' });
  });

  it('refuses half a pair and malformed values', () => {
    assert.throws(() => config({ domainName: 'a.example.com' }), /both -c domainName/);
    assert.throws(() => config({ domainName: 'not a domain', certificateArn: CERT }), /not a DNS name/);
    assert.throws(() => config({ domainName: 'a.example.com', certificateArn: 'arn:aws:iam::123456789012:role/x' }), /not an ACM certificate ARN/);
    assert.throws(() => config({ domainName: 'a.example.com', certificateArn: CERT, hostedZoneId: 'Z1' }), /both -c hostedZoneId/);
    assert.throws(() => config({ domainName: 'a.example.com', certificateArn: CERT, hostedZoneId: 'Z1', hostedZoneName: 'other.org' }), /not inside hosted zone/);
    assert.throws(() => config({ objectLock: 'yes' }), /objectLock must be true or false/);
    assert.throws(() => config({ objectLockDays: '0' }), /objectLockDays/);
    assert.throws(() => config({ alarmEmail: 'nobody' }), /alarmEmail/);
  });
});
