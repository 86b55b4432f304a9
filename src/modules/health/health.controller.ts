import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { DatabaseHealthIndicator } from '@/modules/health/database.health';
import { Public } from '@/common/auth/scopes.decorator';
import { ErrorResponseDto } from '@/common/errors/error-response.dto';

@ApiTags('Operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: DatabaseHealthIndicator,
  ) {}

  @Get()
  @Public()
  @SkipThrottle()
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness and database check (200 when the database answers)' })
  @ApiServiceUnavailableResponse({ type: ErrorResponseDto })
  check() {
    return this.health.check([() => this.db.ping('database', 2000)]);
  }
}
