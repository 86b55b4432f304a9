import { MigrationInterface, QueryRunner } from 'typeorm';

const COUNTERS = [
  'clicks',
  'bot_clicks',
  'reach_program',
  'reach_channel',
  'reach_cta',
  'reach_advocate',
  'shares',
  'shares_reach',
  'impressions',
  'signups',
  'conversions',
  'revenue',
  'refunds',
  'new_customers',
  'cta_completions',
  'cta_value',
];
const COLUMNS = `"program_id", "grain", "bucket", "cta_id", "channel", "advocate_id", "brand_id",
              ${COUNTERS.map((c) => `"${c}"`).join(', ')}, "active_hours"`;
const SUMS = `${COUNTERS.map((c) => `sum("${c}")`).join(', ')}`;

// What a reward costs the program (KPI reward cost): see rewardCost in kpi-rollup.sql.ts.
const cost = (w: string) =>
  `CASE WHEN ${w}."clawback_of" IS NULL AND ${w}."status" IN ('pending', 'approved', 'paid')
        THEN COALESCE(${w}."amount", 0) - ${w}."reversed_amount" ELSE 0 END`;
const DELTA_COLUMNS = `"brand_id", "program_id", "advocate_id", "event_id", "occurred_at", "currency", "delta"`;
const KEYS = ['brand_id', 'program_id', 'advocate_id', 'event_id', 'occurred_at', 'currency'];
const keysOf = (w: string) => KEYS.map((k) => `${w}."${k}"`).join(', ');

export class KpiAdvocateDaysAndRewardCost1795813262518 implements MigrationInterface {
  name = 'KpiAdvocateDaysAndRewardCost1795813262518';

  // Generated: the reward cost queue and counter. Hand-written (the generator sees neither
  // partitions nor triggers): the daily advocate grain `a` gets its own partition of
  // kpi_rollups, filled from the daily rows with CTA and channel folded into ''; the hourly
  // advocate rows `h` fold them too (regrouped in place); triggers on rewards queue every
  // change of a reward's cost, and the cost of the rewards already there is queued once (the
  // service folds the queue into the rollups).
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "kpi_reward_cost_deltas" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "brand_id" text NOT NULL, "program_id" text NOT NULL, "advocate_id" text NOT NULL, "event_id" text NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "currency" character(3), "delta" bigint NOT NULL, CONSTRAINT "PK_3e8b3c9b3221f04898afbce9390" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "kpi_reward_cost_deltas_brand_idx" ON "kpi_reward_cost_deltas"  ("brand_id", "id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "kpi_rollups" ADD "reward_cost" bigint NOT NULL DEFAULT '0'`,
    );
    await queryRunner.query(
      `CREATE TABLE "kpi_rollups_advocate_day_total" PARTITION OF "kpi_rollups" FOR VALUES IN ('a') WITH (fillfactor = 80)`,
    );
    await queryRunner.query(
      `INSERT INTO "kpi_rollups" (${COLUMNS})
       SELECT "program_id", 'a', "bucket", '', '', "advocate_id", min("brand_id"), ${SUMS},
              bit_or("active_hours")
         FROM "kpi_rollups" WHERE "grain" = 'd'
        GROUP BY "program_id", "bucket", "advocate_id"
        ORDER BY 1, 3, 6`,
    );
    await queryRunner.query(
      `WITH "old" AS (DELETE FROM "kpi_rollups" WHERE "grain" = 'h' RETURNING *)
       INSERT INTO "kpi_rollups" (${COLUMNS})
       SELECT "program_id", 'h', "bucket", '', '', "advocate_id", min("brand_id"), ${SUMS}, 0
         FROM "old"
        GROUP BY "program_id", "bucket", "advocate_id"
        ORDER BY 1, 3, 6`,
    );
    // Inserts: one statement trigger (a batch of rewards queues its costs in one INSERT).
    await queryRunner.query(
      `CREATE FUNCTION "kpi_queue_new_reward_costs"() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         INSERT INTO "kpi_reward_cost_deltas" (${DELTA_COLUMNS})
         SELECT ${keysOf('n')}, ${cost('n')} FROM "new_rows" n WHERE ${cost('n')} <> 0
          ORDER BY n."id";
         RETURN NULL;
       END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "rewards_kpi_cost_insert" AFTER INSERT ON "rewards"
       REFERENCING NEW TABLE AS "new_rows"
       FOR EACH STATEMENT EXECUTE FUNCTION "kpi_queue_new_reward_costs"()`,
    );
    // Updates: a row trigger whose WHEN lets only cost changes through, so an update that
    // changes no cost (approval, payment: a million rows at once) captures and queues nothing.
    // A moved reward (never done today) takes its old cost off its old keys.
    await queryRunner.query(
      `CREATE FUNCTION "kpi_queue_changed_reward_cost"() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF (${keysOf('NEW')}) IS NOT DISTINCT FROM (${keysOf('OLD')}) THEN
           INSERT INTO "kpi_reward_cost_deltas" (${DELTA_COLUMNS})
           VALUES (${keysOf('NEW')}, ${cost('NEW')} - ${cost('OLD')});
         ELSE
           INSERT INTO "kpi_reward_cost_deltas" (${DELTA_COLUMNS})
           SELECT * FROM (VALUES (${keysOf('OLD')}, -(${cost('OLD')})),
                                 (${keysOf('NEW')}, ${cost('NEW')})) AS x
            WHERE x.column7 <> 0;
         END IF;
         RETURN NULL;
       END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "rewards_kpi_cost_update" AFTER UPDATE ON "rewards" FOR EACH ROW
       WHEN ((${cost('OLD')}) IS DISTINCT FROM (${cost('NEW')})
             OR (${keysOf('OLD')}) IS DISTINCT FROM (${keysOf('NEW')}))
       EXECUTE FUNCTION "kpi_queue_changed_reward_cost"()`,
    );
    await queryRunner.query(
      `INSERT INTO "kpi_reward_cost_deltas" (${DELTA_COLUMNS})
       SELECT ${keysOf('w')}, ${cost('w')} FROM "rewards" w WHERE ${cost('w')} <> 0
        ORDER BY w."created_at", w."id"`,
    );
  }

  // The hourly rows stay folded: per CTA and channel they can only be rebuilt from raw rows
  // (`npm run kpis:rebuild`).
  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "rewards_kpi_cost_update" ON "rewards"`);
    await queryRunner.query(`DROP TRIGGER "rewards_kpi_cost_insert" ON "rewards"`);
    await queryRunner.query(`DROP FUNCTION "kpi_queue_changed_reward_cost"()`);
    await queryRunner.query(`DROP FUNCTION "kpi_queue_new_reward_costs"()`);
    await queryRunner.query(`DROP TABLE "kpi_rollups_advocate_day_total"`);
    await queryRunner.query(`ALTER TABLE "kpi_rollups" DROP COLUMN "reward_cost"`);
    await queryRunner.query(`DROP INDEX "public"."kpi_reward_cost_deltas_brand_idx"`);
    await queryRunner.query(`DROP TABLE "kpi_reward_cost_deltas"`);
  }
}
