import { applyDecorators, Controller, Get, Param, Query, Res, type Type } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
  type HeadersObject,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentBrand } from '@/common/auth/principal';
import { RequireScopes } from '@/common/auth/scopes.decorator';
import { ApiErrors } from '@/common/errors/api-errors.decorator';
import { contentDisposition } from '@/common/openapi/headers';
import {
  BrandKpisDto,
  KpiBreakdownDto,
  KpiHeatmapDto,
  KpiTimeseriesDto,
  ProgramKpisDto,
} from '@/modules/analytics/dto/kpi.dto';
import {
  KpiBreakdownQueryDto,
  KpiFormat,
  KpiHeatmapQueryDto,
  KpiPeriodQueryDto,
  KpiTimeseriesQueryDto,
} from '@/modules/analytics/dto/kpi-query.dto';
import { breakdownRow, KpiBreakdownService } from '@/modules/analytics/kpi-breakdown.service';
import { programKpis } from '@/modules/analytics/kpi-rows';
import { flattenRow, rowsToCsv } from '@/modules/analytics/kpi-csv';
import { KpiSeriesService } from '@/modules/analytics/kpi-series.service';
import { KpiSummaryService } from '@/modules/analytics/kpi-summary.service';

const PERIOD_DOC =
  'Period: `from` (inclusive) to `to` (exclusive), default the last 30 days, at most 731 days, ' +
  'rounded outward to whole UTC hours. Read from hourly rollups kept up to date by every click, ' +
  'share, event and refund (raw clicks are never scanned). `?format=csv` answers the same rows as ' +
  "CSV; its text cells starting with = + - @, a tab or CR are prefixed with ' against formula " +
  'injection (KPIs are numbers, not text: a negative ROI stays -0.5).';
const BAD_REQUEST: [400, string] = [
  400,
  'A bad from, to, timezone or other parameter (the field is named)',
];
const NOT_FOUND: [404, string] = [404, "Unknown program (or another brand's)"];

/**
 * The 200 answer: the JSON object, or with `format=csv` its rows as CSV text (a string, not the
 * JSON schema).
 */
function ApiKpiOk(type: Type<unknown>, headers: HeadersObject = {}) {
  return applyDecorators(
    ApiExtraModels(type),
    ApiOkResponse({
      description: 'JSON, or the rows as CSV with `format=csv`',
      headers: { ...contentDisposition('With `format=csv`'), ...headers },
      content: {
        'application/json': { schema: { $ref: getSchemaPath(type) } },
        'text/csv': { schema: { type: 'string' } },
      },
    }),
  );
}

// The columns of a program row, for the CSV header of a brand without programs.
const EMPTY_PROGRAM_ROW = programKpis(
  {
    id: '',
    name: '',
    goal: 'conversion',
    status: 'draft',
    currency: 'USD',
    startsAt: null,
    endsAt: null,
    createdAt: new Date(0),
    programCostAmount: null,
    kpiWeights: null,
  },
  { from: new Date(0), to: new Date(1), timezone: 'UTC' },
  undefined,
  { activeAdvocates: 0, enrolled: 0 },
  new Date(0),
);

@ApiTags('KPIs')
@Controller('v1')
export class KpiController {
  constructor(
    private readonly summaries: KpiSummaryService,
    private readonly series: KpiSeriesService,
    private readonly breakdowns: KpiBreakdownService,
  ) {}

  @Get('kpis')
  @RequireScopes('read')
  @ApiOperation({
    summary: "All the brand's programs side by side",
    description: `One row per program (oldest first) with every KPI and its goal score. ${PERIOD_DOC}`,
  })
  @ApiKpiOk(BrandKpisDto)
  @ApiErrors(BAD_REQUEST)
  async brand(
    @CurrentBrand() brandId: string,
    @Query() q: KpiPeriodQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const body = await this.summaries.brand(brandId, q);
    return respond(reply, q.format, body, body.data, 'kpis', EMPTY_PROGRAM_ROW);
  }

