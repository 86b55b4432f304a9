import { MigrationInterface, QueryRunner } from 'typeorm';

export class Payouts1795784040312 implements MigrationInterface {
  name = 'Payouts1795784040312';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "payout_batch_advocates" ("batch_id" text NOT NULL, "advocate_id" text NOT NULL, "brand_id" text NOT NULL, "amount" bigint NOT NULL, "reward_count" integer NOT NULL, "clawback_amount" bigint NOT NULL, "period_start" TIMESTAMP WITH TIME ZONE NOT NULL, "period_end" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_776a32387bbd9af5a98a97a81bb" PRIMARY KEY ("batch_id", "advocate_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "payout_batch_items" ("batch_id" text NOT NULL, "advocate_id" text NOT NULL, "reward_id" text NOT NULL, "brand_id" text NOT NULL, "amount" bigint NOT NULL, "released" boolean NOT NULL DEFAULT false, CONSTRAINT "PK_1bec3650b20c3ea3997be2090af" PRIMARY KEY ("batch_id", "advocate_id", "reward_id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "payout_batch_items_reward_key" ON "payout_batch_items"  ("reward_id") WHERE NOT "released"`,
    );
    await queryRunner.query(
      `CREATE TABLE "payout_batches" ("id" text NOT NULL, "brand_id" text NOT NULL, "status" text NOT NULL, "currency" character(3) NOT NULL, "cutoff" TIMESTAMP WITH TIME ZONE NOT NULL, "program_id" text, "minimum_amount" bigint, "idempotency_key" text, "request_hash" character(64) NOT NULL, "advocate_count" integer NOT NULL DEFAULT '0', "reward_count" integer NOT NULL DEFAULT '0', "total_amount" bigint NOT NULL DEFAULT '0', "clawback_amount" bigint NOT NULL DEFAULT '0', "carried_advocate_count" integer NOT NULL DEFAULT '0', "carried_amount" bigint NOT NULL DEFAULT '0', "reference" text, "exported_at" TIMESTAMP WITH TIME ZONE, "paid_at" TIMESTAMP WITH TIME ZONE, "canceled_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_aa57cb1e16d39cc0d41083145e4" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "payout_batches_brand_idempotency_key" ON "payout_batches"  ("brand_id", "idempotency_key") WHERE "idempotency_key" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "payout_batches_brand_created_idx" ON "payout_batches"  ("brand_id", "created_at", "id") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."payout_batches_brand_created_idx"`);
    await queryRunner.query(`DROP INDEX "public"."payout_batches_brand_idempotency_key"`);
    await queryRunner.query(`DROP TABLE "payout_batches"`);
    await queryRunner.query(`DROP INDEX "public"."payout_batch_items_reward_key"`);
    await queryRunner.query(`DROP TABLE "payout_batch_items"`);
    await queryRunner.query(`DROP TABLE "payout_batch_advocates"`);
  }
}
