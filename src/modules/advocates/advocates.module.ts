import { Module } from '@nestjs/common';
import { AnalyticsModule } from '@/modules/analytics/analytics.module';
import { TrackingModule } from '@/modules/tracking/tracking.module';
import { AdvocateController } from '@/modules/advocates/advocate.controller';
import { AdvocateImportController } from '@/modules/advocates/advocate-import.controller';
import { AdvocateImportRepository } from '@/modules/advocates/advocate-import.repository';
import { AdvocateImportService } from '@/modules/advocates/advocate-import.service';
import { AdvocateRepository } from '@/modules/advocates/advocate.repository';
import { AdvocateService } from '@/modules/advocates/advocate.service';

@Module({
  imports: [TrackingModule, AnalyticsModule],
  // The import controller first: its static path must not be read as an :id.
  controllers: [AdvocateImportController, AdvocateController],
  providers: [AdvocateRepository, AdvocateService, AdvocateImportRepository, AdvocateImportService],
  exports: [AdvocateService],
})
export class AdvocatesModule {}
