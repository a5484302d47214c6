import type { AppDeps } from '../app/deps.js';
import { awsDeps } from './aws-deps.js';

let deps: AppDeps | undefined;

/**
 * The process's adapters, built once (module level in every function). On Lambda they
 * are the AWS adapters; the embedded runtime (`drcore serve`) and tests set theirs with
 * setDeps before the handlers run — so Lambda bundles never carry the SQLite adapters.
 */
export async function getDeps(): Promise<AppDeps> {
  deps ??= awsDeps();
  return deps;
}

export function setDeps(value: AppDeps): void {
  deps = value;
}
