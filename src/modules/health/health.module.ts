import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ClicksHealthIndicator } from '@/modules/health/clicks.health';
import { DatabaseHealthIndicator } from '@/modules/health/database.health';
import { TrackingModule } from '@/modules/tracking/tracking.module';
import { HealthController } from '@/modules/health/health.controller';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), TrackingModule],
  controllers: [HealthController],
  providers: [DatabaseHealthIndicator, ClicksHealthIndicator],
})
export class HealthModule {}
