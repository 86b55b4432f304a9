import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { RequestWithPrincipal } from '@/common/auth/principal';

/**
 * Rate limits per API key (the ApiKeyGuard runs first and leaves the key's id on the request),
 * per client address otherwise: public routes, and requests the ApiKeyGuard refuses (a missing,
 * unknown or revoked key: 401; a key lacking the scope: 403, counted against that key), which
 * it counts through `countRefused` before answering, so refused requests are limited too.
 */
@Injectable()
export class KeyThrottlerGuard extends ThrottlerGuard {
  // The library's default message names its exception class.
  protected override errorMessage =
    'Too many requests: retry after the number of seconds in the Retry-After header';

  protected override getTracker(req: Record<string, any>): Promise<string> {
    const keyId = (req as RequestWithPrincipal).principal?.keyId;
    return Promise.resolve(keyId ? `key:${keyId}` : `ip:${req.ip as string}`);
  }

  /**
   * Counts a request the ApiKeyGuard is about to refuse, exactly as a served one: throws the
   * 429 once its tracker is over the limit, else returns so the refusal (401/403) goes out.
   */
  async countRefused(context: ExecutionContext): Promise<void> {
    await this.canActivate(context);
  }
}
