import { applyDecorators } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiBearerAuth, ApiExtension } from '@nestjs/swagger';
import type { ApiKeyScope } from '@/modules/brands/api-key.entity';
import { ApiErrors } from '@/common/errors/api-errors.decorator';
import { AppError } from '@/common/errors/app-error';
import { RouteConfigEntries, routeConfigOf } from '@/common/http/route-config';
import type { Principal } from '@/common/auth/principal';

export const SCOPES_KEY = 'tandem:scopes';
export const PUBLIC_KEY = 'tandem:public';

/**
 * The route needs a key holding one of these scopes (`admin` passes everywhere); on a
 * controller, each of its routes without its own. Kept in the Fastify route config, where the
 * hook that checks keys before the body (keyBeforeBody) and the ApiKeyGuard read it, and
 * documented in OpenAPI (`x-scopes` and the 401/403 answers).
 */
export function RequireScopes(...scopes: ApiKeyScope[]) {
  return applyDecorators(
    RouteConfigEntries({ [SCOPES_KEY]: scopes }),
    ApiBearerAuth('apiKey'),
    ApiExtension('x-scopes', scopes),
    ApiErrors(
      [401, 'Missing, unknown or revoked API key'],
      [403, `The key lacks the scope: one of ${scopes.join(', ')}`],
      [
        429,
        'Rate limit exceeded: of the key, or of the client address when the key is missing or unknown (Retry-After: seconds to wait)',
      ],
    ),
  );
}

/**
 * No API key: public redirect, health, docs and the operator-token bootstrap (marked in the
 * Fastify route config, read by keyBeforeBody and the ApiKeyGuard).
 */
export const Public = () => RouteConfigEntries({ [PUBLIC_KEY]: true });

export const isPublicRoute = (request: FastifyRequest) =>
  routeConfigOf(request, PUBLIC_KEY) === true;

/** The scopes the matched route requires; a route without @RequireScopes is admin-only. */
export const requiredScopesOf = (request: FastifyRequest): readonly ApiKeyScope[] =>
  (routeConfigOf(request, SCOPES_KEY) as ApiKeyScope[] | undefined) ?? ['admin'];

/** The key holds one of the scopes, or `admin`, which passes every scope check. */
export const holdsScope = (principal: Principal, required: readonly ApiKeyScope[]) =>
  principal.scopes.includes('admin') || required.some((s) => principal.scopes.includes(s));

/** The 403 of a key lacking the route's scope. */
export const forbidden = (required: readonly ApiKeyScope[]) =>
  new AppError(
    'forbidden',
    `This API key lacks the required scope (one of: ${required.join(', ')})`,
  );
