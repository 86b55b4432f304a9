import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CursorPosition } from '@/common/pagination/pagination';
import {
  AdvocateEntity,
  type AdvocateStatus,
  type AdvocateTier,
  type SocialProfile,
} from '@/modules/advocates/advocate.entity';
import type { FieldSort, SortOrder } from '@/modules/advocates/dto/list-advocates.query';
import {
  advocateGroupsSql,
  GROUP_SUMS,
  SORT_EXPRESSIONS,
  type SortableKpi,
} from '@/modules/analytics/kpi-breakdown.repository';
import type { KpiPeriod } from '@/modules/analytics/kpi-period';

export interface AdvocateValues {
  externalId: string;
  email: string | null;
  emailNormalized: string | null;
  name: string | null;
  tier: AdvocateTier;
  socialProfiles: SocialProfile[];
  tags: string[];
  status: AdvocateStatus;
}

export type AdvocateChanges = Partial<AdvocateValues>;

export interface AdvocateFilters {
  status?: AdvocateStatus;
  tier?: AdvocateTier;
  tag?: string;
  programId?: string;
  search?: string;
}

/** A listed advocate with its position in the requested order (for the next cursor). */
export interface SortedAdvocate {
  advocate: AdvocateEntity;
  sortKey: string;
}

interface AdvocateRow {
  id: string;
  brand_id: string;
  external_id: string;
  email: string | null;
  email_normalized: string | null;
  name: string | null;
  tier: AdvocateTier;
  social_profiles: SocialProfile[];
  tags: string[];
  status: AdvocateStatus;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS: Record<keyof AdvocateValues, string> = {
  externalId: 'external_id',
  email: 'email',
  emailNormalized: 'email_normalized',
  name: 'name',
  tier: 'tier',
  socialProfiles: 'social_profiles',
  tags: 'tags',
  status: 'status',
};

// Keyset order per sort: the key expression, its text form for the cursor, and its SQL type.
// created_at is carried at full microsecond precision; a millisecond ISO string would skip rows.
const SORT_KEYS: Record<FieldSort, { expr: string; text: string; type: string }> = {
  createdAt: {
    expr: 'a.created_at',
    text: `to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    type: 'timestamptz',
  },
  name: { expr: `lower(COALESCE(a.name, ''))`, text: `lower(COALESCE(a.name, ''))`, type: 'text' },
  externalId: { expr: 'a.external_id', text: 'a.external_id', type: 'text' },
};

/** LIKE pattern matching `text` literally anywhere (escapes \, % and _). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

@Injectable()
export class AdvocateRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Throws the unique violation `advocates_brand_external_id_key` on a taken externalId. */
  async insert(brandId: string, id: string, values: AdvocateValues): Promise<AdvocateEntity> {
    const rows: AdvocateRow[] = await this.dataSource.query(
      `INSERT INTO advocates (id, brand_id, external_id, email, email_normalized, name, tier,
         social_profiles, tags, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::text[], $10)
       RETURNING *`,
      [
        id,
        brandId,
        values.externalId,
        values.email,
        values.emailNormalized,
        values.name,
        values.tier,
        JSON.stringify(values.socialProfiles),
        values.tags,
        values.status,
      ],
    );
    return toEntity(rows[0]!);
  }

  async findByIdForBrand(brandId: string, id: string): Promise<AdvocateEntity | null> {
    const rows: AdvocateRow[] = await this.dataSource.query(
      'SELECT * FROM advocates WHERE brand_id = $1 AND id = $2',
      [brandId, id],
    );
    return rows[0] ? toEntity(rows[0]) : null;
  }

  /** Null when the brand has no such advocate. Throws the unique violation on a taken externalId. */
  async updateForBrand(
    brandId: string,
    id: string,
    changes: AdvocateChanges,
  ): Promise<AdvocateEntity | null> {
    const params: unknown[] = [brandId, id];
    const sets: string[] = [];
    const differs: string[] = [];
    for (const [field, column] of Object.entries(COLUMNS) as [keyof AdvocateValues, string][]) {
      const value = changes[field];
      if (value === undefined) continue;
      params.push(field === 'socialProfiles' ? JSON.stringify(value) : value);
      const cast = field === 'socialProfiles' ? '::jsonb' : field === 'tags' ? '::text[]' : '';
      sets.push(`${column} = $${params.length}${cast}`);
      differs.push(`${column} IS DISTINCT FROM $${params.length}${cast}`);
    }
    // updatedAt moves only when a value does: an empty PATCH or the same values change nothing.
    const touched = differs.length
      ? `updated_at = CASE WHEN ${differs.join(' OR ')} THEN now() ELSE updated_at END`
      : 'updated_at = updated_at';
    // TypeORM answers an UPDATE with [rows, rowCount].
    const [rows]: [AdvocateRow[], number] = await this.dataSource.query(
      `UPDATE advocates SET ${[...sets, touched].join(', ')}
       WHERE brand_id = $1 AND id = $2
       RETURNING *`,
      params,
    );
    return rows[0] ? toEntity(rows[0]) : null;
  }

  /** One page (limit + 1 rows) in keyset order (key, id). */
  async listByBrand(
    brandId: string,
    filters: AdvocateFilters,
    sort: FieldSort,
    order: SortOrder,
    limit: number,
    after?: CursorPosition,
  ): Promise<SortedAdvocate[]> {
    const key = SORT_KEYS[sort];
    const params: unknown[] = [brandId];
    const param = binder(params);
    const where = filterConditions(filters, param);
    const dir = order === 'asc' ? 'ASC' : 'DESC';
    if (after) {
      const k = param(after.k);
      const id = param(after.id);
      where.push(`(${key.expr}, a.id) ${order === 'asc' ? '>' : '<'} (${k}::${key.type}, ${id})`);
    }
    const rows: (AdvocateRow & { sort_key: string })[] = await this.dataSource.query(
      `SELECT a.*, ${key.text} AS sort_key FROM advocates a
       WHERE ${where.join(' AND ')}
       ORDER BY ${key.expr} ${dir}, a.id ${dir}
       LIMIT ${param(limit + 1)}`,
      params,
    );
    return rows.map((row) => ({ advocate: toEntity(row), sortKey: row.sort_key }));
  }

  /**
   * One page (limit + 1 rows) of the advocates enrolled in a program, ranked by one of their
   * KPIs in that program over a period: the leaderboard's sums and formulas, advocates without
   * activity counted as zeros. A ratio over zero has no value and ranks last in either order;
   * ties by id in byte order, as on the leaderboard. `sortKey` is the exact value as text, null
   * for none.
   */
  async listByKpi(
    brandId: string,
    filters: AdvocateFilters & { programId: string },
    period: KpiPeriod,
    kpi: SortableKpi,
    order: SortOrder,
    limit: number,
    after?: { value: string | null; id: string },
  ): Promise<{ advocate: AdvocateEntity; sortKey: string | null }[]> {
    const params: unknown[] = [brandId];
    const param = binder(params);
    const where = filterConditions(filters, param);
    const refs = {
      brand: '$1',
      program: param(filters.programId),
      from: param(period.from),
      to: param(period.to),
    };
    const groups = advocateGroupsSql(refs, period, param);
    const sums = [...GROUP_SUMS, 'active_advocates'].map((c) => `COALESCE(g.${c}, 0) AS ${c}`);
    const dir = order === 'asc' ? 'ASC' : 'DESC';
    let keyset = 'true';
    if (after) {
      const id = `s.id COLLATE "C" > ${param(after.id)}`;
      if (after.value === null) keyset = `s.sv IS NULL AND ${id}`;
      else {
        const v = `${param(after.value)}::numeric`;
        keyset = `(s.sv IS NULL OR s.sv ${order === 'asc' ? '>' : '<'} ${v} OR s.sv = ${v} AND ${id})`;
      }
    }
    const rows: (AdvocateRow & { sort_key: string | null })[] = await this.dataSource.transaction(
      async (em) => {
        // As the leaderboard: the serial plan is the faster one on 2 cores.
        await em.query('SET LOCAL max_parallel_workers_per_gather = 0');
        return em.query(
          `WITH g AS (${groups}),
           s AS (SELECT x.*, (${SORT_EXPRESSIONS[kpi]})::numeric AS sv
                   FROM (SELECT a.*, ${sums.join(', ')}
                           FROM advocates a LEFT JOIN g ON g.k = a.id
                          WHERE ${where.join(' AND ')}) x)
           SELECT s.*, s.sv::text AS sort_key FROM s
            WHERE ${keyset}
            ORDER BY s.sv IS NULL, s.sv ${dir}, s.id COLLATE "C"
            LIMIT ${param(limit + 1)}`,
          params,
        );
      },
    );
    return rows.map((row) => ({ advocate: toEntity(row), sortKey: row.sort_key }));
  }
}

function binder(params: unknown[]): (value: unknown) => string {
  return (value) => {
    params.push(value);
    return `$${params.length}`;
  };
}

/** The WHERE conditions of the filters over `advocates a` (the brand is `$1`). */
function filterConditions(filters: AdvocateFilters, param: (value: unknown) => string): string[] {
  const where = ['a.brand_id = $1'];
  if (filters.status) where.push(`a.status = ${param(filters.status)}`);
  if (filters.tier) where.push(`a.tier = ${param(filters.tier)}`);
  if (filters.tag) where.push(`${param(filters.tag)}::text = ANY(a.tags)`);
  if (filters.programId) {
    where.push(
      `EXISTS (SELECT 1 FROM enrollments e WHERE e.brand_id = $1 AND e.advocate_id = a.id
         AND e.program_id = ${param(filters.programId)})`,
    );
  }
  if (filters.search) {
    const p = param(containsPattern(filters.search));
    where.push(
      `(a.name ILIKE ${p} ESCAPE '\\' OR a.email ILIKE ${p} ESCAPE '\\'
        OR a.external_id ILIKE ${p} ESCAPE '\\')`,
    );
  }
  return where;
}

function toEntity(row: AdvocateRow): AdvocateEntity {
  const entity = new AdvocateEntity();
  entity.id = row.id;
  entity.brandId = row.brand_id;
  entity.externalId = row.external_id;
  entity.email = row.email;
  entity.emailNormalized = row.email_normalized;
  entity.name = row.name;
  entity.tier = row.tier;
  entity.socialProfiles = row.social_profiles;
  entity.tags = row.tags;
  entity.status = row.status;
  entity.createdAt = row.created_at;
  entity.updatedAt = row.updated_at;
  return entity;
}
