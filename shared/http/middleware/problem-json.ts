import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { DomainError } from '../../domain/errors.js';
import { InvalidIdError } from '../../ids.js';
import { BlobConflictError, ConcurrencyError, NotFoundError, UnavailableError } from '../../ports/errors.js';
import { logger } from '../../runtime/logger.js';
import { HttpProblem, problemResponse } from '../problem.js';
import { domainProblem } from '../problem-types.js';

/** Maps any error to a problem response; the catch-all never leaks internals. */
export function toProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (error instanceof DomainError) return domainProblem(error);
  if (error instanceof InvalidIdError) return new HttpProblem(400, 'Bad Request', error.message);
  if (error instanceof NotFoundError) return new HttpProblem(404, 'Not Found', error.message);
  if (error instanceof ConcurrencyError) return new HttpProblem(409, 'Conflict', 'the resource changed concurrently; retry');
  if (error instanceof BlobConflictError) return new HttpProblem(409, 'Conflict', error.message);
  if (error instanceof UnavailableError) return new HttpProblem(503, 'Service Unavailable', 'a backing service is unavailable; retry');
  return new HttpProblem(500, 'Internal Server Error', 'an unexpected error occurred');
}

/** middy middleware: every error leaves as application/problem+json. */
export function problemJson(): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    name: 'problemJson',
    onError: (request) => {
      const problem = toProblem(request.error);
      if (problem.status >= 500) {
        logger.error('request failed', { path: request.event.resource, method: request.event.httpMethod, error: request.error as Error });
      }
      request.response = problemResponse(problem);
    },
  };
}
