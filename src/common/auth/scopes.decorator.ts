import { applyDecorators, SetMetadata } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { ApiBearerAuth, ApiExtension } from '@nestjs/swagger';
import type { ApiKeyScope } from '@/modules/brands/api-key.entity';
import { ApiErrors } from '@/common/errors/api-errors.decorator';

export const SCOPES_KEY = 'tandem:scopes';
export const PUBLIC_KEY = 'tandem:public';

/**
 * The route needs a key holding one of these scopes (`admin` passes everywhere).
 * Also documents the requirement in OpenAPI (`x-scopes` and the 401/403 answers).
 */
export function RequireScopes(...scopes: ApiKeyScope[]) {
  return applyDecorators(
    SetMetadata(SCOPES_KEY, scopes),
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
 * No API key: public redirect, health, docs and the operator-token bootstrap. Also marked in the
 * Fastify route's config, for the hook that authenticates before the body (keyBeforeBody).
 * (A route's RouteConfig is one object: a public route cannot also take @AcceptsCsvStream.)
 */
export const Public = () =>
  applyDecorators(SetMetadata(PUBLIC_KEY, true), RouteConfig({ [PUBLIC_KEY]: true }));

export const isPublicRoute = (request: FastifyRequest) =>
  (request.routeOptions.config as unknown as Record<string, unknown> | undefined)?.[PUBLIC_KEY] ===
  true;
