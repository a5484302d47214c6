/**
 * Synthesizes the drcore stack for the infra tests: bundling skipped (context
 * `aws:cdk:bundling-stacks: []`), so no esbuild runs, and the cdk-nag plugin left out
 * (the nag test runs the checks itself). One synthesis per context, cached per process.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app.js';
import type { DrcoreStack } from '../../infra/drcore-stack.js';

export interface Synthesized {
  readonly app: App;
  readonly stack: DrcoreStack;
  readonly template: Template;
  readonly json: CfnTemplate;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
}
export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, unknown>;
}

const cache = new Map<string, Synthesized>();

export function synth(context: Record<string, unknown> = {}): Synthesized {
  const key = JSON.stringify(context);
  let hit = cache.get(key);
  if (hit === undefined) {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
    const { stack } = buildApp(app, { nag: false });
    const template = Template.fromStack(stack);
    hit = { app, stack, template, json: template.toJSON() as CfnTemplate };
    cache.set(key, hit);
  }
  return hit;
}

/** Resources of one type, by logical id. */
export function resourcesOf(json: CfnTemplate, type: string): Array<[string, CfnResource]> {
  return Object.entries(json.Resources).filter(([, r]) => r.Type === type);
}

/** The logical id a `{Ref}` or `{Fn::GetAtt}` points to, else undefined. */
export function refTarget(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v['Ref'] === 'string') return v['Ref'];
  const getAtt = v['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  return undefined;
}

/**
 * Every resource referenced anywhere inside `value` (Ref, GetAtt, inside Fn::Join, …):
 * `Id` for a Ref, `Id.Attribute` for a GetAtt.
 */
export function referencedIds(value: unknown, out = new Set<string>()): Set<string> {
  const direct = refTarget(value);
  if (direct !== undefined) {
    const getAtt = (value as Record<string, unknown>)['Fn::GetAtt'];
    out.add(Array.isArray(getAtt) ? `${direct}.${String(getAtt[1])}` : direct);
    return out;
  }
  if (Array.isArray(value)) for (const v of value) referencedIds(v, out);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) referencedIds(v, out);
  return out;
}

export function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}
