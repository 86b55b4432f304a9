import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@/config/config.module';
import { AppConfig } from '@/config/env';
import {
  ClickIdKey,
  clickIdKey,
  decodeClickId,
  encodeClickId,
  VerifiedClickId,
} from '@/modules/tracking/click-id';

/**
 * Signs and verifies click ids with the server secret (TANDEM_SECRET). Attribution calls
 * verifyClickId and needs nothing else: the id carries its link and click time.
 */
@Injectable()
export class ClickIdService {
  private readonly key: ClickIdKey;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.key = clickIdKey(config.secret);
  }

  signClickId(linkId: string, at: Date | number): string {
    return encodeClickId(this.key, linkId, typeof at === 'number' ? at : at.getTime());
  }

  verifyClickId(id: string): VerifiedClickId | null {
    return decodeClickId(this.key, id);
  }
}
