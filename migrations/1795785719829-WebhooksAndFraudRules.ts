import { MigrationInterface, QueryRunner } from 'typeorm';

export class WebhooksAndFraudRules1795785719829 implements MigrationInterface {
  name = 'WebhooksAndFraudRules1795785719829';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "program_fraud_rules" ("program_id" text NOT NULL, "brand_id" text NOT NULL, "rules" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b6f96ea22633b38c2887ee2c53d" PRIMARY KEY ("program_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "webhook_endpoints" ("id" text NOT NULL, "brand_id" text NOT NULL, "url" text NOT NULL, "description" text, "event_types" text array NOT NULL, "secret_ciphertext" text NOT NULL, "secret_hint" text NOT NULL, "enabled" boolean NOT NULL DEFAULT true, "disabled_reason" text, "disabled_at" TIMESTAMP WITH TIME ZONE, "consecutive_failures" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_054c4cfb95223732f5939d2d546" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "webhook_endpoints_brand_enabled_idx" ON "webhook_endpoints"  ("brand_id") WHERE "enabled"`,
    );
    await queryRunner.query(
      `CREATE INDEX "webhook_endpoints_brand_created_idx" ON "webhook_endpoints"  ("brand_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "webhook_events" ("id" text NOT NULL, "brand_id" text NOT NULL, "type" text NOT NULL, "ordering_key" text NOT NULL, "payload" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_4cba37e6a0acb5e1fc49c34ebfd" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "webhook_events_created_idx" ON "webhook_events"  ("created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "webhook_deliveries" ("id" text NOT NULL, "brand_id" text NOT NULL, "endpoint_id" text NOT NULL, "event_id" text NOT NULL, "event_type" text NOT NULL, "ordering_key" text NOT NULL, "seq" BIGSERIAL NOT NULL, "status" text NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL, "retry_until" TIMESTAMP WITH TIME ZONE NOT NULL, "locked_until" TIMESTAMP WITH TIME ZONE, "last_attempt_at" TIMESTAMP WITH TIME ZONE, "last_status_code" integer, "last_error" text, "delivered_at" TIMESTAMP WITH TIME ZONE, "failed_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_535dd409947fb6d8fc6dfc0112a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "webhook_deliveries_event_idx" ON "webhook_deliveries"  ("event_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "webhook_deliveries_endpoint_seq_idx" ON "webhook_deliveries"  ("endpoint_id", "seq") `,
    );
    await queryRunner.query(
      `CREATE INDEX "webhook_deliveries_order_idx" ON "webhook_deliveries"  ("endpoint_id", "ordering_key", "seq") WHERE "status" = 'pending'`,
    );
    await queryRunner.query(
      `CREATE INDEX "webhook_deliveries_due_idx" ON "webhook_deliveries"  ("next_attempt_at", "seq") WHERE "status" = 'pending'`,
    );
    await queryRunner.query(
      `CREATE TABLE "webhook_attempts" ("id" text NOT NULL, "brand_id" text NOT NULL, "delivery_id" text NOT NULL, "attempt" integer NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "duration_ms" integer NOT NULL, "status_code" integer, "response_excerpt" text, "error" text, "success" boolean NOT NULL, CONSTRAINT "PK_2de7e7887ad97de459adab62638" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "webhook_attempts_delivery_idx" ON "webhook_attempts"  ("delivery_id", "attempt") `,
    );
    await queryRunner.query(`ALTER TABLE "referrals" ADD "review_status" text`);
    await queryRunner.query(`ALTER TABLE "referrals" ADD "review_reasons" jsonb`);
    await queryRunner.query(`ALTER TABLE "referrals" ADD "held_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "referrals" ADD "reviewed_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "referrals" ADD "review_note" text`);
    await queryRunner.query(
      `CREATE INDEX "referrals_brand_advocate_created_idx" ON "referrals"  ("brand_id", "advocate_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "referrals_brand_held_idx" ON "referrals"  ("brand_id", "held_at", "id") WHERE "review_status" = 'held'`,
    );
    await queryRunner.query(
      `CREATE INDEX "customers_brand_email_idx" ON "customers"  ("brand_id", "email_normalized") WHERE "email_normalized" IS NOT NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "program_fraud_rules" ADD CONSTRAINT "FK_b6f96ea22633b38c2887ee2c53d" FOREIGN KEY ("program_id") REFERENCES "programs"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "FK_a88f669077c41efa483c36a7c7a" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "FK_0b882c26a9b91c26e6e86b4867c" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "FK_27d1ee90033bdafe0ffe8f1be6f" FOREIGN KEY ("event_id") REFERENCES "webhook_events"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_attempts" ADD CONSTRAINT "FK_0d56d91d61b827bb2079c256538" FOREIGN KEY ("delivery_id") REFERENCES "webhook_deliveries"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "webhook_attempts" DROP CONSTRAINT "FK_0d56d91d61b827bb2079c256538"`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "FK_27d1ee90033bdafe0ffe8f1be6f"`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "FK_0b882c26a9b91c26e6e86b4867c"`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_endpoints" DROP CONSTRAINT "FK_a88f669077c41efa483c36a7c7a"`,
    );
    await queryRunner.query(
      `ALTER TABLE "program_fraud_rules" DROP CONSTRAINT "FK_b6f96ea22633b38c2887ee2c53d"`,
    );
    await queryRunner.query(`DROP INDEX "public"."customers_brand_email_idx"`);
    await queryRunner.query(`DROP INDEX "public"."referrals_brand_held_idx"`);
    await queryRunner.query(`DROP INDEX "public"."referrals_brand_advocate_created_idx"`);
    await queryRunner.query(`ALTER TABLE "referrals" DROP COLUMN "review_note"`);
    await queryRunner.query(`ALTER TABLE "referrals" DROP COLUMN "reviewed_at"`);
    await queryRunner.query(`ALTER TABLE "referrals" DROP COLUMN "held_at"`);
    await queryRunner.query(`ALTER TABLE "referrals" DROP COLUMN "review_reasons"`);
    await queryRunner.query(`ALTER TABLE "referrals" DROP COLUMN "review_status"`);
    await queryRunner.query(`DROP INDEX "public"."webhook_attempts_delivery_idx"`);
    await queryRunner.query(`DROP TABLE "webhook_attempts"`);
    await queryRunner.query(`DROP INDEX "public"."webhook_deliveries_due_idx"`);
    await queryRunner.query(`DROP INDEX "public"."webhook_deliveries_order_idx"`);
    await queryRunner.query(`DROP INDEX "public"."webhook_deliveries_endpoint_seq_idx"`);
    await queryRunner.query(`DROP INDEX "public"."webhook_deliveries_event_idx"`);
    await queryRunner.query(`DROP TABLE "webhook_deliveries"`);
    await queryRunner.query(`DROP INDEX "public"."webhook_events_created_idx"`);
    await queryRunner.query(`DROP TABLE "webhook_events"`);
    await queryRunner.query(`DROP INDEX "public"."webhook_endpoints_brand_created_idx"`);
    await queryRunner.query(`DROP INDEX "public"."webhook_endpoints_brand_enabled_idx"`);
    await queryRunner.query(`DROP TABLE "webhook_endpoints"`);
    await queryRunner.query(`DROP TABLE "program_fraud_rules"`);
  }
}
