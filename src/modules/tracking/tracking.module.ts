import { Module } from '@nestjs/common';
import { ClickIdService } from '@/modules/tracking/click-id.service';
import { ClickRepository } from '@/modules/tracking/click.repository';
import { ClickWriter } from '@/modules/tracking/click-writer';
import { LinkCache } from '@/modules/tracking/link-cache';
import { LinkLookupRepository } from '@/modules/tracking/link-lookup.repository';
import { LinkStatsRepository } from '@/modules/tracking/link-stats.repository';
import { RedirectController } from '@/modules/tracking/redirect.controller';
import { RedirectService } from '@/modules/tracking/redirect.service';

/**
 * The public redirect and click capture. Exports ClickIdService (attribution verifies click
 * ids), LinkCache (configuration services invalidate it), LinkStatsRepository and ClickWriter
 * (its backlog is reported by /health).
 */
@Module({
  controllers: [RedirectController],
  providers: [
    ClickIdService,
    ClickRepository,
    ClickWriter,
    LinkCache,
    LinkLookupRepository,
    LinkStatsRepository,
    RedirectService,
  ],
  exports: [ClickIdService, ClickWriter, LinkCache, LinkStatsRepository],
})
export class TrackingModule {}
