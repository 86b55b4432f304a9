import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { ClicksHealthIndicator } from '@/modules/health/clicks.health';
import { DatabaseHealthIndicator } from '@/modules/health/database.health';
import { Public } from '@/common/auth/scopes.decorator';
import { AppError } from '@/common/errors/app-error';
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
  // Terminus's own 503 schema is not what this route answers: both answers are documented here.
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOkResponse({
    description: 'Every check is up',
    schema: {
      type: 'object',
      properties: {
        status: { type: 'string', example: 'ok' },
        info: {
          type: 'object',
          example: {
            database: { status: 'up', responseTime: 1 },
            clicks: { status: 'up', buffered: 0 },
          },
        },
        error: { type: 'object', example: {} },
        details: { type: 'object', description: 'info and error together' },
      },
    },
  })
  @ApiOperation({
    summary: 'Liveness and database check (200 when the database answers)',
    description:
      '`info.database` is the database ping; `info.clicks.buffered` is the number of clicks ' +
      'accepted by the redirect and not yet written (a growing number means the database ' +
      'falls behind the redirects).',
  })
  @ApiServiceUnavailableResponse({
    type: ErrorResponseDto,
    description: 'service_unavailable: `details` names each failing check (`database`)',
  })
  async check() {
    try {
      return await this.health.check([
        () => this.db.ping('database', 2000),
        () => this.clicks.check(),
      ]);
    } catch (error) {
      // Terminus's own 503 body would reach the error filter without a message or details.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const failed = (error.getResponse() as HealthCheckResult).error ?? {};
      const details = Object.entries(failed).map(([check, state]) => ({
        field: check,
        issue: typeof state?.message === 'string' ? state.message : 'is down',
      }));
      // No failing check: Terminus answers 503 this way while the app shuts down.
      if (details.length === 0) {
        throw new AppError('service_unavailable', 'The service is shutting down', [
          { field: 'service', issue: 'is shutting down' },
        ]);
      }
      throw new AppError(
        'service_unavailable',
        `Not ready: ${details.map((d) => d.field).join(', ')} ${details.length === 1 ? 'is' : 'are'} down`,
        details,
      );
    }
  }
}
