import type { AppDeps } from '../app/deps.js';

let deps: AppDeps | undefined;
let loading: Promise<AppDeps> | undefined;

/**
 * The process's adapters, built once (module level in every function). On Lambda they
 * are the AWS adapters; the embedded runtime (`drcore serve`) and tests set theirs with
 * setDeps before the handlers run — so Lambda bundles never carry the SQLite adapters, and
 * the AWS adapters (with the AWS SDK) are imported only when they are used.
 */
export async function getDeps(): Promise<AppDeps> {
  if (deps) return deps;
  loading ??= import('./aws-deps.js').then((m) => (deps ??= m.awsDeps()));
  return loading;
}

export function setDeps(value: AppDeps): void {
  deps = value;
}
