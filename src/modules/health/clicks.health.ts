import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ClickWriter } from '@/modules/tracking/click-writer';

/**
 * The click buffer, for operators: clicks accepted by the redirect and not yet written. Always
 * "up" (a backlog is served, not failed); a growing `buffered` means the database writes fall
 * behind the redirects, and a stop will take longer to drain them.
 */
@Injectable()
export class ClicksHealthIndicator {
  constructor(
    private readonly writer: ClickWriter,
    private readonly health: HealthIndicatorService,
  ) {}

  check(key = 'clicks') {
    return this.health.check(key).up({ buffered: this.writer.pending });
  }
}
