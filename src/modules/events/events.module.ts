import { Module } from '@nestjs/common';
import { AttributionModule } from '@/modules/attribution/attribution.module';
import { ConversionRecorder } from '@/modules/events/conversion-recorder';
import { EventController } from '@/modules/events/event.controller';
import { EventIntakeRepository } from '@/modules/events/event-intake.repository';
import { EventOutcomeRepository } from '@/modules/events/event-outcome.repository';
import { EventService } from '@/modules/events/event.service';
import { RefundRecorder } from '@/modules/events/refund-recorder';
import { FraudModule } from '@/modules/fraud/fraud.module';
import { RewardsModule } from '@/modules/rewards/rewards.module';
import { TrackingModule } from '@/modules/tracking/tracking.module';

/** Conversion events: intake, idempotency and customers; brings in attribution and rewards. */
@Module({
  imports: [TrackingModule, AttributionModule, RewardsModule, FraudModule],
  controllers: [EventController],
  providers: [
    EventIntakeRepository,
    EventOutcomeRepository,
    ConversionRecorder,
    RefundRecorder,
    EventService,
  ],
})
export class EventsModule {}
