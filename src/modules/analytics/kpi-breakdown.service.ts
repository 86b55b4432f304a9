import { Injectable } from '@nestjs/common';
import type { KpiBreakdownDto, KpiBreakdownRowDto } from '@/modules/analytics/dto/kpi.dto';
import {
  BreakdownDimension,
  BreakdownRow,
  KpiBreakdownRepository,
  SortableKpi,
} from '@/modules/analytics/kpi-breakdown.repository';
import { decodeBreakdownCursor, encodeBreakdownCursor } from '@/modules/analytics/kpi-cursor';
import { deriveKpis, KpiTotals } from '@/modules/analytics/kpi-math';
import { KpiPeriodResolver, PeriodInput } from '@/modules/analytics/kpi-period.resolver';
import { KpiFoldRepository } from '@/modules/analytics/kpi-fold.repository';
import { addSums } from '@/modules/analytics/kpi-read.repository';
import { emptyTotals } from '@/modules/analytics/kpi-math';
import { KpiSummaryService } from '@/modules/analytics/kpi-summary.service';
import { DEFAULT_LIMIT, listTag } from '@/common/pagination/pagination';

export interface BreakdownInput extends PeriodInput {
  by?: BreakdownDimension;
  sort?: SortableKpi;
  order?: 'asc' | 'desc';
  limit?: number;
  cursor?: string;
}

/** A program's KPIs by channel, CTA or advocate (the leaderboard), sorted by any KPI. */
@Injectable()
export class KpiBreakdownService {
  constructor(
    private readonly breakdowns: KpiBreakdownRepository,
    private readonly periods: KpiPeriodResolver,
    private readonly summaries: KpiSummaryService,
    private readonly folds: KpiFoldRepository,
  ) {}

  async breakdown(
    brandId: string,
    programId: string,
    input: BreakdownInput,
  ): Promise<KpiBreakdownDto> {
    const by = input.by ?? 'channel';
    const sort = input.sort ?? 'conversions';
    const order = input.order ?? 'desc';
    const limit = input.limit ?? DEFAULT_LIMIT;
    // A cursor of another program, period or brand would start this list at a foreign position.
    const filters = listTag({
      list: 'kpi-breakdown',
      brandId,
      programId,
      from: input.from,
      to: input.to,
      timezone: input.timezone,
    });
    const tag = `${by}:${sort}:${order}:${filters}`;
    const after = input.cursor ? decodeBreakdownCursor(input.cursor, tag) : undefined;
    const period = await this.periods.resolve(input);
    const program = await this.summaries.findProgram(brandId, programId);
    await this.folds.foldBrand(brandId);
    const rows = await this.breakdowns.page(brandId, programId, period, {
      by,
      sort,
      order,
      limit,
      after: after && { value: after.v, key: after.k },
    });
    const page = rows.slice(0, limit);
    const skipped = after?.r ?? 0;
    const last = page[page.length - 1];
    return {
      programId,
      by,
      sort,
      order,
      currency: program.currency,
      from: period.from.toISOString(),
      to: period.to.toISOString(),
      data: page.map((r, i) => breakdownRow(by, r, skipped + i + 1)),
      nextCursor:
        rows.length > limit && last
          ? encodeBreakdownCursor({ q: tag, v: last.sv ?? null, k: last.k!, r: skipped + limit })
          : null,
    };
  }
}

/** A breakdown row: rank, the group's identity, its KPIs (no program cost). */
export function breakdownRow(
  by: BreakdownDimension,
  r: BreakdownRow,
  rank: number,
): KpiBreakdownRowDto {
  const totals: KpiTotals = addSums(emptyTotals(), r);
  const key = r.k ?? '';
  const identity =
    by === 'channel'
      ? { channel: key === '' ? null : key }
      : by === 'cta'
        ? {
            ctaId: key === '' ? null : key,
            ctaKey: r.cta_key ?? null,
            ctaLabel: r.cta_label ?? null,
            channel: r.cta_channel ?? null,
          }
        : { advocateId: key, externalId: r.external_id ?? null, advocateName: r.name ?? null };
  return { rank, ...identity, ...deriveKpis(totals, null) };
}
