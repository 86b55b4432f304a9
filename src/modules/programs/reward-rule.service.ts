import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppError } from '@/common/errors/app-error';
import { newId } from '@/common/ids';
import { decodeCursor, Page, toPage } from '@/common/pagination/pagination';
import { CtaRepository } from '@/modules/programs/cta.repository';
import {
  CreateRewardRuleDto,
  RewardRuleDto,
  toRewardRuleDto,
  UpdateRewardRuleDto,
} from '@/modules/programs/dto/reward-rule.dto';
import { ProgramEntity } from '@/modules/programs/program.entity';
import { ProgramRepository } from '@/modules/programs/program.repository';
import { RewardRuleRepository } from '@/modules/programs/reward-rule.repository';
import {
  checkRewardRule,
  NormalizedRule,
  RewardRuleInput,
  ruleInputOf,
} from '@/modules/programs/reward-rule.validation';

/**
 * Reward rules of a program. A change applies to events processed from then on: rewards already
 * given keep their amounts (they reference the rule, they are not recomputed).
 */
@Injectable()
export class RewardRuleService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly programs: ProgramRepository,
    private readonly ctas: CtaRepository,
    private readonly rules: RewardRuleRepository,
  ) {}

  create(brandId: string, programId: string, dto: CreateRewardRuleDto): Promise<RewardRuleDto> {
    return this.dataSource.transaction(async (em) => {
      // Shared lock: the currency and status this rule is checked against cannot move under it.
      const program = await this.programs.lockByIdForBrand(brandId, programId, 'share', em);
      if (!program) throw AppError.notFound('Program');
      if (program.status === 'ended') {
        throw new AppError('conflict', 'The program has ended; it cannot get new reward rules', [
          { field: 'status', issue: 'program is ended' },
        ]);
      }
      const rule = await this.validated(em, program, dto);
      const created = await this.rules.insert(
        { id: newId('rewardRule'), brandId, programId, ...rule },
        em,
      );
      return toRewardRuleDto(created);
    });
  }

  async list(
    brandId: string,
    programId: string,
    includeInactive: boolean,
    limit: number,
    cursor?: string,
  ): Promise<Page<RewardRuleDto>> {
    const list = { list: 'reward-rules', brandId, programId, includeInactive };
    const after = decodeCursor(cursor, 'timestamp', list);
    await this.programOrThrow(brandId, programId);
    const rows = await this.rules.listByProgram(brandId, programId, includeInactive, limit, after);
    return toPage(
      rows,
      limit,
      (r) => ({ k: r.createdAt.toISOString(), id: r.id }),
      toRewardRuleDto,
      list,
    );
  }

  /** Deactivated rules are readable too: rewards keep pointing at them. */
  async get(brandId: string, programId: string, ruleId: string): Promise<RewardRuleDto> {
    await this.programOrThrow(brandId, programId);
    const rule = await this.rules.findByIdForBrand(brandId, programId, ruleId);
    if (!rule) throw AppError.notFound('Reward rule');
    return toRewardRuleDto(rule);
  }

  /** Merges the PATCH onto the stored rule (objects replace as a whole) and checks it again. */
  update(
    brandId: string,
    programId: string,
    ruleId: string,
    dto: UpdateRewardRuleDto,
  ): Promise<RewardRuleDto> {
    return this.dataSource.transaction(async (em) => {
      const program = await this.programs.lockByIdForBrand(brandId, programId, 'share', em);
      if (!program) throw AppError.notFound('Program');
      const current = await this.rules.lockByIdForBrand(brandId, programId, ruleId, em);
      if (!current) throw AppError.notFound('Reward rule');
      if (!current.active) {
        throw new AppError('conflict', 'This reward rule was deleted; create a new one instead', [
          { field: 'active', issue: 'is false: the rule was deleted' },
        ]);
      }
      const merged: RewardRuleInput = { ...ruleInputOf(current) };
      if (dto.trigger !== undefined) merged.trigger = dto.trigger;
      if (dto.recipient !== undefined) merged.recipient = dto.recipient;
      if (dto.reward !== undefined) merged.reward = dto.reward;
      if (dto.conditions !== undefined) merged.conditions = dto.conditions;
      if (dto.limits !== undefined) merged.limits = dto.limits;
      if (dto.milestone !== undefined) merged.milestone = dto.milestone;
      if (dto.holdDays !== undefined) merged.holdDays = dto.holdDays;
      if (dto.description !== undefined) merged.description = dto.description;
      const rule = await this.validated(em, program, merged);
      // Nothing changes (the stored values sent again): no write, and updatedAt stays.
      const before = toRewardRuleDto(current);
      if (JSON.stringify(toRewardRuleDto({ ...current, ...rule })) === JSON.stringify(before)) {
        return before;
      }
      await this.rules.updateForBrand(brandId, programId, ruleId, rule, em);
      const updated = await this.rules.findByIdForBrand(brandId, programId, ruleId, em);
      return toRewardRuleDto(updated!);
    });
  }

  /** Soft delete, idempotent: the row stays because rewards reference it. */
  async deactivate(brandId: string, programId: string, ruleId: string): Promise<void> {
    await this.programOrThrow(brandId, programId);
    const rule = await this.rules.findByIdForBrand(brandId, programId, ruleId);
    if (!rule) throw AppError.notFound('Reward rule');
    await this.rules.deactivate(brandId, programId, ruleId);
  }

  private async validated(
    em: EntityManager,
    program: ProgramEntity,
    input: RewardRuleInput,
  ): Promise<NormalizedRule> {
    const ctaKeys = input.conditions?.ctaKeys?.length
      ? await this.ctas.listKeysByProgram(program.brandId, program.id, em)
      : [];
    const { issues, rule } = checkRewardRule(input, { programCurrency: program.currency, ctaKeys });
    if (issues.length > 0) throw AppError.validation(issues);
    return rule;
  }

  private async programOrThrow(brandId: string, programId: string): Promise<ProgramEntity> {
    const program = await this.programs.findByIdForBrand(brandId, programId);
    if (!program) throw AppError.notFound('Program');
    return program;
  }
}
