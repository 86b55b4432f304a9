import { MigrationInterface, QueryRunner } from 'typeorm';

export class Tracking1795439671072 implements MigrationInterface {
  name = 'Tracking1795439671072';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "shares" ("id" text NOT NULL, "brand_id" text NOT NULL, "program_id" text NOT NULL, "cta_id" text NOT NULL, "advocate_id" text NOT NULL, "channel" text NOT NULL, "post_url" text, "reach" bigint, "impressions" bigint, "shared_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b88473409066c43c2ccb1894a82" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "shares_brand_advocate_cta_idx" ON "shares"  ("brand_id", "advocate_id", "cta_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "shares_brand_program_created_idx" ON "shares"  ("brand_id", "program_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "shares_brand_created_idx" ON "shares"  ("brand_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "clicks" ("id" text NOT NULL, "brand_id" text NOT NULL, "program_id" text NOT NULL, "cta_id" text NOT NULL, "advocate_id" text NOT NULL, "link_id" text NOT NULL, "channel" text NOT NULL, "clicked_at" TIMESTAMP WITH TIME ZONE NOT NULL, "referrer_host" text, "ua_family" text NOT NULL, "is_bot" boolean NOT NULL, "is_first_visit" boolean NOT NULL, "visitor_hash" text NOT NULL, CONSTRAINT "PK_7765d7ffdeb0ed2675651020814" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "clicks_brand_program_clicked_idx" ON "clicks"  ("brand_id", "program_id", "clicked_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "clicks_link_visitor_idx" ON "clicks"  ("link_id", "brand_id", "visitor_hash") WHERE "is_bot" = false`,
    );
    await queryRunner.query(
      `ALTER TABLE "shares" ADD CONSTRAINT "FK_45e0d861495d952bf2f792ef05b" FOREIGN KEY ("program_id") REFERENCES "programs"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "shares" ADD CONSTRAINT "FK_6c0c2504569327480613340545f" FOREIGN KEY ("cta_id") REFERENCES "ctas"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "shares" ADD CONSTRAINT "FK_f15ac99623855a4d1c79be419b0" FOREIGN KEY ("advocate_id") REFERENCES "advocates"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "shares" DROP CONSTRAINT "FK_f15ac99623855a4d1c79be419b0"`,
    );
    await queryRunner.query(
      `ALTER TABLE "shares" DROP CONSTRAINT "FK_6c0c2504569327480613340545f"`,
    );
    await queryRunner.query(
      `ALTER TABLE "shares" DROP CONSTRAINT "FK_45e0d861495d952bf2f792ef05b"`,
    );
    await queryRunner.query(`DROP INDEX "public"."clicks_link_visitor_idx"`);
    await queryRunner.query(`DROP INDEX "public"."clicks_brand_program_clicked_idx"`);
    await queryRunner.query(`DROP TABLE "clicks"`);
    await queryRunner.query(`DROP INDEX "public"."shares_brand_created_idx"`);
    await queryRunner.query(`DROP INDEX "public"."shares_brand_program_created_idx"`);
    await queryRunner.query(`DROP INDEX "public"."shares_brand_advocate_cta_idx"`);
    await queryRunner.query(`DROP TABLE "shares"`);
  }
}
