import type { Readable } from 'node:stream';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestWithPrincipal } from '@/common/auth/principal';
import {
  forbidden,
  holdsScope,
  isPublicRoute,
  requiredScopesOf,
} from '@/common/auth/scopes.decorator';
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
 * authenticated, and its key's scopes checked, before its body is read, so a caller without a
 * valid key (or with a key lacking the scope) cannot make the server parse up to 10 MB of JSON
 * (or stream a CSV) only to be refused, and gets 401 (or 403), not the 400 or 415 its body would
 * have earned. Such refusals count like every refused request (429 past RATE_LIMIT_PER_MINUTE a
 * minute): a 401 against the client address, a 403 against the key. A valid key's principal is
 * left on the request for the ApiKeyGuard. Requests without a body are left to the guard.
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
    const required = requiredScopesOf(request);
    if (principal && holdsScope(principal, required)) {
      (request as RequestWithPrincipal).principal = principal;
      return payload;
    }
    // The client may still be sending its body: close the connection after the answer.
    void reply.header('connection', 'close');
    const tracker = principal ? `key:${principal.keyId}` : request.ip;
    const hit = await storage.increment(
      `refused-before-body:${tracker}`,
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
    throw principal ? forbidden(required) : unauthorized(match !== null);
  };
}
