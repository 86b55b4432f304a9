import { MigrationInterface, QueryRunner } from 'typeorm';

export class Kpis1795784704297 implements MigrationInterface {
  name = 'Kpis1795784704297';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "kpi_dirty_days" ("program_id" text NOT NULL, "day" date NOT NULL, "brand_id" text NOT NULL, "version" bigint NOT NULL DEFAULT '1', CONSTRAINT "PK_fd90f533dd8a879bfdfd96a4ff0" PRIMARY KEY ("program_id", "day"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "kpi_rollups" ("program_id" text NOT NULL, "grain" character(1) NOT NULL, "bucket" TIMESTAMP WITH TIME ZONE NOT NULL, "cta_id" text NOT NULL, "channel" text NOT NULL, "advocate_id" text NOT NULL, "brand_id" text NOT NULL, "clicks" integer NOT NULL DEFAULT '0', "bot_clicks" integer NOT NULL DEFAULT '0', "reach_program" integer NOT NULL DEFAULT '0', "reach_channel" integer NOT NULL DEFAULT '0', "reach_cta" integer NOT NULL DEFAULT '0', "reach_advocate" integer NOT NULL DEFAULT '0', "active_hours" integer NOT NULL DEFAULT '0', "shares" integer NOT NULL DEFAULT '0', "shares_reach" bigint NOT NULL DEFAULT '0', "impressions" bigint NOT NULL DEFAULT '0', "signups" integer NOT NULL DEFAULT '0', "conversions" integer NOT NULL DEFAULT '0', "revenue" bigint NOT NULL DEFAULT '0', "refunds" bigint NOT NULL DEFAULT '0', "new_customers" integer NOT NULL DEFAULT '0', "cta_completions" integer NOT NULL DEFAULT '0', "cta_value" bigint NOT NULL DEFAULT '0', CONSTRAINT "PK_9ef3bd0a975923638df6ecb94fc" PRIMARY KEY ("program_id", "grain", "bucket", "cta_id", "channel", "advocate_id")) PARTITION BY LIST ("grain")`,
    );
    // Hand-written: one partition per grain, so a read of one grain (the leaderboard's daily
    // rows) scans only that grain's rows, while writers still upsert every grain in one sorted
    // statement. The rows of the current hour are updated by every flush and event: free room
    // per page keeps those updates HOT (no new index entries).
    for (const [grain, name] of [
      ['c', 'kpi_rollups_cta_hour'],
      ['h', 'kpi_rollups_advocate_hour'],
      ['d', 'kpi_rollups_advocate_day'],
    ]) {
      await queryRunner.query(
        `CREATE TABLE "${name}" PARTITION OF "kpi_rollups" FOR VALUES IN ('${grain}') WITH (fillfactor = 80)`,
      );
    }
    await queryRunner.query(
      `CREATE TABLE "kpi_visitors" ("day" date NOT NULL, "program_id" text NOT NULL, "visitor_hash" text NOT NULL, "dim" text NOT NULL, "brand_id" text NOT NULL, "first_at" TIMESTAMP WITH TIME ZONE NOT NULL, "first_click_id" text NOT NULL, "cta_id" text NOT NULL, "channel" text NOT NULL, "advocate_id" text NOT NULL, "prev_at" TIMESTAMP WITH TIME ZONE, "prev_cta_id" text, "prev_channel" text, "prev_advocate_id" text, CONSTRAINT "PK_438033817a15e9d9cc1a29b4fd3" PRIMARY KEY ("day", "program_id", "visitor_hash", "dim"))`,
    );
    // Hand-written INCLUDE: reward cost is summed from this index alone (an index-only scan)
    // rather than from the rewards' rows.
    await queryRunner.query(
      `CREATE INDEX "rewards_program_occurred_idx" ON "rewards"  ("program_id", "occurred_at") INCLUDE ("advocate_id", "status", "currency", "amount", "reversed_amount", "clawback_of", "brand_id", "event_id")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."rewards_program_occurred_idx"`);
    await queryRunner.query(`DROP TABLE "kpi_visitors"`);
    await queryRunner.query(`DROP TABLE "kpi_rollups"`);
    await queryRunner.query(`DROP TABLE "kpi_dirty_days"`);
  }
}
