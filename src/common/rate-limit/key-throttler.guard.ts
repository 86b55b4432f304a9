import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { RequestWithPrincipal } from '@/common/auth/principal';

/**
 * Rate limits per API key (the ApiKeyGuard runs first and leaves the key's id on the request),
 * per client address otherwise (public routes and requests refused before authentication).
 */
@Injectable()
export class KeyThrottlerGuard extends ThrottlerGuard {
  protected override getTracker(req: Record<string, any>): Promise<string> {
    const keyId = (req as RequestWithPrincipal).principal?.keyId;
    return Promise.resolve(keyId ? `key:${keyId}` : `ip:${req.ip as string}`);
  }
}
