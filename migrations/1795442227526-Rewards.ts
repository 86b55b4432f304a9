import { MigrationInterface, QueryRunner } from 'typeorm';

export class Rewards1795442227526 implements MigrationInterface {
  name = 'Rewards1795442227526';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "referrals" ("id" text NOT NULL, "brand_id" text NOT NULL, "program_id" text NOT NULL, "customer_id" text NOT NULL, "advocate_id" text NOT NULL, "status" text NOT NULL, "reason" text, "method" text NOT NULL, "cta_id" text, "channel" text, "click_id" text, "new_customer" boolean NOT NULL, "first_event_id" text NOT NULL, "converted_event_id" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "converted_at" TIMESTAMP WITH TIME ZONE, "rejected_at" TIMESTAMP WITH TIME ZONE, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ea9980e34f738b6252817326c08" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "referrals_brand_rejected_idx" ON "referrals"  ("brand_id", "rejected_at", "id") WHERE "status" = 'rejected'`,
    );
    await queryRunner.query(
      `CREATE INDEX "referrals_program_advocate_status_idx" ON "referrals"  ("program_id", "advocate_id", "status") `,
    );
    await queryRunner.query(
      `CREATE INDEX "referrals_brand_customer_idx" ON "referrals"  ("brand_id", "customer_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "referrals_program_customer_key" ON "referrals"  ("program_id", "customer_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "customers" ("id" text NOT NULL, "brand_id" text NOT NULL, "external_id" text NOT NULL, "email_normalized" text, "first_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "purchases" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_133ec679a801fab5e070f73d3ea" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "customers_brand_external_id_key" ON "customers"  ("brand_id", "external_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "events" ("id" text NOT NULL, "brand_id" text NOT NULL, "event_id" text NOT NULL, "type" text NOT NULL, "name" text, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "customer_external_id" text, "order_id" text, "order_amount" bigint, "order_currency" character(3), "click_id" text, "code" text, "cta_key" text, "metadata" jsonb, "request_hash" character(64) NOT NULL, "status" text, "reason" text, "method" text, "program_id" text, "advocate_id" text, "cta_id" text, "channel" text, "referral_id" text, "clicked_at" TIMESTAMP WITH TIME ZONE, "answer" jsonb, CONSTRAINT "PK_40731c7151fe4be3116e45ddf73" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "events_brand_order_idx" ON "events"  ("brand_id", "order_id") WHERE "order_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "events_brand_customer_click_idx" ON "events"  ("brand_id", "customer_external_id") WHERE "click_id" IS NOT NULL`,
    );
    // Hand-written: room in every page for the HOT update that records each event's decision.
    await queryRunner.query(`ALTER TABLE "events" SET (fillfactor = 80)`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "events_brand_event_id_key" ON "events"  ("brand_id", "event_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "coupon_codes" ("rule_id" text NOT NULL, "code" text NOT NULL, "brand_id" text NOT NULL, "status" text NOT NULL DEFAULT 'available', "reward_id" text, "assigned_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_164a3ac32359413fc54da7e32d4" PRIMARY KEY ("rule_id", "code"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "coupon_codes_available_idx" ON "coupon_codes"  ("rule_id", "created_at") WHERE "status" = 'available'`,
    );
    await queryRunner.query(
      `CREATE TABLE "reward_tallies" ("key" text NOT NULL, "brand_id" text NOT NULL, "count" bigint NOT NULL DEFAULT '0', "amount" bigint NOT NULL DEFAULT '0', "basis" text NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_0a10e2071db9c0f8786ca0f753f" PRIMARY KEY ("key"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "rewards" ("id" text NOT NULL, "brand_id" text NOT NULL, "program_id" text NOT NULL, "rule_id" text NOT NULL, "event_id" text NOT NULL, "referral_id" text, "advocate_id" text NOT NULL, "customer_id" text, "recipient" text NOT NULL, "kind" text NOT NULL, "amount" bigint, "reversed_amount" bigint NOT NULL DEFAULT '0', "currency" character(3), "percent" numeric(7,4), "coupon_code" text, "status" text NOT NULL, "reason" text, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "available_at" TIMESTAMP WITH TIME ZONE NOT NULL, "approved_at" TIMESTAMP WITH TIME ZONE, "paid_at" TIMESTAMP WITH TIME ZONE, "reversed_at" TIMESTAMP WITH TIME ZONE, "rejected_at" TIMESTAMP WITH TIME ZONE, "payout_batch_id" text, "clawback_of" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_3d947441a48debeb9b7366f8b8c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "rewards_brand_held_idx" ON "rewards"  ("brand_id", "created_at", "id") WHERE "status" = 'held'`,
    );
    await queryRunner.query(`CREATE INDEX "rewards_program_idx" ON "rewards"  ("program_id") `);
    await queryRunner.query(
      `CREATE INDEX "rewards_rule_advocate_idx" ON "rewards"  ("rule_id", "advocate_id", "occurred_at") `,
    );
    await queryRunner.query(`CREATE INDEX "rewards_event_idx" ON "rewards"  ("event_id") `);
    await queryRunner.query(
      `CREATE INDEX "rewards_pending_available_idx" ON "rewards"  ("available_at") WHERE "status" = 'pending'`,
    );
    await queryRunner.query(
      `CREATE INDEX "rewards_brand_created_idx" ON "rewards"  ("brand_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "rewards_rule_event_recipient_key" ON "rewards"  ("rule_id", "event_id", "recipient") `,
    );
    await queryRunner.query(
      `ALTER TABLE "coupon_codes" ADD CONSTRAINT "FK_044cba0612acdd65640670bf43b" FOREIGN KEY ("rule_id") REFERENCES "reward_rules"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "coupon_codes" DROP CONSTRAINT "FK_044cba0612acdd65640670bf43b"`,
    );
    await queryRunner.query(`DROP INDEX "public"."rewards_rule_event_recipient_key"`);
    await queryRunner.query(`DROP INDEX "public"."rewards_brand_created_idx"`);
    await queryRunner.query(`DROP INDEX "public"."rewards_pending_available_idx"`);
    await queryRunner.query(`DROP INDEX "public"."rewards_event_idx"`);
    await queryRunner.query(`DROP INDEX "public"."rewards_rule_advocate_idx"`);
    await queryRunner.query(`DROP INDEX "public"."rewards_program_idx"`);
    await queryRunner.query(`DROP INDEX "public"."rewards_brand_held_idx"`);
    await queryRunner.query(`DROP TABLE "rewards"`);
    await queryRunner.query(`DROP TABLE "reward_tallies"`);
    await queryRunner.query(`DROP INDEX "public"."coupon_codes_available_idx"`);
    await queryRunner.query(`DROP TABLE "coupon_codes"`);
    await queryRunner.query(`DROP INDEX "public"."events_brand_event_id_key"`);
    await queryRunner.query(`DROP INDEX "public"."events_brand_customer_click_idx"`);
    await queryRunner.query(`DROP INDEX "public"."events_brand_order_idx"`);
    await queryRunner.query(`DROP TABLE "events"`);
    await queryRunner.query(`DROP INDEX "public"."customers_brand_external_id_key"`);
    await queryRunner.query(`DROP TABLE "customers"`);
    await queryRunner.query(`DROP INDEX "public"."referrals_program_customer_key"`);
    await queryRunner.query(`DROP INDEX "public"."referrals_brand_customer_idx"`);
    await queryRunner.query(`DROP INDEX "public"."referrals_program_advocate_status_idx"`);
    await queryRunner.query(`DROP INDEX "public"."referrals_brand_rejected_idx"`);
    await queryRunner.query(`DROP TABLE "referrals"`);
  }
}
