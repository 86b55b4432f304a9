import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppError, ErrorDetail } from '@/common/errors/app-error';
import { newId } from '@/common/ids';
import { decodeCursor, Page, toPage } from '@/common/pagination/pagination';
import { CtaLifecycle } from '@/modules/programs/cta-lifecycle';
import { CtaRepository } from '@/modules/programs/cta.repository';
import { CtaService } from '@/modules/programs/cta.service';
import {
  CreateProgramDto,
  ProgramDto,
  toProgramDto,
  UpdateProgramDto,
} from '@/modules/programs/dto/program.dto';
import {
  PROGRAM_MONEY_FIELDS,
  ProgramMoneyField,
  programFieldIssues,
  toDate,
  toKpiWeights,
} from '@/modules/programs/program-fields';
import { assertTransition } from '@/modules/programs/program-status';
import { ProgramEntity } from '@/modules/programs/program.entity';
import {
  ProgramChanges,
  ProgramFilters,
  ProgramRepository,
} from '@/modules/programs/program.repository';
import { RewardRuleRepository } from '@/modules/programs/reward-rule.repository';

const MONEY_COLUMN = {
  budget: 'budgetAmount',
  programCost: 'programCostAmount',
  minimumPayout: 'minimumPayoutAmount',
} as const satisfies Record<ProgramMoneyField, keyof ProgramEntity>;

@Injectable()
export class ProgramService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly programs: ProgramRepository,
    private readonly ctas: CtaRepository,
    private readonly rules: RewardRuleRepository,
    private readonly ctaService: CtaService,
    private readonly lifecycle: CtaLifecycle,
  ) {}

  /** One of the brand's programs; 404 when missing or another brand's. */
  async getForBrand(
    brandId: string,
    programId: string,
    em?: EntityManager,
  ): Promise<ProgramEntity> {
    const program = await this.programs.findByIdForBrand(brandId, programId, em);
    if (!program) throw AppError.notFound('Program');
    return program;
  }

  async get(brandId: string, programId: string): Promise<ProgramDto> {
    return toProgramDto(await this.getForBrand(brandId, programId));
  }

  async list(
    brandId: string,
    filters: ProgramFilters,
    limit: number,
    cursor?: string,
  ): Promise<Page<ProgramDto>> {
    const list = { list: 'programs', brandId, ...filters };
    const after = decodeCursor(cursor, 'timestamp', list);
    const rows = await this.programs.listByBrand(brandId, filters, limit, after);
    return toPage(
      rows,
      limit,
      (p) => ({ k: p.createdAt.toISOString(), id: p.id }),
      toProgramDto,
      list,
    );
  }

  /** The program and its default copy-link CTA, together or not at all. New programs are draft. */
  async create(brandId: string, dto: CreateProgramDto): Promise<ProgramDto> {
    const startsAt = toDate(dto.startsAt) ?? null;
    const endsAt = toDate(dto.endsAt) ?? null;
    const issues = programFieldIssues({
      currency: dto.currency,
      startsAt,
      endsAt,
      money: { budget: dto.budget, programCost: dto.programCost, minimumPayout: dto.minimumPayout },
      kpiWeights: dto.kpiWeights,
    });
    if (issues.length > 0) throw AppError.validation(issues);
    const program = await this.dataSource.transaction(async (em) => {
      const created = await this.programs.insert(
        {
          id: newId('program'),
          brandId,
          name: dto.name,
          status: 'draft',
          goal: dto.goal,
          currency: dto.currency,
          startsAt,
          endsAt,
          landingUrl: dto.landingUrl,
          attributionWindowDays: dto.attribution?.windowDays ?? 30,
          attributionModel: dto.attribution?.model ?? 'last_touch',
          holdDays: dto.holdDays ?? 30,
          budgetAmount: dto.budget?.amount ?? null,
          programCostAmount: dto.programCost?.amount ?? null,
          minimumPayoutAmount: dto.minimumPayout?.amount ?? null,
          friendOffer: dto.friendOffer ?? null,
          kpiWeights: toKpiWeights(dto.kpiWeights) ?? null,
        },
        em,
      );
      await this.ctaService.createDefault(em, brandId, created);
      return created;
    });
    return toProgramDto(program);
  }

  async update(brandId: string, programId: string, dto: UpdateProgramDto): Promise<ProgramDto> {
    const program = await this.dataSource.transaction(async (em) => {
      const current = await this.programs.lockByIdForBrand(brandId, programId, 'update', em);
      if (!current) throw AppError.notFound('Program');
      const changes = programChanges(current, dto);
      const currency = changes.currency ?? current.currency;
      const issues = programFieldIssues({
        currency,
        startsAt: changes.startsAt !== undefined ? changes.startsAt : current.startsAt,
        endsAt: changes.endsAt !== undefined ? changes.endsAt : current.endsAt,
        money: {
          budget: dto.budget,
          programCost: dto.programCost,
          minimumPayout: dto.minimumPayout,
        },
        kpiWeights: dto.kpiWeights,
      });
      if (changes.currency) issues.push(...unrestatedAmounts(current, dto, changes.currency));
      if (issues.length > 0) throw AppError.validation(issues);
      if (changes.currency) await this.assertCurrencyMayChange(em, current);
      if (changes.status) assertTransition(current.status, changes.status);
      if (Object.keys(changes).length === 0) return current;
      await this.programs.updateForBrand(brandId, programId, changes, em);
      return (await this.programs.findByIdForBrand(brandId, programId, em))!;
    });
    this.lifecycle.afterProgramOrCtaChanged(brandId, programId);
    return toProgramDto(program);
  }

  /**
   * Amounts of rules, rewards and CTA values are in the program currency, so it may change only
   * while nothing is priced in it yet: a draft without reward rules (even deactivated ones) and
   * without a CTA value.
   */
  private async assertCurrencyMayChange(em: EntityManager, p: ProgramEntity): Promise<void> {
    const reason =
      p.status !== 'draft'
        ? `the program is ${p.status}`
        : (await this.rules.existsInProgram(p.brandId, p.id, em))
          ? 'the program has reward rules'
          : (await this.ctas.existsWithValueInProgram(p.brandId, p.id, em))
            ? 'the program has a CTA with a value'
            : null;
    if (reason) {
      throw new AppError('conflict', `The currency can no longer change: ${reason}`, [
        { field: 'currency', issue: `cannot change: ${reason}` },
      ]);
    }
  }
}

