import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { ClicksHealthIndicator } from '@/modules/health/clicks.health';
import { DatabaseHealthIndicator } from '@/modules/health/database.health';
import { Public } from '@/common/auth/scopes.decorator';
import { ErrorResponseDto } from '@/common/errors/error-response.dto';

@ApiTags('Operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: DatabaseHealthIndicator,
    private readonly clicks: ClicksHealthIndicator,
  ) {}

  @Get()
  @Public()
  @SkipThrottle()
  @HealthCheck()
  @ApiOperation({
    summary: 'Liveness and database check (200 when the database answers)',
    description:
      '`info.database` is the database ping; `info.clicks.buffered` is the number of clicks ' +
      'accepted by the redirect and not yet written (a growing number means the database ' +
      'falls behind the redirects).',
  })
  @ApiServiceUnavailableResponse({ type: ErrorResponseDto })
  check() {
    return this.health.check([() => this.db.ping('database', 2000), () => this.clicks.check()]);
  }
}
