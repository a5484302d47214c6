import type { APIGatewayProxyResult } from 'aws-lambda';

/**
 * RFC 9457 problem details. Every refusal leaves the API as `application/problem+json`
 * `{type, title, status, detail}`. The domain's refusals become problems in one table
 * (./problem-types.ts); the helpers below are the HTTP edge's own refusals.
 */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
    /** Response headers that belong to the refusal (e.g. Retry-After). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(`${status} ${title}: ${detail}`);
  }
  get type(): string {
    return `https://drcore.dev/problems/${this.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
  }
}

export const badRequest = (detail: string, extra?: Record<string, unknown>) => new HttpProblem(400, 'Bad Request', detail, extra);
export const forbidden = (detail: string) => new HttpProblem(403, 'Forbidden', detail);
export const notFound = (detail: string) => new HttpProblem(404, 'Not Found', detail);
export const conflict = (detail: string) => new HttpProblem(409, 'Conflict', detail);
export const payloadTooLarge = (detail: string) => new HttpProblem(413, 'Payload Too Large', detail);
export const unsupportedMediaType = (detail: string) => new HttpProblem(415, 'Unsupported Media Type', detail);

export function problemResponse(p: HttpProblem): APIGatewayProxyResult {
  return {
    statusCode: p.status,
    headers: { ...p.headers, 'content-type': 'application/problem+json', 'cache-control': 'no-store' },
    body: JSON.stringify({ type: p.type, title: p.title, status: p.status, detail: p.detail, ...p.extra }),
  };
}
