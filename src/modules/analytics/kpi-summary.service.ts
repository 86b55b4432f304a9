import { Injectable } from '@nestjs/common';
import { AppError } from '@/common/errors/app-error';
import { looksLikeId } from '@/common/ids';
import type { BrandKpisDto, ProgramKpisDto } from '@/modules/analytics/dto/kpi.dto';
import type { KpiPeriod } from '@/modules/analytics/kpi-period';
import { KpiPeriodResolver, PeriodInput } from '@/modules/analytics/kpi-period.resolver';
import { KpiProgram, KpiReadRepository } from '@/modules/analytics/kpi-read.repository';
import { KpiFoldRepository } from '@/modules/analytics/kpi-fold.repository';
import { programKpis } from '@/modules/analytics/kpi-rows';

/** The KPI summary of a program, and of all the brand's programs side by side. */
@Injectable()
export class KpiSummaryService {
  constructor(
    private readonly reads: KpiReadRepository,
    private readonly periods: KpiPeriodResolver,
    private readonly folds: KpiFoldRepository,
  ) {}

  async program(brandId: string, programId: string, input: PeriodInput): Promise<ProgramKpisDto> {
    const period = await this.periods.resolve(input);
    const program = await this.findProgram(brandId, programId);
    return (await this.rows(brandId, [program], period))[0]!;
  }

  async brand(brandId: string, input: PeriodInput): Promise<BrandKpisDto> {
    const period = await this.periods.resolve(input);
    const programs = await this.reads.listPrograms(brandId);
    return {
      from: period.from.toISOString(),
      to: period.to.toISOString(),
      data: programs.length ? await this.rows(brandId, programs, period) : [],
    };
  }

  /** Another brand's program answers 404 exactly like a missing one. */
  async findProgram(brandId: string, programId: string): Promise<KpiProgram> {
    const program = looksLikeId('program', programId)
      ? await this.reads.findProgram(brandId, programId)
      : undefined;
    if (!program) throw AppError.notFound('Program');
    return program;
  }

  private async rows(
    brandId: string,
    programs: KpiProgram[],
    period: KpiPeriod,
  ): Promise<ProgramKpisDto[]> {
    const ids = programs.map((p) => p.id);
    const now = new Date();
    await this.folds.foldBrand(brandId);
    const [sums, active, enrolled] = await Promise.all([
      this.reads.sumByProgram(brandId, ids, period),
      this.reads.countActiveAdvocates(brandId, ids, period),
      this.reads.countEnrolled(brandId, ids, period.to),
    ]);
    return programs.map((p) =>
      programKpis(
        p,
        period,
        sums.get(p.id),
        {
          activeAdvocates: active.get(p.id) ?? 0,
          enrolled: enrolled.get(p.id) ?? 0,
        },
        now,
      ),
    );
  }
}