  @Get('programs/:id/kpis')
  @RequireScopes('read')
  @ApiOperation({
    summary: "A program's KPI summary",
    description:
      'Clicks, reach, shares, impressions, CTR, signups, conversions, conversion rate, revenue net ' +
      'of refunds, reward cost, program cost, ROI, cost per acquisition, average order value, ' +
      `K-factor, CTA value and the goal score. ${PERIOD_DOC}`,
  })
  @ApiKpiOk(ProgramKpisDto)
  @ApiErrors(BAD_REQUEST, NOT_FOUND)
  async program(
    @CurrentBrand() brandId: string,
    @Param('id') id: string,
    @Query() q: KpiPeriodQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const body = await this.summaries.program(brandId, id, q);
    return respond(reply, q.format, body, [body], `kpis-${id}`);
  }

  @Get('programs/:id/kpis/timeseries')
  @RequireScopes('read')
  @ApiOperation({
    summary: "A program's KPIs per day, week or month",
    description:
      'Every bucket of the period in `timezone` (default UTC), zeros included; the first and last ' +
      `bucket only count the hours inside the period. ${PERIOD_DOC}`,
  })
  @ApiKpiOk(KpiTimeseriesDto)
  @ApiErrors(BAD_REQUEST, NOT_FOUND)
  async timeseries(
    @CurrentBrand() brandId: string,
    @Param('id') id: string,
    @Query() q: KpiTimeseriesQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const body = await this.series.timeseries(brandId, id, q);
    return respond(reply, q.format, body, body.data, `kpis-${id}-${body.interval}`);
  }

  @Get('programs/:id/kpis/breakdown')
  @RequireScopes('read')
  @ApiOperation({
    summary: "A program's KPIs by channel, CTA or advocate (the leaderboard)",
    description:
      'Sorted by any KPI (`sort`, `order`), paged with `limit` and `cursor`. `by=advocate` ranks ' +
      'advocates: conversionsPerShare and conversionsPerClick tell sharers who move nobody from ' +
      'quiet advocates whose friends follow them. Breakdown rows carry no program cost: their ROI ' +
      `and cost per acquisition use the reward cost. ${PERIOD_DOC} In CSV, the next page's cursor is ` +
      'in the `X-Next-Cursor` header.',
  })
  @ApiKpiOk(KpiBreakdownDto, {
    'X-Next-Cursor': {
      description: "With `format=csv`, when there is a next page: its cursor (JSON's `nextCursor`)",
      schema: { type: 'string' },
    },
  })
  @ApiErrors(BAD_REQUEST, NOT_FOUND)
  async breakdown(
    @CurrentBrand() brandId: string,
    @Param('id') id: string,
    @Query() q: KpiBreakdownQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const body = await this.breakdowns.breakdown(brandId, id, q);
    if (q.format === 'csv' && body.nextCursor) reply.header('x-next-cursor', body.nextCursor);
    return respond(reply, q.format, body, body.data, `kpis-${id}-by-${body.by}`, {
      ...breakdownRow(q.by ?? 'channel', {}, 1),
    });
  }

  @Get('programs/:id/kpis/heatmap')
  @RequireScopes('read')
  @ApiOperation({
    summary: 'When the audience acts: weekday × hour',
    description:
      'Human clicks or conversions per local weekday and hour in `timezone`, all 168 cells. ' +
      PERIOD_DOC,
  })
  @ApiKpiOk(KpiHeatmapDto)
  @ApiErrors(BAD_REQUEST, NOT_FOUND)
  async heatmap(
    @CurrentBrand() brandId: string,
    @Param('id') id: string,
    @Query() q: KpiHeatmapQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const body = await this.series.heatmap(brandId, id, q);
    return respond(reply, q.format, body, body.data, `kpis-${id}-heatmap`);
  }
}

/** JSON as is, or the rows as a CSV download. */
async function respond<T>(
  reply: FastifyReply,
  format: KpiFormat | undefined,
  body: T,
  rows: object[],
  name: string,
  emptyTemplate?: object,
): Promise<T | string> {
  if (format !== 'csv') return body;
  reply.header('content-type', 'text/csv; charset=utf-8');
  reply.header('content-disposition', `attachment; filename="${name}.csv"`);
  // Without rows, the header still lists the columns.
  const columns =
    rows.length === 0 && emptyTemplate ? Object.keys(flattenRow(emptyTemplate)) : undefined;
  return rowsToCsv(rows, columns);
}
