import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { sha256Hex } from '@/common/auth/secret';

/** Rate limits per API key (by the hash of the presented secret), per client address otherwise. */
@Injectable()
export class KeyThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, any>): Promise<string> {
    const auth = (req.headers?.authorization as string | undefined) ?? '';
    const match = /^Bearer\s+(\S+)/i.exec(auth);
    return match ? `key:${sha256Hex(match[1]!)}` : `ip:${req.ip as string}`;
  }
}
