import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RewardKind } from '@/modules/programs/reward-rule.entity';

@Injectable()
export class CouponCodeRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findRule(
    brandId: string,
    programId: string,
    ruleId: string,
  ): Promise<{ id: string; kind: RewardKind; active: boolean } | undefined> {
    const rows: { id: string; reward_kind: RewardKind; active: boolean }[] =
      await this.dataSource.query(
        `SELECT id, reward_kind, active FROM reward_rules WHERE brand_id = $1 AND program_id = $2 AND id = $3`,
        [brandId, programId, ruleId],
      );
    return rows[0]
      ? { id: rows[0].id, kind: rows[0].reward_kind, active: rows[0].active }
      : undefined;
  }

  /** Adds the codes not yet in the rule's pool; returns how many went in. */
  async addCodes(brandId: string, ruleId: string, codes: string[]): Promise<number> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO coupon_codes (rule_id, code, brand_id)
       SELECT $2, code, $1 FROM unnest($3::text[]) WITH ORDINALITY AS c(code, n) ORDER BY n
       ON CONFLICT (rule_id, code) DO NOTHING
       RETURNING code`,
      [brandId, ruleId, codes],
    );
    return rows.length;
  }

  async countByStatus(
    brandId: string,
    ruleId: string,
  ): Promise<{ available: number; assigned: number }> {
    const rows: { status: string; n: number }[] = await this.dataSource.query(
      `SELECT status, count(*)::int AS n FROM coupon_codes
        WHERE brand_id = $1 AND rule_id = $2 GROUP BY status`,
      [brandId, ruleId],
    );
    const of = (s: string) => rows.find((r) => r.status === s)?.n ?? 0;
    return { available: of('available'), assigned: of('assigned') };
  }
}
