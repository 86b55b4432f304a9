import { MigrationInterface, QueryRunner } from 'typeorm';

export class CustomerSignups1795944060190 implements MigrationInterface {
  name = 'CustomerSignups1795944060190';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "customers" ADD "signups" integer NOT NULL DEFAULT '0'`);
    // Added by hand: the signups recorded so far, so a customer who signed up before this
    // migration does not earn a signup reward again.
    await queryRunner.query(`UPDATE customers c SET signups = s.n
        FROM (SELECT brand_id, customer_external_id, count(*)::int AS n FROM events
               WHERE type = 'signup' AND customer_external_id IS NOT NULL
               GROUP BY brand_id, customer_external_id) s
       WHERE c.brand_id = s.brand_id AND c.external_id = s.customer_external_id`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "customers" DROP COLUMN "signups"`);
  }
}
