import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { BEARER, unauthorized } from '@/common/auth/key-before-body';
import { RequestWithPrincipal } from '@/common/auth/principal';
import {
  forbidden,
  holdsScope,
  isPublicRoute,
  requiredScopesOf,
} from '@/common/auth/scopes.decorator';
import { KeyThrottlerGuard } from '@/common/rate-limit/key-throttler.guard';
import { ApiKeyService } from '@/modules/brands/api-key.service';

/**
 * Global guard: every route needs a brand API key unless marked @Public(). A route without
 * @RequireScopes is admin-only, so a forgotten decorator fails closed. A request it refuses
 * still counts against the rate limit (per client address without a valid key), so guessing
 * keys or hammering with a revoked one gets 429 like any other traffic. It reads the route's
 * scopes where keyBeforeBody does (the Fastify route config), so the two cannot disagree.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly apiKeys: ApiKeyService,
    private readonly throttler: KeyThrottlerGuard,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest & RequestWithPrincipal>();
    if (isPublicRoute(request)) return true;
    const required = requiredScopesOf(request);
    // A request with a body was authenticated before its body was read (keyBeforeBody).
    let principal = request.principal;
    if (!principal) {
      const match = BEARER.exec(request.headers.authorization ?? '');
      principal = match ? ((await this.apiKeys.authenticate(match[1]!)) ?? undefined) : undefined;
      if (!principal) {
        await this.throttler.countRefused(context);
        throw unauthorized(match !== null);
      }
      request.principal = principal;
    }
    if (!holdsScope(principal, required)) {
      await this.throttler.countRefused(context);
      throw forbidden(required);
    }
    return true;
  }
}
