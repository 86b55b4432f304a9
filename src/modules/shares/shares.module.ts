import { Module } from '@nestjs/common';
import { AnalyticsModule } from '@/modules/analytics/analytics.module';
import { ShareController } from '@/modules/shares/share.controller';
import { ShareRepository } from '@/modules/shares/share.repository';
import { ShareService } from '@/modules/shares/share.service';

@Module({
  imports: [AnalyticsModule],
  controllers: [ShareController],
  providers: [ShareRepository, ShareService],
})
export class SharesModule {}
