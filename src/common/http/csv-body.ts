import { applyDecorators } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBody, ApiConsumes } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { AppError } from '@/common/errors/app-error';

const CSV_STREAM = 'tandem:csvStream';

/**
 * The route takes a `text/csv` body as the raw request stream (never buffered). Fastify's
 * bodyLimit does not apply to streamed bodies, so such a route enforces its own limit.
 */
export function AcceptsCsvStream(example: string) {
  return applyDecorators(
    RouteConfig({ [CSV_STREAM]: true }),
    ApiConsumes('text/csv'),
    ApiBody({ schema: { type: 'string', example } }),
  );
}

/**
 * Fastify content-type parser for `text/csv`: routes marked @AcceptsCsvStream() get the stream;
 * elsewhere the body is refused, so a JSON route never sees a stream as its DTO.
 */
export function passCsvStream(
  request: FastifyRequest,
  payload: Readable,
  done: (err: Error | null, body?: unknown) => void,
): void {
  const config = request.routeOptions.config as unknown as Record<string, unknown> | undefined;
  if (config?.[CSV_STREAM] === true) return done(null, payload);
  done(
    new AppError('unsupported_media_type', 'This route does not accept text/csv', [
      { field: 'content-type', issue: 'is not supported by this route' },
    ]),
  );
}
