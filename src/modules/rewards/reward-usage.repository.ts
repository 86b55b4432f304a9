import { toSafeInteger } from '@/common/money/money';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { CapUsage } from '@/modules/rewards/rule-evaluation';

// A reward counts against limits and budgets while live, net of what refunds took back.
const LIVE = `status IN ('pending', 'approved', 'paid', 'held') AND clawback_of IS NULL`;

export interface AdvocateUsage {
  total: CapUsage;
  /** By UTC month `YYYY-MM`. */
  months: Map<string, CapUsage>;
}

export interface Tally {
  key: string;
  count: number;
  amount: number;
  basis: string;
}

export const usageKey = (a: string, b: string) => `${a}|${b}`;

/**
 * Counting for limits, budgets and milestones, race-safe: callers lock first (enrollment rows
 * for an advocate's limits and conversions, tally rows for budgets), then read, inside the
 * event transaction, so two transactions never count the same room twice.
 */
@Injectable()
export class RewardUsageRepository {
  /** Serialises rewards of one advocate in one program (FOR NO KEY UPDATE: foreign keys pass). */
  async lockEnrollments(
    em: EntityManager,
    brandId: string,
    pairs: { programId: string; advocateId: string }[],
  ): Promise<void> {
    if (pairs.length === 0) return;
    await em.query(
      `SELECT e.id FROM enrollments e
         JOIN unnest($2::text[], $3::text[]) AS w(program_id, advocate_id)
           ON e.program_id = w.program_id AND e.advocate_id = w.advocate_id
        WHERE e.brand_id = $1
        ORDER BY e.id
          FOR NO KEY UPDATE OF e`,
      [brandId, pairs.map((p) => p.programId), pairs.map((p) => p.advocateId)],
    );
  }

  /** Live rewards per (rule, advocate) and converted referrals per (program, advocate). */
  async findAdvocateUsage(
    em: EntityManager,
    brandId: string,
    ruleIds: string[],
    programIds: string[],
    advocateIds: string[],
  ): Promise<{ rewards: Map<string, AdvocateUsage>; conversions: Map<string, number> }> {
    const rows: {
      usage: {
        rule_id: string;
        advocate_id: string;
        month: string;
        count: number;
        amount: number;
      }[];
      conversions: { program_id: string; advocate_id: string; count: number }[];
    }[] = await em.query(
      `SELECT
         (SELECT coalesce(json_agg(u), '[]') FROM (
            SELECT rule_id, advocate_id, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month,
                   count(*) FILTER (WHERE amount IS NULL OR amount = 0 OR reversed_amount < amount)::int AS count,
                   coalesce(sum(coalesce(amount, 0) - reversed_amount), 0)::bigint AS amount
              FROM rewards
             WHERE brand_id = $1 AND rule_id = ANY($2::text[]) AND advocate_id = ANY($4::text[])
               AND ${LIVE}
             GROUP BY 1, 2, 3) u) AS usage,
         (SELECT coalesce(json_agg(c), '[]') FROM (
            SELECT program_id, advocate_id, count(*)::int AS count FROM referrals
             WHERE brand_id = $1 AND program_id = ANY($3::text[]) AND advocate_id = ANY($4::text[])
               AND status = 'converted'
             GROUP BY 1, 2) c) AS conversions`,
      [brandId, ruleIds, programIds, advocateIds],
    );
    const rewards = new Map<string, AdvocateUsage>();
    for (const u of rows[0]!.usage) {
      const key = usageKey(u.rule_id, u.advocate_id);
      const entry = rewards.get(key) ?? { total: { count: 0, amount: 0 }, months: new Map() };
      const amount = toSafeInteger(u.amount);
      entry.total = { count: entry.total.count + u.count, amount: entry.total.amount + amount };
      entry.months.set(u.month, { count: u.count, amount });
      rewards.set(key, entry);
    }
    const conversions = new Map<string, number>(
      rows[0]!.conversions.map((c) => [usageKey(c.program_id, c.advocate_id), c.count]),
    );
    return { rewards, conversions };
  }

  /** Creates missing tally rows and locks all of them (sorted: no deadlock between batches). */
  async lockTallies(
    em: EntityManager,
    brandId: string,
    keys: string[],
  ): Promise<Map<string, Tally>> {
    if (keys.length === 0) return new Map();
    const rows: { key: string; count: string; amount: string; basis: string }[] = await em.query(
      `INSERT INTO reward_tallies (key, brand_id, count, amount, basis)
       SELECT k, $1, 0, 0, '' FROM unnest($2::text[]) AS k ORDER BY k
       ON CONFLICT (key) DO UPDATE SET basis = reward_tallies.basis
       RETURNING key, count, amount, basis`,
      [brandId, [...new Set(keys)].sort()],
    );
    return new Map(
      rows.map((r) => [
        r.key,
        { key: r.key, count: Number(r.count), amount: toSafeInteger(r.amount), basis: r.basis },
      ]),
    );
  }

  /** Rebuilds a program's budget tally: its money rewards in the program currency. */
  async sumProgramSpend(
    em: EntityManager,
    brandId: string,
    programId: string,
    currency: string,
  ): Promise<{ count: number; amount: number }> {
    const rows: { count: string; amount: string }[] = await em.query(
      `SELECT count(*) AS count, coalesce(sum(coalesce(amount, 0) - reversed_amount), 0) AS amount
         FROM rewards
        WHERE brand_id = $1 AND program_id = $2 AND currency = $3 AND kind <> 'points' AND ${LIVE}`,
      [brandId, programId, currency],
    );
    return { count: Number(rows[0]!.count), amount: Number(rows[0]!.amount) };
  }

  /** Rebuilds a rule's budget tally. */
  async sumRuleSpend(
    em: EntityManager,
    brandId: string,
    ruleId: string,
  ): Promise<{ count: number; amount: number }> {
    const rows: { count: string; amount: string }[] = await em.query(
      `SELECT count(*) AS count, coalesce(sum(coalesce(amount, 0) - reversed_amount), 0) AS amount
         FROM rewards WHERE brand_id = $1 AND rule_id = $2 AND ${LIVE}`,
      [brandId, ruleId],
    );
    return { count: Number(rows[0]!.count), amount: Number(rows[0]!.amount) };
  }

  /**
   * Up to `count` available pool codes per rule, oldest first, locked; codes another transaction
   * holds are skipped (SKIP LOCKED), so concurrent events never get the same code. The caller
   * marks the ones it uses as assigned; the others are released at commit.
   */
  async lockPoolCodes(
    em: EntityManager,
    brandId: string,
    wants: { ruleId: string; count: number }[],
  ): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const want of wants) {
      const rows: { code: string }[] = await em.query(
        `SELECT code FROM coupon_codes
          WHERE rule_id = $2 AND brand_id = $1 AND status = 'available'
          ORDER BY created_at, code
          LIMIT $3
            FOR UPDATE SKIP LOCKED`,
        [brandId, want.ruleId, want.count],
      );
      out.set(
        want.ruleId,
        rows.map((r) => r.code),
      );
    }
    return out;
  }
}
