import { Module } from '@nestjs/common';
import { APP_CONFIG } from '@/config/config.module';
import type { AppConfig } from '@/config/env';
import { ClickJournal } from '@/modules/tracking/click-journal';
import { ClickIdService } from '@/modules/tracking/click-id.service';
import { ClickRepository } from '@/modules/tracking/click.repository';
import { CLICK_JOURNAL, ClickWriter } from '@/modules/tracking/click-writer';
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
    {
      // The embedded database keeps clicks waiting longer than a server: a crash must not lose
      // them (see ClickJournal). Beside the data directory, as its lock file.
      provide: CLICK_JOURNAL,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        config.database.url ? null : new ClickJournal(`${config.database.dataDir}.click-journal`),
    },
    LinkCache,
    LinkLookupRepository,
    LinkStatsRepository,
    RedirectService,
  ],
  exports: [ClickIdService, ClickWriter, LinkCache, LinkStatsRepository],
})
export class TrackingModule {}
