import { MigrationInterface, QueryRunner } from 'typeorm';

export class KpiAdvocateWeeks1795794700000 implements MigrationInterface {
  name = 'KpiAdvocateWeeks1795794700000';

  // Hand-written (the generator does not see partitions): the weekly advocate grain `w` gets
  // its own partition of kpi_rollups, like the other grains, then is filled from the daily
  // rows (a `w` row is the sum of its week's `d` rows, CTA and channel folded into '').
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "kpi_rollups_advocate_week" PARTITION OF "kpi_rollups" FOR VALUES IN ('w') WITH (fillfactor = 80)`,
    );
    await queryRunner.query(
      `INSERT INTO "kpi_rollups" ("program_id", "grain", "bucket", "cta_id", "channel", "advocate_id", "brand_id",
              "clicks", "bot_clicks", "reach_program", "reach_channel", "reach_cta", "reach_advocate",
              "active_hours", "shares", "shares_reach", "impressions", "signups", "conversions",
              "revenue", "refunds", "new_customers", "cta_completions", "cta_value")
       SELECT "program_id", 'w', date_bin('7 days', "bucket", timestamptz '2000-01-03 00:00:00+00'),
              '', '', "advocate_id", min("brand_id"), sum("clicks"), sum("bot_clicks"),
              sum("reach_program"), sum("reach_channel"), sum("reach_cta"), sum("reach_advocate"),
              0, sum("shares"), sum("shares_reach"), sum("impressions"), sum("signups"),
              sum("conversions"), sum("revenue"), sum("refunds"), sum("new_customers"),
              sum("cta_completions"), sum("cta_value")
         FROM "kpi_rollups" WHERE "grain" = 'd'
        GROUP BY 1, 3, 6
        ORDER BY 1, 3, 6`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "kpi_rollups_advocate_week"`);
  }
}
