import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiConsumes } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { AppError } from '@/common/errors/app-error';
import { sendsBody } from '@/common/http/request-body';
import { RouteConfigEntries, routeConfigOf } from '@/common/http/route-config';

const CSV_STREAM = 'tandem:csvStream';

/**
 * The route takes a `text/csv` body as the raw request stream (never buffered). Fastify's
 * bodyLimit does not apply to streamed bodies, so such a route enforces its own limit.
 */
export function AcceptsCsvStream(example: string) {
  return applyDecorators(
    RouteConfigEntries({ [CSV_STREAM]: true }),
    ApiConsumes('text/csv'),
    ApiBody({ schema: { type: 'string', example } }),
  );
}

export const isCsvRoute = (request: FastifyRequest) => routeConfigOf(request, CSV_STREAM) === true;

/** What a CSV route answers any other body (or none): 415 naming the header. */
export function csvRequired(): AppError {
  return new AppError('unsupported_media_type', 'Send the file with Content-Type: text/csv', [
    { field: 'content-type', issue: 'must be text/csv' },
  ]);
}

/**
 * Fastify preParsing hook: a route marked @AcceptsCsvStream() refuses another content type
 * before its body is read or parsed. Otherwise a file sent as `application/json` went to the
 * JSON parser and answered 400 `invalid_json` (413 past the JSON limit), as if it were JSON.
 */
export function refuseNonCsvBody(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: Readable,
  done: (err: Error | null, payload?: Readable) => void,
): void {
  if (!isCsvRoute(request)) return done(null, payload);
  const { headers } = request;
  // No body at all reaches the route, whose key is checked first (401), then refused (415).
  const hasBody = headers['content-type'] !== undefined || sendsBody(request);
  const mediaType = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!hasBody || mediaType === 'text/csv') return done(null, payload);
  // The client may still be sending the file: close the connection after the answer.
  void reply.header('connection', 'close');
  done(csvRequired());
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
  if (isCsvRoute(request)) return done(null, payload);
  done(
    new AppError('unsupported_media_type', 'This route does not accept text/csv', [
      { field: 'content-type', issue: 'is not supported by this route' },
    ]),
  );
}
