import type { AppDeps } from '../app/deps.js';
import { ENV } from './env.js';

let deps: Promise<AppDeps> | undefined;

/**
 * The process's adapters, built once (module level in every function), chosen by
 * DRCORE_ADAPTERS: 'local' (default: the data dir DRCORE_DATA) or 'aws'.
 */
export function getDeps(): Promise<AppDeps> {
  deps ??= (async () => {
    if (process.env[ENV.adapters] === 'aws') {
      const { awsDeps } = await import('./aws-deps.js');
      return awsDeps();
    }
    const { localDeps } = await import('./local-deps.js');
    return localDeps(process.env[ENV.dataDir] ?? '.drcore');
  })();
  return deps;
}

/** Tests and the local runtime: use these deps instead of building them from the environment. */
export function setDeps(value: AppDeps): void {
  deps = Promise.resolve(value);
}
