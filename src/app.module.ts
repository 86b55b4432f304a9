import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { DeclaredInputGuard } from '@/common/http/declared-input.guard';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import { ApiKeyGuard } from '@/common/auth/api-key.guard';
import { KeyThrottlerGuard } from '@/common/rate-limit/key-throttler.guard';
import { SlidingWindowStorage } from '@/common/rate-limit/sliding-window-storage';
import { loggerOptions } from '@/common/logging/logger.options';
import { ConfigModule } from '@/config/config.module';
import { AppConfig } from '@/config/env';
import { DatabaseModule } from '@/database/database.module';
import { AdvocatesModule } from '@/modules/advocates/advocates.module';
import { AnalyticsModule } from '@/modules/analytics/analytics.module';
import { BrandsModule } from '@/modules/brands/brands.module';
import { EnrollmentsModule } from '@/modules/enrollments/enrollments.module';
import { HealthModule } from '@/modules/health/health.module';
import { EventsModule } from '@/modules/events/events.module';
import { ReviewsModule } from '@/modules/reviews/reviews.module';
import { SharesModule } from '@/modules/shares/shares.module';
import { TrackingModule } from '@/modules/tracking/tracking.module';
import { ProgramsModule } from '@/modules/programs/programs.module';
import { FraudModule } from '@/modules/fraud/fraud.module';
import { WebhooksModule } from '@/modules/webhooks/webhooks.module';
import { PayoutsModule } from '@/modules/payouts/payouts.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerOptions(config)),
        ThrottlerModule.forRoot({
          throttlers: [{ name: 'default', ttl: 60_000, limit: config.rateLimitPerMinute }],
          storage: new SlidingWindowStorage(),
        }),
        DatabaseModule,
        HealthModule,
        BrandsModule,
        AdvocatesModule,
        TrackingModule,
        SharesModule,
        ProgramsModule,
        EnrollmentsModule,
        EventsModule,
        ReviewsModule,
        // issue 8: signed webhooks (global outbox) and fraud rules
        WebhooksModule,
        FraudModule,
        PayoutsModule,
        AnalyticsModule,
      ],
      providers: [
        // Order matters: authenticate first, then count the request against its key (the
        // ApiKeyGuard counts the requests it refuses through the same throttler instance), then
        // refuse a query or body the route does not declare.
        KeyThrottlerGuard,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_GUARD, useExisting: KeyThrottlerGuard },
        { provide: APP_GUARD, useClass: DeclaredInputGuard },
      ],
    };
  }
}
