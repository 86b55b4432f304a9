import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { looksLikeId } from '@/common/ids';
import { CursorPosition } from '@/common/pagination/pagination';
import { CREATED_AT_MS } from '@/modules/programs/program.repository';
import { RewardRuleEntity } from '@/modules/programs/reward-rule.entity';

export type NewRewardRule = Omit<
  RewardRuleEntity,
  'createdAt' | 'updatedAt' | 'program' | 'active' | 'deactivatedAt'
>;
export type RewardRuleChanges = Partial<Omit<NewRewardRule, 'id' | 'brandId' | 'programId'>>;

@Injectable()
export class RewardRuleRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(rule: NewRewardRule, em: EntityManager): Promise<RewardRuleEntity> {
    await em.insert(RewardRuleEntity, { ...rule, createdAt: CREATED_AT_MS });
    return em.findOneByOrFail(RewardRuleEntity, { brandId: rule.brandId, id: rule.id });
  }

  findByIdForBrand(
    brandId: string,
    programId: string,
    id: string,
    em?: EntityManager,
  ): Promise<RewardRuleEntity | null> {
    if (!looksLikeId('rewardRule', id)) return Promise.resolve(null);
    return (em ?? this.dataSource.manager).findOneBy(RewardRuleEntity, { brandId, programId, id });
  }

  /** Reads and locks the rule so a PATCH merges onto the version it validates. */
  lockByIdForBrand(
    brandId: string,
    programId: string,
    id: string,
    em: EntityManager,
  ): Promise<RewardRuleEntity | null> {
    if (!looksLikeId('rewardRule', id)) return Promise.resolve(null);
    return em
      .createQueryBuilder(RewardRuleEntity, 'r')
      .where('r.brand_id = :brandId AND r.program_id = :programId AND r.id = :id', {
        brandId,
        programId,
        id,
      })
      .setLock('pessimistic_write')
      .getOne();
  }

  listByProgram(
    brandId: string,
    programId: string,
    includeInactive: boolean,
    limit: number,
    after?: CursorPosition,
  ): Promise<RewardRuleEntity[]> {
    const qb = this.dataSource
      .getRepository(RewardRuleEntity)
      .createQueryBuilder('r')
      .where('r.brand_id = :brandId AND r.program_id = :programId', { brandId, programId })
      .orderBy('r.created_at', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .limit(limit + 1);
    if (!includeInactive) qb.andWhere('r.active = true');
    if (after) qb.andWhere('(r.created_at, r.id) < (:k, :id)', { k: after.k, id: after.id });
    return qb.getMany();
  }

  /** Active or not: a deactivated rule still has rewards priced in the program currency. */
  async existsInProgram(brandId: string, programId: string, em: EntityManager): Promise<boolean> {
    const rows: unknown[] = await em.query(
      'SELECT 1 FROM reward_rules WHERE brand_id = $1 AND program_id = $2 LIMIT 1',
      [brandId, programId],
    );
    return rows.length > 0;
  }

  async updateForBrand(
    brandId: string,
    programId: string,
    id: string,
    changes: RewardRuleChanges,
    em: EntityManager,
  ): Promise<void> {
    await em.update(RewardRuleEntity, { brandId, programId, id }, changes);
  }

  /** Soft delete; a second call changes nothing (deactivatedAt keeps the first time). */
  async deactivate(brandId: string, programId: string, id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE reward_rules SET active = false, deactivated_at = now(), updated_at = now()
        WHERE brand_id = $1 AND program_id = $2 AND id = $3 AND active`,
      [brandId, programId, id],
    );
  }
}
