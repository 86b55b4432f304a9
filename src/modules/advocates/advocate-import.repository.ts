import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { newId } from '@/common/ids';
import type {
  AdvocateStatus,
  AdvocateTier,
  SocialProfile,
} from '@/modules/advocates/advocate.entity';
import type { Channel } from '@/modules/programs/cta.entity';

/**
 * One advocate to create or update by externalId. An undefined field is not given: a new
 * advocate gets the default, an existing one keeps its value.
 */
export interface AdvocateUpsert {
  externalId: string;
  email?: string | null;
  emailNormalized?: string | null;
  name?: string | null;
  tier?: AdvocateTier;
  status?: AdvocateStatus;
  tags?: string[];
  /** Replaces the stored profiles of the imported channels; other channels' profiles stay. */
  socialProfiles?: SocialProfile[];
}

export interface UpsertOutcome {
  externalId: string;
  inserted: boolean;
}

type UpdatableField = 'email' | 'name' | 'tier' | 'status' | 'tags' | 'socialProfiles';
const UPDATABLE: UpdatableField[] = ['email', 'name', 'tier', 'status', 'tags', 'socialProfiles'];

/** Per field: the column and its new value (evaluated on the stored row, `a`). */
const NEW_VALUES: Record<UpdatableField, [column: string, value: string][]> = {
  email: [
    ['email', 'EXCLUDED.email'],
    ['email_normalized', 'EXCLUDED.email_normalized'],
  ],
  name: [['name', 'EXCLUDED.name']],
  tier: [['tier', 'EXCLUDED.tier']],
  status: [['status', 'EXCLUDED.status']],
  tags: [['tags', 'EXCLUDED.tags']],
  // $3 = the imported channels: their stored profiles give way to the file's, the rest stay.
  socialProfiles: [
    [
      'social_profiles',
      `COALESCE((
      SELECT jsonb_agg(p.profile ORDER BY p.position)
      FROM jsonb_array_elements(a.social_profiles) WITH ORDINALITY AS p(profile, position)
      WHERE NOT (p.profile->>'channel' = ANY($3::text[]))
    ), '[]'::jsonb) || EXCLUDED.social_profiles`,
    ],
  ],
};

/** The SET list of an upsert giving these fields; updatedAt moves only if a value changes. */
function setClauses(fields: UpdatableField[]): string {
  const pairs = fields.flatMap((f) => NEW_VALUES[f]);
  const changed = `ROW(${pairs.map(([, v]) => v).join(', ')})
    IS DISTINCT FROM ROW(${pairs.map(([c]) => `a.${c}`).join(', ')})`;
  return [
    ...pairs.map(([c, v]) => `${c} = ${v}`),
    `updated_at = CASE WHEN ${changed} THEN now() ELSE a.updated_at END`,
  ].join(',\n');
}

@Injectable()
export class AdvocateImportRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Creates or updates each advocate of the brand by externalId, in one transaction. The
   * externalIds must be distinct (Postgres refuses to update one row twice in a statement).
   * Rows are grouped by the fields they give, one INSERT … ON CONFLICT per group.
   */
  upsertBatchForBrand(
    brandId: string,
    upserts: AdvocateUpsert[],
    channels: Channel[],
  ): Promise<UpsertOutcome[]> {
    const groups = new Map<string, { fields: UpdatableField[]; rows: AdvocateUpsert[] }>();
    for (const upsert of upserts) {
      const fields = UPDATABLE.filter((f) => upsert[f] !== undefined);
      const key = fields.join(',');
      const group = groups.get(key) ?? { fields, rows: [] };
      group.rows.push(upsert);
      groups.set(key, group);
    }
    return this.dataSource.transaction(async (em) => {
      const outcomes: UpsertOutcome[] = [];
      for (const { fields, rows } of groups.values()) {
        outcomes.push(...(await this.upsertGroup(em, brandId, fields, rows, channels)));
      }
      return outcomes;
    });
  }

  private async upsertGroup(
    em: EntityManager,
    brandId: string,
    fields: UpdatableField[],
    upserts: AdvocateUpsert[],
    channels: Channel[],
  ): Promise<UpsertOutcome[]> {
    const records = upserts.map((u) => ({
      id: newId('advocate'),
      external_id: u.externalId,
      email: u.email,
      email_normalized: u.emailNormalized,
      name: u.name,
      tier: u.tier,
      status: u.status,
      tags: u.tags,
      social_profiles: u.socialProfiles,
    }));
    // Without a given field there is nothing to change; the no-op still reports the row.
    const sets = fields.length ? setClauses(fields) : 'external_id = a.external_id';
    const params: unknown[] = [brandId, JSON.stringify(records)];
    if (fields.includes('socialProfiles')) params.push(channels);
    // Sorted by externalId so concurrent imports lock rows in one order (no deadlock).
    const rows: { external_id: string; inserted: boolean }[] = await em.query(
      `INSERT INTO advocates AS a (id, brand_id, external_id, email, email_normalized, name, tier,
         status, tags, social_profiles)
       SELECT r.id, $1, r.external_id, r.email, r.email_normalized, r.name,
         COALESCE(r.tier, 'customer'), COALESCE(r.status, 'active'), COALESCE(r.tags, '{}'),
         COALESCE(r.social_profiles, '[]'::jsonb)
       FROM jsonb_to_recordset($2::jsonb) AS r(id text, external_id text, email text,
         email_normalized text, name text, tier text, status text, tags text[],
         social_profiles jsonb)
       ORDER BY r.external_id
       ON CONFLICT (brand_id, external_id) DO UPDATE SET ${sets}
       RETURNING a.external_id, (a.xmax = 0) AS inserted`,
      params,
    );
    return rows.map((r) => ({ externalId: r.external_id, inserted: r.inserted }));
  }
}
