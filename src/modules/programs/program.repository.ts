import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { looksLikeId } from '@/common/ids';
import { CursorPosition } from '@/common/pagination/pagination';
import { ProgramEntity, ProgramGoal, ProgramStatus } from '@/modules/programs/program.entity';

export type NewProgram = Omit<ProgramEntity, 'createdAt' | 'updatedAt' | 'brand'>;
export type ProgramChanges = Partial<Omit<ProgramEntity, 'id' | 'brandId' | 'brand' | 'createdAt'>>;

export interface ProgramFilters {
  status?: ProgramStatus;
  goal?: ProgramGoal;
}

/**
 * Millisecond precision on purpose: the keyset cursor carries created_at as a JS Date (ms), and
 * microseconds left in the column would make `(created_at, id) < cursor` skip rows.
 */
export const CREATED_AT_MS = () => "date_trunc('milliseconds', now())";

@Injectable()
export class ProgramRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(program: NewProgram, em: EntityManager): Promise<ProgramEntity> {
    await em.insert(ProgramEntity, { ...program, createdAt: CREATED_AT_MS });
    return em.findOneByOrFail(ProgramEntity, { brandId: program.brandId, id: program.id });
  }

  findByIdForBrand(brandId: string, id: string, em?: EntityManager): Promise<ProgramEntity | null> {
    // Anything not shaped like an id (NUL bytes included) cannot exist: no query.
    if (!looksLikeId('program', id)) return Promise.resolve(null);
    return (em ?? this.dataSource.manager).findOneBy(ProgramEntity, { brandId, id });
  }

  /**
   * Reads and locks the program row for the rest of the transaction: `update` for changes to
   * the program itself, `share` for children (CTAs, rules) that depend on its status/currency.
   */
  lockByIdForBrand(
    brandId: string,
    id: string,
    mode: 'share' | 'update',
    em: EntityManager,
  ): Promise<ProgramEntity | null> {
    if (!looksLikeId('program', id)) return Promise.resolve(null);
    return em
      .createQueryBuilder(ProgramEntity, 'p')
      .where('p.brand_id = :brandId AND p.id = :id', { brandId, id })
      .setLock(mode === 'update' ? 'pessimistic_write' : 'pessimistic_read')
      .getOne();
  }

  listByBrand(
    brandId: string,
    filters: ProgramFilters,
    limit: number,
    after?: CursorPosition,
  ): Promise<ProgramEntity[]> {
    const qb = this.dataSource
      .getRepository(ProgramEntity)
      .createQueryBuilder('p')
      .where('p.brand_id = :brandId', { brandId })
      .orderBy('p.created_at', 'DESC')
      .addOrderBy('p.id', 'DESC')
      .limit(limit + 1);
    if (filters.status) qb.andWhere('p.status = :status', { status: filters.status });
    if (filters.goal) qb.andWhere('p.goal = :goal', { goal: filters.goal });
    if (after) qb.andWhere('(p.created_at, p.id) < (:k, :id)', { k: after.k, id: after.id });
    return qb.getMany();
  }

  async updateForBrand(
    brandId: string,
    id: string,
    changes: ProgramChanges,
    em: EntityManager,
  ): Promise<void> {
    await em.update(ProgramEntity, { brandId, id }, changes);
  }
}
