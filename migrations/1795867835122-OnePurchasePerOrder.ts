import { MigrationInterface, QueryRunner } from 'typeorm';

export class OnePurchasePerOrder1795867835122 implements MigrationInterface {
  name = 'OnePurchasePerOrder1795867835122';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."events_brand_order_idx"`);
    await queryRunner.query(
      `CREATE INDEX "events_brand_refund_order_idx" ON "events"  ("brand_id", "order_id") WHERE "type" = 'refund'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "events_brand_purchase_order_key" ON "events"  ("brand_id", "order_id") WHERE "type" = 'purchase'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."events_brand_purchase_order_key"`);
    await queryRunner.query(`DROP INDEX "public"."events_brand_refund_order_idx"`);
    await queryRunner.query(
      `CREATE INDEX "events_brand_order_idx" ON "events" USING btree ("brand_id", "order_id") WHERE (order_id IS NOT NULL)`,
    );
  }
}
