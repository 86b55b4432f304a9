import { Injectable } from '@nestjs/common';
import { AppError } from '@/common/errors/app-error';
import type {
  KpiHeatmapDto,
  KpiSeriesPointDto,
  KpiTimeseriesDto,
} from '@/modules/analytics/dto/kpi.dto';
import {
  deriveKpis,
  emptyTotals,
  goalScore,
  programCostBetween,
} from '@/modules/analytics/kpi-math';
import { KpiPeriodResolver, PeriodInput } from '@/modules/analytics/kpi-period.resolver';
import {
  HeatmapMetric,
  KpiInterval,
  KpiProgram,
  KpiReadRepository,
  SeriesBucket,
} from '@/modules/analytics/kpi-read.repository';
import { KpiFoldRepository } from '@/modules/analytics/kpi-fold.repository';
import { costBasis } from '@/modules/analytics/kpi-rows';
import { KpiSummaryService } from '@/modules/analytics/kpi-summary.service';

/** Hourly series are for a post's first days or a campaign's month: 744 points at most. */
const MAX_HOURLY_DAYS = 31;
const MAX_HOURLY_MS = MAX_HOURLY_DAYS * 86_400_000;

/** A program's KPIs over time: local hour/day/week/month buckets, and weekday × hour. */
@Injectable()
export class KpiSeriesService {
  constructor(
    private readonly reads: KpiReadRepository,
    private readonly periods: KpiPeriodResolver,
    private readonly summaries: KpiSummaryService,
    private readonly folds: KpiFoldRepository,
  ) {}

  async timeseries(
    brandId: string,
    programId: string,
    input: PeriodInput & { interval?: KpiInterval },
  ): Promise<KpiTimeseriesDto> {
    const period = await this.periods.resolve(input);
    const interval = input.interval ?? 'day';
    if (interval === 'hour' && period.to.getTime() - period.from.getTime() > MAX_HOURLY_MS) {
      throw AppError.validation([
        {
          field: 'interval',
          issue: `hour takes a period of at most ${MAX_HOURLY_DAYS} days (from/to); use day for longer ones`,
        },
      ]);
    }
    const program = await this.summaries.findProgram(brandId, programId);
    await this.folds.foldBrand(brandId);
    const [buckets, sums, active, enrolled] = await Promise.all([
      this.reads.listBuckets(period, interval),
      this.reads.sumByBucket(brandId, programId, period, interval),
      this.reads.countActiveAdvocatesByBucket(brandId, programId, period, interval),
      this.reads.countEnrolledByBucket(brandId, programId, period, interval),
    ]);
    const now = new Date();
    let enrolledSoFar = enrolled.get('') ?? 0;
    const data = buckets.map((bucket) => {
      enrolledSoFar += enrolled.get(bucket.date) ?? 0;
      return point(program, bucket, now, enrolledSoFar, {
        ...(sums.get(bucket.date) ?? emptyTotals()),
        activeAdvocates: active.get(bucket.date) ?? 0,
      });
    });
    return {
      programId,
      currency: program.currency,
      interval,
      timezone: period.timezone,
      from: period.from.toISOString(),
      to: period.to.toISOString(),
      data,
    };
  }

  async heatmap(
    brandId: string,
    programId: string,
    input: PeriodInput & { metric?: HeatmapMetric },
  ): Promise<KpiHeatmapDto> {
    const period = await this.periods.resolve(input);
    await this.summaries.findProgram(brandId, programId);
    await this.folds.foldBrand(brandId);
    const metric = input.metric ?? 'clicks';
    const cells = await this.reads.sumByWeekdayHour(brandId, programId, period, metric);
    const values = new Map(cells.map((c) => [c.weekday * 24 + c.hour, c.value]));
    const data = [];
    for (let weekday = 1; weekday <= 7; weekday++) {
      for (let hour = 0; hour < 24; hour++) {
        data.push({ weekday, hour, value: values.get(weekday * 24 + hour) ?? 0 });
      }
    }
    return {
      programId,
      metric,
      timezone: period.timezone,
      from: period.from.toISOString(),
      to: period.to.toISOString(),
      data,
    };
  }
}

function point(
  program: KpiProgram,
  bucket: SeriesBucket,
  now: Date,
  enrolled: number,
  totals: ReturnType<typeof emptyTotals>,
): KpiSeriesPointDto {
  const cost = programCostBetween(costBasis(program), bucket.start, bucket.end, now);
  const kpis = deriveKpis(totals, cost);
  return {
    date: bucket.date,
    start: bucket.start.toISOString(),
    end: bucket.end.toISOString(),
    ...kpis,
    enrolledAdvocates: enrolled,
    goalScore: goalScore(kpis, enrolled, program.goal, program.kpiWeights),
  };
}
