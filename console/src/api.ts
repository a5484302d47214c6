/**
 * The console's only way to the core: same-origin fetches of the admin API, over the browser's
 * mutual TLS session (the admin certificate). Errors are turned into words: the problem+json
 * `title` and `detail` the API answers, or what went wrong on the way.
 */
export class ApiError extends Error {
  constructor(readonly status: number, readonly title: string, readonly detail: string) {
    super(status ? `${status} ${title}: ${detail}` : `${title}: ${detail}`);
  }
}

async function problemOf(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  try {
    const p = JSON.parse(text) as { title?: string; detail?: string };
    return new ApiError(res.status, p.title ?? res.statusText, p.detail ?? text);
  } catch {
    return new ApiError(res.status, res.statusText || 'Error', text.slice(0, 300) || 'the core sent no explanation');
  }
}

async function call(method: string, path: string, body?: unknown): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, {
      method, credentials: 'same-origin', headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (e) {
    throw new ApiError(0, 'Network error', `the core could not be reached (${(e as Error).message})`);
  }
  if (!res.ok) throw await problemOf(res);
  return res;
}

export async function getJson<T>(path: string): Promise<T> {
  return (await call('GET', path)).json() as Promise<T>;
}

export async function send<T>(method: 'POST' | 'PUT', path: string, body: unknown = {}): Promise<T> {
  return (await call(method, path, body)).json() as Promise<T>;
}

export const enc = encodeURIComponent;
