import { Module } from '@nestjs/common';
import { KpiBreakdownRepository } from '@/modules/analytics/kpi-breakdown.repository';
import { KpiBreakdownService } from '@/modules/analytics/kpi-breakdown.service';
import { KpiController } from '@/modules/analytics/kpi.controller';
import { KpiFoldJob } from '@/modules/analytics/kpi-fold.job';
import { KpiFoldRepository } from '@/modules/analytics/kpi-fold.repository';
import { KpiMaintenanceJob } from '@/modules/analytics/kpi-maintenance.job';
import { KpiMaintenanceRepository } from '@/modules/analytics/kpi-maintenance.repository';
import { KpiPeriodResolver } from '@/modules/analytics/kpi-period.resolver';
import { KpiReadRepository } from '@/modules/analytics/kpi-read.repository';
import { KpiRollupRepository } from '@/modules/analytics/kpi-rollup.repository';
import { KpiSeriesService } from '@/modules/analytics/kpi-series.service';
import { KpiSummaryService } from '@/modules/analytics/kpi-summary.service';

/**
 * KPIs and reports. Exports KpiRollupRepository, through which shares add their rows to the
 * rollups in their own transaction. Event transactions queue their events for the fold job
 * (KpiFoldJob, KPI_QUEUE_INSERT); the click flush adds clicks in its insert statement. The
 * period resolver and the brand fold serve the advocates list ranked by a KPI.
 */
@Module({
  controllers: [KpiController],
  providers: [
    KpiRollupRepository,
    KpiFoldRepository,
    KpiFoldJob,
    KpiReadRepository,
    KpiBreakdownRepository,
    KpiMaintenanceRepository,
    KpiMaintenanceJob,
    KpiPeriodResolver,
    KpiSummaryService,
    KpiSeriesService,
    KpiBreakdownService,
  ],
  exports: [KpiRollupRepository, KpiPeriodResolver, KpiFoldRepository],
})
export class AnalyticsModule {}
