import type { ServerResponse } from 'node:http';
import { dependencyOutage } from '../infra/dependency-errors.ts';
import { AppError } from '../lib/errors.ts';
import { logger } from '../lib/logger.ts';

/**
 * The one place errors become HTTP bodies. The shape is OpenAI's, which every route uses so a
 * client has one error format to parse: {"error":{"message","type","code","param"},"request_id"}.
 */
export interface HttpErrorBody {
  error: {
    message: string;
    type: string;
    code: string;
    param: string | null;
    details?: Record<string, unknown>;
  };
  request_id: string;
}

export function toHttpError(
  err: unknown,
  requestId: string,
): { status: number; body: HttpErrorBody; headers?: Record<string, string> } {
  const outage = err instanceof AppError ? null : dependencyOutage(err);
  if (outage) logger.warn({ err }, 'dependency unavailable');
  err = outage ?? err;
  if (err instanceof AppError) {
    return {
      status: err.status,
      ...(err.headers ? { headers: err.headers } : {}),
      body: {
        error: {
          message: err.message,
          type: err.type,
          code: err.code,
          param: err.param ?? null,
          ...(err.details ? { details: err.details } : {}),
        },
        request_id: requestId,
      },
    };
  }
  logger.error({ err }, 'unhandled error');
  return {
    status: 500,
    body: {
      error: { message: 'Internal server error', type: 'server_error', code: 'INTERNAL', param: null },
      request_id: requestId,
    },
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, err: unknown, requestId: string) {
  const { status, body, headers } = toHttpError(err, requestId);
  sendJson(res, status, body, headers);
}
