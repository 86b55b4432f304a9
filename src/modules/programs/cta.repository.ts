import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { looksLikeId } from '@/common/ids';
import { CursorPosition } from '@/common/pagination/pagination';
import { CtaEntity, CtaStatus } from '@/modules/programs/cta.entity';
import { CREATED_AT_MS } from '@/modules/programs/program.repository';

export type NewCta = Omit<CtaEntity, 'createdAt' | 'updatedAt' | 'program' | 'status'>;
export type CtaChanges = Partial<
  Pick<CtaEntity, 'channel' | 'action' | 'label' | 'valueAmount' | 'landingUrl' | 'status'>
>;

@Injectable()
export class CtaRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Inserts unless the program already has a CTA with this key (unique index
   * ctas_program_key_key): answers null then, without aborting the caller's transaction.
   */
  async insertUnlessKeyTaken(cta: NewCta, em: EntityManager): Promise<CtaEntity | null> {
    const result = await em
      .createQueryBuilder()
      .insert()
      .into(CtaEntity)
      .values({ ...cta, createdAt: CREATED_AT_MS })
      .orIgnore()
      .updateEntity(false)
      .returning('id')
      .execute();
    if ((result.raw as unknown[]).length === 0) return null;
    return em.findOneByOrFail(CtaEntity, { brandId: cta.brandId, id: cta.id });
  }

  findByIdForBrand(
    brandId: string,
    programId: string,
    id: string,
    em?: EntityManager,
  ): Promise<CtaEntity | null> {
    if (!looksLikeId('cta', id)) return Promise.resolve(null);
    return (em ?? this.dataSource.manager).findOneBy(CtaEntity, { brandId, programId, id });
  }

  listByProgram(
    brandId: string,
    programId: string,
    status: CtaStatus | undefined,
    limit: number,
    after?: CursorPosition,
  ): Promise<CtaEntity[]> {
    const qb = this.dataSource
      .getRepository(CtaEntity)
      .createQueryBuilder('c')
      .where('c.brand_id = :brandId AND c.program_id = :programId', { brandId, programId })
      .orderBy('c.created_at', 'DESC')
      .addOrderBy('c.id', 'DESC')
      .limit(limit + 1);
    if (status) qb.andWhere('c.status = :status', { status });
    if (after) qb.andWhere('(c.created_at, c.id) < (:k, :id)', { k: after.k, id: after.id });
    return qb.getMany();
  }

  /** Every CTA of the program, oldest first (the default copy-link CTA comes first). */
  listAllByProgram(brandId: string, programId: string, em?: EntityManager): Promise<CtaEntity[]> {
    return (em ?? this.dataSource.manager).find(CtaEntity, {
      where: { brandId, programId },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  async listKeysByProgram(
    brandId: string,
    programId: string,
    em: EntityManager,
  ): Promise<string[]> {
    const rows: { key: string }[] = await em.query(
      'SELECT key FROM ctas WHERE brand_id = $1 AND program_id = $2',
      [brandId, programId],
    );
    return rows.map((r) => r.key);
  }

  async existsWithValueInProgram(
    brandId: string,
    programId: string,
    em: EntityManager,
  ): Promise<boolean> {
    const rows: unknown[] = await em.query(
      'SELECT 1 FROM ctas WHERE brand_id = $1 AND program_id = $2 AND value_amount <> 0 LIMIT 1',
      [brandId, programId],
    );
    return rows.length > 0;
  }

  async updateForBrand(
    brandId: string,
    programId: string,
    id: string,
    changes: CtaChanges,
    em: EntityManager,
  ): Promise<void> {
    await em.update(CtaEntity, { brandId, programId, id }, changes);
  }
}
