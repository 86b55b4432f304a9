import { MigrationInterface, QueryRunner } from 'typeorm';

export class Configuration1795439330266 implements MigrationInterface {
  name = 'Configuration1795439330266';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "advocates" ("id" text NOT NULL, "brand_id" text NOT NULL, "external_id" text NOT NULL, "email" text, "email_normalized" text, "name" text, "tier" text NOT NULL DEFAULT 'customer', "social_profiles" jsonb NOT NULL DEFAULT '[]', "tags" text array NOT NULL DEFAULT '{}', "status" text NOT NULL DEFAULT 'active', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ffd87d342a3cafe13a01bb1f5c1" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "advocates_brand_email_idx" ON "advocates"  ("brand_id", "email_normalized") `,
    );
    await queryRunner.query(
      `CREATE INDEX "advocates_brand_created_idx" ON "advocates"  ("brand_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "advocates_brand_external_id_key" ON "advocates"  ("brand_id", "external_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "programs" ("id" text NOT NULL, "brand_id" text NOT NULL, "name" text NOT NULL, "status" text NOT NULL DEFAULT 'draft', "goal" text NOT NULL, "currency" character(3) NOT NULL, "starts_at" TIMESTAMP WITH TIME ZONE, "ends_at" TIMESTAMP WITH TIME ZONE, "landing_url" text NOT NULL, "attribution_window_days" integer NOT NULL DEFAULT '30', "attribution_model" text NOT NULL DEFAULT 'last_touch', "hold_days" integer NOT NULL DEFAULT '30', "budget_amount" bigint, "program_cost_amount" bigint, "minimum_payout_amount" bigint, "friend_offer" text, "kpi_weights" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d43c664bcaafc0e8a06dfd34e05" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "programs_brand_created_idx" ON "programs"  ("brand_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "enrollments" ("id" text NOT NULL, "brand_id" text NOT NULL, "program_id" text NOT NULL, "advocate_id" text NOT NULL, "code" text NOT NULL, "vanity" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_7c0f752f9fb68bf6ed7367ab00f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "enrollments_brand_advocate_idx" ON "enrollments"  ("brand_id", "advocate_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "enrollments_brand_code_key" ON "enrollments"  ("brand_id", "code") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "enrollments_program_advocate_key" ON "enrollments"  ("program_id", "advocate_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "ctas" ("id" text NOT NULL, "brand_id" text NOT NULL, "program_id" text NOT NULL, "key" text NOT NULL, "channel" text NOT NULL, "action" text NOT NULL, "label" text NOT NULL, "value_amount" bigint NOT NULL DEFAULT '0', "landing_url" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_abb966b5a27ddfc5c4b0ad9fb2e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ctas_brand_program_idx" ON "ctas"  ("brand_id", "program_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ctas_program_key_key" ON "ctas"  ("program_id", "key") `,
    );
    await queryRunner.query(
      `CREATE TABLE "links" ("id" text NOT NULL, "brand_id" text NOT NULL, "program_id" text NOT NULL, "cta_id" text NOT NULL, "advocate_id" text NOT NULL, "enrollment_id" text NOT NULL, "slug" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ecf17f4a741d3c5ba0b4c5ab4b6" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "links_cta_idx" ON "links"  ("cta_id") `);
    await queryRunner.query(
      `CREATE INDEX "links_brand_advocate_idx" ON "links"  ("brand_id", "advocate_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "links_enrollment_cta_key" ON "links"  ("enrollment_id", "cta_id") `,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "links_slug_key" ON "links"  ("slug") `);
    await queryRunner.query(
      `CREATE TABLE "reward_rules" ("id" text NOT NULL, "brand_id" text NOT NULL, "program_id" text NOT NULL, "trigger_event" text NOT NULL, "trigger_name" text, "recipient" text NOT NULL, "reward_kind" text NOT NULL, "amount" bigint, "percent" numeric(7,4), "max_amount" bigint, "currency" character(3), "conditions" jsonb NOT NULL DEFAULT '{}', "limits" jsonb NOT NULL DEFAULT '{}', "milestone_nth_referral" integer, "hold_days" integer, "description" text, "active" boolean NOT NULL DEFAULT true, "deactivated_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_7e75373e3325158b8745f3dde45" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "reward_rules_brand_program_idx" ON "reward_rules"  ("brand_id", "program_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "advocates" ADD CONSTRAINT "FK_90189a29f5d65bcc7e082aa9964" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "programs" ADD CONSTRAINT "FK_d8e5db5c594f2b52dca0203db84" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "enrollments" ADD CONSTRAINT "FK_46cbd5f5fcd422a898bfdf8aabb" FOREIGN KEY ("program_id") REFERENCES "programs"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "enrollments" ADD CONSTRAINT "FK_aa359098dda64181e365f734ecb" FOREIGN KEY ("advocate_id") REFERENCES "advocates"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "ctas" ADD CONSTRAINT "FK_7e1931f91165d99c304139736af" FOREIGN KEY ("program_id") REFERENCES "programs"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "links" ADD CONSTRAINT "FK_825afdf13d86ff8c3232377315b" FOREIGN KEY ("enrollment_id") REFERENCES "enrollments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "links" ADD CONSTRAINT "FK_bcd837fd59e28e5592e0d01fa54" FOREIGN KEY ("cta_id") REFERENCES "ctas"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "reward_rules" ADD CONSTRAINT "FK_fc0d1cd6288259d6d690e322c49" FOREIGN KEY ("program_id") REFERENCES "programs"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "reward_rules" DROP CONSTRAINT "FK_fc0d1cd6288259d6d690e322c49"`,
    );
    await queryRunner.query(`ALTER TABLE "links" DROP CONSTRAINT "FK_bcd837fd59e28e5592e0d01fa54"`);
    await queryRunner.query(`ALTER TABLE "links" DROP CONSTRAINT "FK_825afdf13d86ff8c3232377315b"`);
    await queryRunner.query(`ALTER TABLE "ctas" DROP CONSTRAINT "FK_7e1931f91165d99c304139736af"`);
    await queryRunner.query(
      `ALTER TABLE "enrollments" DROP CONSTRAINT "FK_aa359098dda64181e365f734ecb"`,
    );
    await queryRunner.query(
      `ALTER TABLE "enrollments" DROP CONSTRAINT "FK_46cbd5f5fcd422a898bfdf8aabb"`,
    );
    await queryRunner.query(
      `ALTER TABLE "programs" DROP CONSTRAINT "FK_d8e5db5c594f2b52dca0203db84"`,
    );
    await queryRunner.query(
      `ALTER TABLE "advocates" DROP CONSTRAINT "FK_90189a29f5d65bcc7e082aa9964"`,
    );
    await queryRunner.query(`DROP INDEX "public"."reward_rules_brand_program_idx"`);
    await queryRunner.query(`DROP TABLE "reward_rules"`);
    await queryRunner.query(`DROP INDEX "public"."links_slug_key"`);
    await queryRunner.query(`DROP INDEX "public"."links_enrollment_cta_key"`);
    await queryRunner.query(`DROP INDEX "public"."links_brand_advocate_idx"`);
    await queryRunner.query(`DROP INDEX "public"."links_cta_idx"`);
    await queryRunner.query(`DROP TABLE "links"`);
    await queryRunner.query(`DROP INDEX "public"."ctas_program_key_key"`);
    await queryRunner.query(`DROP INDEX "public"."ctas_brand_program_idx"`);
    await queryRunner.query(`DROP TABLE "ctas"`);
    await queryRunner.query(`DROP INDEX "public"."enrollments_program_advocate_key"`);
    await queryRunner.query(`DROP INDEX "public"."enrollments_brand_code_key"`);
    await queryRunner.query(`DROP INDEX "public"."enrollments_brand_advocate_idx"`);
    await queryRunner.query(`DROP TABLE "enrollments"`);
    await queryRunner.query(`DROP INDEX "public"."programs_brand_created_idx"`);
    await queryRunner.query(`DROP TABLE "programs"`);
    await queryRunner.query(`DROP INDEX "public"."advocates_brand_external_id_key"`);
    await queryRunner.query(`DROP INDEX "public"."advocates_brand_created_idx"`);
    await queryRunner.query(`DROP INDEX "public"."advocates_brand_email_idx"`);
    await queryRunner.query(`DROP TABLE "advocates"`);
  }
}
