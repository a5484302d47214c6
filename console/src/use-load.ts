import { useCallback, useEffect, useState } from 'preact/hooks';

export interface Loaded<T> { data: T | undefined; error: Error | undefined; loading: boolean; reload: () => void }

/** Runs `load` on mount and whenever `deps` change or reload() is called; keeps its error in words. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[] = []): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: Error | undefined; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => { if (live) setState({ data, error: undefined, loading: false }); },
      (error: unknown) => { if (live) setState((s) => ({ data: s.data, error: error instanceof Error ? error : new Error(String(error)), loading: false })); },
    );
    return () => { live = false; };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}
