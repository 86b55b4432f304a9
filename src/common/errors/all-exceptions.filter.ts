import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ErrorCode, ErrorDetail } from '@/common/errors/app-error';
import { statusOf } from '@/common/errors/error-status';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details: ErrorDetail[]; requestId?: string };
}

/** The one place errors become HTTP: codes from AppError, framework errors translated. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const request = ctx.getRequest<FastifyRequest>();
    const { status, body } = toErrorResponse(exception, String(request.id ?? ''));
    if (status >= 500) {
      this.logger.error(
        { err: loggableError(exception), requestId: request.id },
        `unhandled error on ${request.method} ${request.routeOptions?.url ?? 'unknown route'}`,
      );
    }
    if (status === 503) void reply.header('Retry-After', String(RETRY_AFTER_UNAVAILABLE_S));
    if (exception instanceof HttpException && status === 429) {
      const retry = exception.getResponse() as { retryAfter?: number };
      if (retry?.retryAfter) void reply.header('Retry-After', String(retry.retryAfter));
    }
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}

/**
 * What of an unexpected error may reach the log: database errors carry the query's parameters
 * (e-mails, codes) and the SQL text, so only their class, code, constraint and message are kept.
 */
export function loggableError(exception: unknown): Record<string, unknown> {
  // An Error, or one pino's standard serializer already made a plain object (`type`, not `name`)
  const errorLike =
    exception instanceof Error ||
    (typeof exception === 'object' &&
      exception !== null &&
      typeof (exception as { message?: unknown }).message === 'string');
  if (!errorLike) return { value: typeof exception };
  const e = exception as {
    name?: string;
    type?: string;
    message: string;
    stack?: string;
    code?: unknown;
    constraint?: unknown;
    driverError?: { code?: unknown };
  };
  const name = e.name ?? e.type;
  const isDatabaseError = name === 'QueryFailedError' || 'driverError' in e || 'parameters' in e;
  return {
    type: name,
    message: isDatabaseError ? e.message.split('\n')[0]?.slice(0, 300) : e.message,
    code: e.code ?? e.driverError?.code,
    constraint: e.constraint,
    stack: isDatabaseError ? undefined : e.stack,
  };
}

const HTTP_CODES: Record<number, ErrorCode> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'rate_limited',
  503: 'service_unavailable',
};

export function toErrorResponse(
  exception: unknown,
  requestId: string,
): { status: number; body: ErrorBody } {
  if (exception instanceof AppError) {
    return {
      status: statusOf(exception.code),
      body: {
        error: { code: exception.code, message: exception.message, details: exception.details },
      },
    };
  }
  const fastifyCode = (exception as { code?: string })?.code;
  if (fastifyCode === 'FST_ERR_CTP_INVALID_JSON_BODY' || exception instanceof SyntaxError) {
    return error(400, 'invalid_json', 'The request body is not valid JSON', [
      { field: 'body', issue: 'is not valid JSON' },
    ]);
  }
  if (fastifyCode === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return error(400, 'invalid_json', 'The request body is empty', [
      { field: 'body', issue: 'is empty' },
    ]);
  }
  // Nest hands Fastify's content-type refusal over as an HttpException without its code.
  if (
    fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ||
    (exception instanceof HttpException && exception.getStatus() === 415)
  ) {
    return error(415, 'unsupported_media_type', 'Unsupported Content-Type', [
      { field: 'content-type', issue: 'is not supported by this route' },
    ]);
  }
  // URLs Fastify's router refuses before any route, handed over by frameworkErrors (bootstrap.ts).
  if (fastifyCode === 'FST_ERR_BAD_URL') {
    return error(400, 'validation_failed', 'The URL path is not valid', [
      {
        field: 'path',
        issue:
          'holds a malformed percent-encoding (a % not followed by two hex digits, or bytes that are not UTF-8)',
      },
    ]);
  }
  if (fastifyCode === 'FST_ERR_MAX_PARAM_LENGTH') {
    // Fastify's maxParamLength, left at its default
    return error(400, 'validation_failed', 'The URL path is not valid', [
      { field: 'path', issue: 'has a parameter longer than 100 characters' },
    ]);
  }
  if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return error(413, 'payload_too_large', 'The request body is too large');
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const code = HTTP_CODES[status];
    if ((code && status < 500) || status === 503) {
      const response = exception.getResponse();
      const message =
        typeof response === 'object' &&
        response &&
        'message' in response &&
        typeof response.message === 'string'
          ? response.message
          : exception.message;
      return error(status, code ?? 'service_unavailable', message);
    }
  }
  const statusCode = (exception as { statusCode?: number })?.statusCode;
  if (
    typeof statusCode === 'number' &&
    statusCode >= 400 &&
    statusCode < 500 &&
    HTTP_CODES[statusCode]
  ) {
    return error(statusCode, HTTP_CODES[statusCode], (exception as Error).message);
  }
  if (isDatabaseUnavailable(exception)) {
    return error(503, 'service_unavailable', 'The database is unavailable: retry shortly');
  }
  // Unknown: never leak internals; the request id links the answer to the log line.
  return {
    status: 500,
    body: {
      error: {
        code: 'internal_error',
        message: `An unexpected error occurred. Quote request id ${requestId} when reporting it.`,
        details: [],
        requestId,
      },
    },
  };
}

export const RETRY_AFTER_UNAVAILABLE_S = 5;

// Socket errors of a connection to the database, and pg's own words for a lost connection.
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const LOST_CONNECTION =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;
// SQLSTATE: connection exceptions (08…), the server shutting down or starting (57P01–57P03),
// too many connections (53300).
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300)$/;

/**
 * The database cannot be reached or is going away: the request may succeed when retried, so
 * it is a 503 with Retry-After, not a 500 (which says the service has a bug).
 */
export function isDatabaseUnavailable(exception: unknown): boolean {
  for (let e = exception as Record<string, any> | undefined, depth = 0; e && depth < 4; depth++) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code && (UNREACHABLE_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
    if (typeof e.message === 'string' && LOST_CONNECTION.test(e.message)) return true;
    e = e.driverError ?? e.cause;
  }
  return false;
}

function error(status: number, code: ErrorCode, message: string, details: ErrorDetail[] = []) {
  return { status, body: { error: { code, message, details } } };
}