/** Only what the request actually changes, so a PATCH that repeats the state writes nothing. */
function programChanges(p: ProgramEntity, dto: UpdateProgramDto): ProgramChanges {
  const c: ProgramChanges = {};
  const set = <K extends keyof ProgramChanges>(key: K, value: ProgramChanges[K] | undefined) => {
    if (value !== undefined && !sameValue(value, p[key])) c[key] = value;
  };
  set('name', dto.name);
  set('goal', dto.goal);
  set('currency', dto.currency);
  set('status', dto.status);
  set('landingUrl', dto.landingUrl);
  set('startsAt', toDate(dto.startsAt));
  set('endsAt', toDate(dto.endsAt));
  set('attributionWindowDays', dto.attribution?.windowDays);
  set('attributionModel', dto.attribution?.model);
  set('holdDays', dto.holdDays);
  for (const field of PROGRAM_MONEY_FIELDS) {
    const money = dto[field];
    set(MONEY_COLUMN[field], money === undefined ? undefined : (money?.amount ?? null));
  }
  set('friendOffer', dto.friendOffer);
  set('kpiWeights', toKpiWeights(dto.kpiWeights));
  return c;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const x = a as Record<string, unknown>;
    const y = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
    return [...keys].every((k) => x[k] === y[k]);
  }
  return a === b;
}

/** A currency change must restate (or clear) every amount already set, or it would be re-read. */
function unrestatedAmounts(p: ProgramEntity, dto: UpdateProgramDto, to: string): ErrorDetail[] {
  return PROGRAM_MONEY_FIELDS.filter(
    (field) => p[MONEY_COLUMN[field]] !== null && dto[field] === undefined,
  ).map((field) => ({
    field,
    issue: `must be restated in ${to} (or set to null) when the currency changes`,
  }));
}
