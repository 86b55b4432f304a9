import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { CursorPosition } from '@/common/pagination/pagination';
import { ApiKeyEntity, ApiKeyScope } from '@/modules/brands/api-key.entity';

export interface ActiveKeyRow {
  id: string;
  brandId: string;
  scopes: ApiKeyScope[];
}

@Injectable()
export class ApiKeyRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(
    key: Omit<ApiKeyEntity, 'createdAt' | 'lastUsedAt' | 'revokedAt' | 'brand'>,
    em?: EntityManager,
  ) {
    const manager = em ?? this.dataSource.manager;
    await manager.insert(ApiKeyEntity, key);
    return manager.findOneByOrFail(ApiKeyEntity, { id: key.id });
  }

  /** Hot path of every authenticated request: explicit SQL on the unique hash index. */
  async findActiveByHash(secretHash: string): Promise<ActiveKeyRow | undefined> {
    const rows: { id: string; brand_id: string; scopes: ApiKeyScope[] }[] =
      await this.dataSource.query(
        'SELECT id, brand_id, scopes FROM api_keys WHERE secret_hash = $1 AND revoked_at IS NULL',
        [secretHash],
      );
    const row = rows[0];
    return row ? { id: row.id, brandId: row.brand_id, scopes: row.scopes } : undefined;
  }

  /** Newest first; `cursorAt` is created_at as PostgreSQL text (exact to the microsecond). */
  async listByBrand(
    brandId: string,
    limit: number,
    after?: CursorPosition,
  ): Promise<(ApiKeyEntity & { cursorAt: string })[]> {
    const rows: Record<string, any>[] = await this.dataSource.query(
      `SELECT id, brand_id, name, scopes, prefix, created_at, last_used_at, revoked_at, created_at::text AS cursor_at
         FROM api_keys
        WHERE brand_id = $1
          AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::text))
        ORDER BY created_at DESC, id DESC
        LIMIT $4`,
      [brandId, after?.k ?? null, after?.id ?? null, limit + 1],
    );
    return rows.map((r) =>
      Object.assign(new ApiKeyEntity(), {
        id: r.id,
        brandId: r.brand_id,
        name: r.name,
        scopes: r.scopes,
        prefix: r.prefix,
        createdAt: r.created_at,
        lastUsedAt: r.last_used_at,
        revokedAt: r.revoked_at,
        cursorAt: r.cursor_at,
      }),
    );
  }

  findByIdForBrand(brandId: string, id: string): Promise<ApiKeyEntity | null> {
    return this.dataSource.getRepository(ApiKeyEntity).findOneBy({ brandId, id });
  }

  /**
   * Revokes unless it is the brand's last active admin key (a brand must never lock itself
   * out). Locks the brand's admin keys so two concurrent revocations cannot both pass.
   */
  async revoke(brandId: string, id: string): Promise<'revoked' | 'already_revoked' | 'last_admin'> {
    return this.dataSource.transaction(async (em) => {
      const adminKeys: { id: string }[] = await em.query(
        `SELECT id FROM api_keys WHERE brand_id = $1 AND revoked_at IS NULL AND 'admin' = ANY(scopes) FOR UPDATE`,
        [brandId],
      );
      const key: { revoked_at: Date | null; scopes: ApiKeyScope[] }[] = await em.query(
        'SELECT revoked_at, scopes FROM api_keys WHERE brand_id = $1 AND id = $2 FOR UPDATE',
        [brandId, id],
      );
      if (key[0]?.revoked_at) return 'already_revoked';
      if (key[0]?.scopes.includes('admin') && adminKeys.length <= 1) return 'last_admin';
      await em.query('UPDATE api_keys SET revoked_at = now() WHERE brand_id = $1 AND id = $2', [
        brandId,
        id,
      ]);
      return 'revoked';
    });
  }

  async touchLastUsed(id: string, at: Date): Promise<void> {
    await this.dataSource.query('UPDATE api_keys SET last_used_at = $2 WHERE id = $1', [id, at]);
  }
}
