import type { Readable } from 'node:stream';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestWithPrincipal } from '@/common/auth/principal';
import { isPublicRoute } from '@/common/auth/scopes.decorator';
import { AppError } from '@/common/errors/app-error';
import { sendsBody } from '@/common/http/request-body';
import type { ApiKeyService } from '@/modules/brands/api-key.service';

export const BEARER = /^Bearer\s+(\S+)\s*$/i;
const MINUTE_MS = 60_000;

/** The 401 of a missing (or not Bearer) key, or of a key that is unknown or revoked. */
export const unauthorized = (hasBearer: boolean) =>
  new AppError(
    'unauthorized',
    hasBearer ? 'Unknown or revoked API key' : 'Missing API key: send Authorization: Bearer <key>',
  );

/**
 * Fastify preParsing hook: a request with a body to a route that needs an API key is
 * authenticated before its body is read, so a caller without a valid key cannot make the server
 * parse up to 10 MB of JSON (or stream a CSV) only to be refused, and gets 401, not the 400 or
 * 415 its body would have earned. Such refusals count against the client address, like every
 * refused request (429 past RATE_LIMIT_PER_MINUTE a minute). A valid key's principal is left on
 * the request for the ApiKeyGuard, which still checks the route's scopes. Requests without a
 * body are left to the guard.
 */
export function keyBeforeBody(
  apiKeys: ApiKeyService,
  storage: ThrottlerStorage,
  limitPerMinute: number,
) {
  return async (
    request: FastifyRequest,
    reply: FastifyReply,
    payload: Readable,
  ): Promise<Readable> => {
    if (!sendsBody(request) || request.routeOptions.url === undefined || isPublicRoute(request)) {
      return payload;
    }
    const match = BEARER.exec(request.headers.authorization ?? '');
    const principal = match ? await apiKeys.authenticate(match[1]!) : null;
    if (principal) {
      (request as RequestWithPrincipal).principal = principal;
      return payload;
    }
    // The client may still be sending its body: close the connection after the answer.
    void reply.header('connection', 'close');
    const hit = await storage.increment(
      `refused-before-body:${request.ip}`,
      MINUTE_MS,
      limitPerMinute,
      0,
      'default',
    );
    if (hit.isBlocked) {
      void reply.header('retry-after', String(hit.timeToBlockExpire));
      throw new AppError(
        'rate_limited',
        'Too many requests: retry after the number of seconds in the Retry-After header',
      );
    }
    throw unauthorized(match !== null);
  };
}
